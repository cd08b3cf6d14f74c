/**
 * foldingWarning: a map with voxels of Jacobian ≤ 0 in the fixed region is reported with their share, count and the
 * minimum, and a remedy only where there is one (a displacement fine-tuning can run as a velocity field instead).
 * A registration that folds carries the warning into its summary and report.json; the remedy it names unfolds it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageLps } from '../../../core/image/index.ts';
import { writeShape } from '../../../core/io/index.ts';
import { register, REGISTRATION_OUTPUTS } from '../../../core/registration/index.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { ellipsoidMesh } from '../synth/shapes.ts';
import { jacobianStats } from '../../../core/field/jacobian-stats.ts';
import { foldingWarning } from '../../../core/registration/pipeline/folding-warning.ts';

/** A 10 × 10 × 10 Jacobian image: 1 everywhere but `folds` voxels at −0.5 and one at −1.25 when folds > 0. */
function jacobianImage(folds: number): ImageLps {
  const data = new Float32Array(1000).fill(1);
  for (let k = 0; k < folds; k++) data[7 * k] = k === 0 ? -1.25 : -0.5;
  return { size: [10, 10, 10], spacingMm: [2, 2, 2], originLps: [0, 0, 0], directionLps: Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), components: 1, data };
}

test('a folding map is named with its share, count and minimum; a smooth one is not', () => {
  assert.equal(foldingWarning(jacobianStats(jacobianImage(0)), 'fixed mask', 'displacement'), undefined);
  const stats = jacobianStats(jacobianImage(3));
  const warning = foldingWarning(stats, 'fixed mask', 'displacement');
  assert.ok(warning);
  // 3 of 1000 voxels: 0.30 %.
  assert.match(warning, /^the map folds: 0\.30 % of the voxels in the fixed mask \(3\) have a Jacobian determinant ≤ 0 \(minimum -1\.25;/);
  assert.match(warning, /--diffeomorphic integrates the fine-tuning as a velocity field/);
});

test('the remedy is offered only for a displacement fine-tuning', () => {
  const stats = jacobianStats(jacobianImage(1));
  for (const form of ['diffeomorphic', 'not run'] as const) {
    const warning = foldingWarning(stats, 'fixed shape bounding box', form);
    assert.ok(warning && /in the fixed shape bounding box \(1\)/.test(warning), warning);
    assert.doesNotMatch(warning, /--diffeomorphic/);
    assert.match(warning, /It comes from/);
  }
  // Under a diffeomorphic fine-tuning, the one fold it can leave: its sampling on a grid coarser than its kernel.
  assert.match(foldingWarning(stats, 'fixed mask', 'diffeomorphic') ?? '', /It comes from the field's sampling \(a kernel width near or below the field spacing/);
  assert.doesNotMatch(foldingWarning(stats, 'fixed mask', 'not run') ?? '', /kernel width/);
});

/** An ellipsoid (40 × 30 × 20 mm half-axes) whose upper half is twisted about z by up to 270° at its top. */
function twistedEllipsoid(): { pointsLps: Float64Array; triangles: Uint32Array } {
  const e = ellipsoidMesh(40, 30, 20, [0, 0, 0], 16, 24);
  const p = e.pointsLps;
  for (let i = 0; i < p.length / 3; i++) {
    const a = Math.max(0, p[3 * i + 2] / 20) * 1.5 * Math.PI;
    const [x, y] = [p[3 * i], p[3 * i + 1]];
    p[3 * i] = Math.cos(a) * x - Math.sin(a) * y;
    p[3 * i + 1] = Math.sin(a) * x + Math.cos(a) * y;
  }
  return e;
}

test('a registration that folds says so in its warnings and report; --diffeomorphic, the remedy named, does not fold', { timeout: 120_000 }, async (t) => {
  const dir = await tempDir(t, 'folding');
  const plain = ellipsoidMesh(40, 30, 20, [0, 0, 0], 16, 24);
  await writeShape(join(dir, 'moving.vtk'), { kind: 'mesh', ...plain, arrays: [], sourceFrame: 'LPS' });
  await writeShape(join(dir, 'fixed.vtk'), { kind: 'mesh', ...twistedEllipsoid(), arrays: [], sourceFrame: 'LPS' });
  // A 2 mm kernel on the generic preset (a displacement fine-tuning) follows the twist too closely and folds.
  const request = { moving: join(dir, 'moving.vtk'), fixed: join(dir, 'fixed.vtk'), preset: 'generic' as const, kernelWidthMm: 2, fieldSpacingMm: 2 };
  const folded = await register({ ...request, outDir: join(dir, 'plain') });
  const count = folded.jacobian.insideFixed.nonPositiveCount;
  assert.ok(count > 0, 'this pair folds (if a better fine-tuning unfolds it, choose a harder pair)');
  const warnings = folded.warnings.filter((w) => w.startsWith('the map folds'));
  assert.equal(warnings.length, 1, folded.warnings.join('\n'));
  assert.match(warnings[0], new RegExp(`in the fixed shape bounding box \\(${count}\\).*--diffeomorphic`));
  const report = JSON.parse(await readFile(join(dir, 'plain', REGISTRATION_OUTPUTS.report), 'utf8')) as { warnings: string[] };
  assert.ok(report.warnings.includes(warnings[0]), 'report.json has it');

  const smooth = await register({ ...request, outDir: join(dir, 'diffeomorphic'), diffeomorphic: true });
  assert.equal(smooth.jacobian.insideFixed.nonPositiveCount, 0);
  assert.deepEqual(smooth.warnings.filter((w) => w.includes('folds')), []);
});
