/**
 * sampleOnGrid on several threads: each slab is sampled in a worker from the deformation's data form, so the field
 * must be the very one a single thread samples — same bytes, same residuals — for every kind of deformation the
 * pipeline exports; a deformation without a data form stays on the calling thread; cancellation stops the workers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AffineDeformation } from '../../../core/field/affine.ts';
import { ComposedDeformation } from '../../../core/field/composed.ts';
import { deformationData, deformationFromData } from '../../../core/field/deformation-data.ts';
import { GridDisplacement } from '../../../core/field/grid-displacement.ts';
import { gridAroundBounds, gridPointsLps, gridVoxelCount } from '../../../core/field/grid.ts';
import { InvertedDeformation } from '../../../core/field/inverted.ts';
import { affineFromParts } from '../../../core/field/matrix4.ts';
import { PARALLEL_MIN_VOXELS, sampleOnGrid } from '../../../core/field/sample-on-grid.ts';
import { StationaryVelocityDeformation } from '../../../core/field/stationary-velocity.ts';
import type { Deformation, InverseEvaluation } from '../../../core/field/types.ts';
import { CancelledError } from '../../../core/progress/index.ts';
import { mulberry32 } from '../../../core/shape/index.ts';

/** A smooth field on a coarse grid around the origin: u(p) = a · exp(−|p − c|² / 2σ²) · (1, 0.5, −0.3). */
function smoothField(amplitudeMm: number, centre: number[]) {
  const grid = gridAroundBounds([-40, 40, -40, 40, -40, 40], 4, 8);
  const p = gridPointsLps(grid);
  const data = new Float64Array(p.length);
  for (let i = 0; i < p.length; i += 3) {
    const g = amplitudeMm * Math.exp(-((p[i] - centre[0]) ** 2 + (p[i + 1] - centre[1]) ** 2 + (p[i + 2] - centre[2]) ** 2) / (2 * 15 * 15));
    data.set([g, 0.5 * g, -0.3 * g], i);
  }
  return { ...grid, components: 3, data };
}

/** The pipeline's chain: an affine pre-alignment, a stationary velocity, a grid correction (like the residual prior). */
function pipelineChain(): ComposedDeformation {
  const affine = new AffineDeformation(affineFromParts([1.05, 0.02, 0, -0.01, 0.97, 0.03, 0, 0.01, 1.1], [2, -3, 1]));
  const velocity = new StationaryVelocityDeformation(smoothField(6, [5, -5, 0]), {}, 'clamp');
  const correction = new GridDisplacement(smoothField(1.5, [-10, 10, 5]), 'clamp');
  return new ComposedDeformation([affine, velocity, correction]);
}

/** A grid just over the parallel threshold. */
const GRID = gridAroundBounds([-50, 50, -50, 50, -50, 50], 0.95, 0);

test('the data form rebuilds every exported kind of deformation exactly', async () => {
  const chain = pipelineChain();
  const rand = mulberry32(5);
  const points = Float64Array.from({ length: 3 * 500 }, () => 90 * rand() - 45);
  for (const d of [...chain.steps, chain, new InvertedDeformation(chain, { toleranceMm: 1e-3 })] as Deformation[]) {
    const data = deformationData(d);
    assert.ok(data, d.kind);
    // What a worker gets: a structured clone of the data, its voxel arrays in shared memory (one copy for all).
    const copy = deformationFromData(structuredClone(data));
    assert.equal(copy.kind, d.kind);
    assert.deepEqual(await copy.evaluate(points), await d.evaluate(points), d.kind);
    assert.deepEqual((await copy.evaluateInverse(points)).displacementsLps, (await d.evaluateInverse(points)).displacementsLps, d.kind);
  }
  const shared = deformationData(chain)!;
  assert.ok(shared.kind === 'composed' && shared.steps[1].kind === 'velocity' && shared.steps[2].kind === 'grid');
  for (const image of [shared.steps[1].forward, shared.steps[1].backward, shared.steps[2].field]) {
    assert.ok(image.data.buffer instanceof SharedArrayBuffer);
  }
});

test('several threads sample the same field as one, inverse and forward', { timeout: 120_000 }, async () => {
  assert.ok(gridVoxelCount(GRID) >= PARALLEL_MIN_VOXELS);
  const chain = pipelineChain();
  const one = await sampleOnGrid(chain, GRID, { threads: 1 });
  let reports = 0;
  const three = await sampleOnGrid(chain, GRID, { threads: 3, onProgress: () => void reports++ });
  assert.ok(one.unconverged === 0 && one.maxResidualMm > 0, 'an inversion with residuals to compare');
  assert.deepEqual(Buffer.from(three.image.data.buffer), Buffer.from(one.image.data.buffer));
  assert.equal(three.maxResidualMm, one.maxResidualMm);
  assert.ok(Math.abs(three.meanResidualMm - one.meanResidualMm) <= 1e-12 * one.meanResidualMm, `${three.meanResidualMm} vs ${one.meanResidualMm}`);
  assert.equal(three.unconverged, one.unconverged);
  assert.ok(reports > 1, 'progress is reported while the slabs run');
  assert.deepEqual([one.threads, three.threads], [1, 3]);
  const forwardOne = await sampleOnGrid(chain, GRID, { threads: 1, direction: 'forward', precision: 'float64' });
  const forwardTwo = await sampleOnGrid(chain, GRID, { threads: 2, direction: 'forward', precision: 'float64' });
  assert.deepEqual(forwardTwo.image.data, forwardOne.image.data);
});

test('a deformation without a data form is sampled on the calling thread', async () => {
  // Evaluated through a closure (as a KernelDisplacement is through its engine): nothing a worker could rebuild.
  const shift: Deformation = {
    kind: 'kernel',
    evaluate: async (p) => p.map((_, i) => (i % 3 === 0 ? 1.5 : 0)),
    evaluateInverse: async (p): Promise<InverseEvaluation> => ({ displacementsLps: p.map((_, i) => (i % 3 === 0 ? -1.5 : 0)), maxResidualMm: 0, meanResidualMm: 0, unconverged: 0, iterations: 0 }),
  };
  assert.equal(deformationData(shift), undefined);
  const { image } = await sampleOnGrid(shift, GRID, { threads: 4 });
  assert.equal(image.data.length, 3 * gridVoxelCount(GRID));
  assert.ok(image.data.every((v, i) => v === (i % 3 === 0 ? -1.5 : 0)));
});

test('cancelling stops the sampling and its workers', { timeout: 60_000 }, async () => {
  const controller = new AbortController();
  const started = performance.now();
  await assert.rejects(
    sampleOnGrid(pipelineChain(), GRID, { threads: 3, signal: controller.signal, onProgress: () => controller.abort() }),
    (e: unknown) => e instanceof CancelledError,
  );
  assert.ok(performance.now() - started < 5000);
});

test('by default the threads follow MONGE_THREADS (a batch worker\'s share of the machine)', async (t) => {
  const before = process.env.MONGE_THREADS;
  t.after(() => (before === undefined ? delete process.env.MONGE_THREADS : (process.env.MONGE_THREADS = before)));
  process.env.MONGE_THREADS = '1';
  assert.equal((await sampleOnGrid(new AffineDeformation(affineFromParts([1, 0, 0, 0, 1, 0, 0, 0, 1], [1, 2, 3])), GRID)).threads, 1);
  process.env.MONGE_THREADS = '2';
  assert.equal((await sampleOnGrid(new AffineDeformation(affineFromParts([1, 0, 0, 0, 1, 0, 0, 0, 1], [1, 2, 3])), GRID)).threads, 2);
});
