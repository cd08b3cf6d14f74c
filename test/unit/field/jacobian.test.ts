import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeJacobianMap } from '../../../core/field/export-jacobian.ts';
import { readImage } from '../../../core/io/images/read-image.ts';
import { AffineDeformation } from '../../../core/field/affine.ts';
import { gridPointsLps } from '../../../core/field/grid.ts';
import { jacobianDeterminantMap, jacobianDeterminantMapInTurns, jacobianOfDeformation } from '../../../core/field/jacobian.ts';
import { CancelledError } from '../../../core/progress/index.ts';
import { affineFromParts } from '../../../core/field/matrix4.ts';
import type { GridLps } from '../../../core/field/types.ts';
import { obliqueGrid, rotation3 } from './support.ts';

test('the Jacobian determinant of an affine map is det(A) at every voxel (oblique, anisotropic grid)', async () => {
  const r = rotation3(30, 20);
  const scale = [1.3, 0.7, 1.1];
  const shear = [1, 0.2, 0, 0, 1, 0.1, 0, 0, 1];
  const rs = r.map((v, i) => v * scale[i % 3]);
  const a = [0, 1, 2].flatMap((row) => [0, 1, 2].map((c) => rs[3 * row] * shear[c] + rs[3 * row + 1] * shear[3 + c] + rs[3 * row + 2] * shear[6 + c]));
  const det = 1.3 * 0.7 * 1.1; // det R = det shear = 1
  const { image, stats } = await jacobianOfDeformation(new AffineDeformation(affineFromParts(a, [5, -7, 2])), obliqueGrid());
  assert.equal(image.components, 1);
  assert.deepEqual(image.size, obliqueGrid().size);
  for (let v = 0; v < image.data.length; v++) assert.ok(Math.abs(image.data[v] - det) < 1e-5, `voxel ${v}: ${image.data[v]} vs ${det}`);
  assert.ok(Math.abs(stats.min - det) < 1e-5 && Math.abs(stats.max - det) < 1e-5 && Math.abs(stats.mean - det) < 1e-5);
  assert.equal(stats.nonPositiveFraction, 0);
  assert.equal(stats.voxels, 14 * 12 * 10);
});

test('a sinusoidal field: det = 1 + (a/L)·cos(x/L) by finite differences, and the folded fraction is counted', () => {
  // u = (a sin(x/L), 0, 0) over 3 whole periods along x; with a/L = 2, det ≤ 0 where cos(x/L) ≤ −1/2: 1/3 of x.
  const L = 6;
  const a = 2 * L;
  const nx = Math.round((3 * 2 * Math.PI * L) / 0.25);
  const grid: GridLps = { size: [nx, 2, 2], spacingMm: [(3 * 2 * Math.PI * L) / nx, 1, 1], originLps: [0, 0, 0], directionLps: Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]) };
  const p = gridPointsLps(grid);
  const data = new Float64Array(p.length);
  for (let i = 0; i < p.length; i += 3) data[i] = a * Math.sin(p[i] / L);
  const { image, stats } = jacobianDeterminantMap({ ...grid, components: 3, data });
  for (let i = 1; i < nx - 1; i++) {
    const expected = 1 + (a / L) * Math.cos(p[3 * i] / L);
    assert.ok(Math.abs(image.data[i] - expected) < 5e-3, `x = ${p[3 * i]}: ${image.data[i]} vs ${expected}`);
  }
  assert.ok(Math.abs(stats.nonPositiveFraction - 1 / 3) < 0.01, `folded fraction ${stats.nonPositiveFraction}`);
  assert.ok(Math.abs(stats.min - -1) < 5e-3 && Math.abs(stats.max - 3) < 5e-3, `min ${stats.min}, max ${stats.max}`);
});

test('the map computed in turns equals the one-go map, lets timers run between slabs, and stops when cancelled', async () => {
  // A smooth non-linear field on an oblique grid: u = 3 sin(x/7) ŷ + 2 cos(y/5) ẑ + 0.1 z x̂.
  const grid = obliqueGrid([20, 18, 23]);
  const p = gridPointsLps(grid);
  const data = new Float64Array(p.length);
  for (let i = 0; i < p.length; i += 3) {
    data[i] = 0.1 * p[i + 2];
    data[i + 1] = 3 * Math.sin(p[i] / 7);
    data[i + 2] = 2 * Math.cos(p[i + 1] / 5);
  }
  const field = { ...grid, components: 3, data };
  const once = jacobianDeterminantMap(field);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 0);
  const turns = await jacobianDeterminantMapInTurns(field, { slicesPerTurn: 2 });
  clearInterval(timer);
  assert.deepEqual(turns.image.data, once.image.data);
  assert.deepEqual(turns.stats, once.stats);
  assert.ok(ticks > 0, 'the event loop turned while the map was computed');
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(jacobianDeterminantMapInTurns(field, { signal: controller.signal }), CancelledError);
});

test('writeJacobianMap writes the determinant map as a scalar image and returns its statistics', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'monge-jac-'));
  try {
    const path = join(dir, 'jacobian.nii.gz');
    const def = new AffineDeformation(affineFromParts([2, 0, 0, 0, 1.5, 0, 0, 0, 1], [0, 0, 0]));
    const stats = await writeJacobianMap(path, def, obliqueGrid([6, 5, 4]));
    assert.ok(Math.abs(stats.min - 3) < 1e-9 && stats.nonPositiveFraction === 0);
    const back = await readImage(path);
    assert.equal(back.components, 1);
    assert.deepEqual(back.size, [6, 5, 4]);
    for (const v of back.data) assert.ok(Math.abs(v - 3) < 1e-5);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
