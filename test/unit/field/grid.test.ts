import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GridDisplacement } from '../../../core/field/grid-displacement.ts';
import { GridSampler } from '../../../core/field/grid-sampler.ts';
import { gridAroundBounds, gridPointsLps, gridVoxelCount } from '../../../core/field/grid.ts';
import { deformationFromItkField } from '../../../core/field/inverted.ts';
import { sampleOnGrid } from '../../../core/field/sample-on-grid.ts';
import { indexToLps, type ImageLps } from '../../../core/image/index.ts';
import { mulberry32 } from '../../../core/shape/index.ts';
import { maxPointError, obliqueGrid, smoothKernelDisplacement } from './support.ts';

test('gridAroundBounds covers the bounds plus the margin, centred, at the given spacing', () => {
  const g = gridAroundBounds([-10, 30, 5, 6, 100, 100], [2, 1.5, 3], 4);
  assert.deepEqual(g.spacingMm, [2, 1.5, 3]);
  assert.deepEqual(g.size, [25, 7, 4]); // 48/2 + 1, 9/1.5 + 1, ceil(8/3) + 1
  const first = indexToLps(g, [0, 0, 0]);
  const last = indexToLps(g, [g.size[0] - 1, g.size[1] - 1, g.size[2] - 1]);
  const want = [
    [-14, 34],
    [1, 10],
    [96, 104],
  ];
  for (let a = 0; a < 3; a++) {
    assert.ok(first[a] <= want[a][0] + 1e-9 && last[a] >= want[a][1] - 1e-9, `axis ${a} covers [${want[a]}]: [${first[a]}, ${last[a]}]`);
    assert.ok(Math.abs((first[a] + last[a]) / 2 - (want[a][0] + want[a][1]) / 2) < 1e-9, `axis ${a} centred`);
    assert.ok(last[a] - first[a] < want[a][1] - want[a][0] + g.spacingMm[a], `axis ${a} not larger than needed`);
  }
  assert.equal(gridVoxelCount(g), 25 * 7 * 4);
  assert.throws(() => gridAroundBounds([0, 1, 0, 1, 0, 1], 0, 1), RangeError);
  assert.throws(() => gridAroundBounds([0, 1, 0, 1, 1, 0], 1, 0), RangeError);
});

test("GridSampler follows ITK's inside rule: edge-clamped within half a voxel, zero beyond ('zero'); always the edge ('clamp')", () => {
  const image: ImageLps = { size: [3, 2, 2], spacingMm: [2, 1, 1], originLps: [10, 0, 0], directionLps: Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), components: 1, data: Float32Array.from([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2]) };
  const s = new GridSampler(image);
  const out = new Float64Array(1);
  s.linear(13, 0.5, 0.5, out, 0, 'zero');
  assert.equal(out[0], 1.5);
  s.linear(14.9, 0, 0, out, 0, 'zero'); // 0.45 voxel past the last centre: inside, clamped
  assert.equal(out[0], 2);
  assert.equal(s.linear(15.1, 0, 0, out, 0, 'zero'), false); // 0.55 voxel past: outside
  assert.equal(out[0], 0);
  s.linear(100, 0, 0, out, 0, 'clamp');
  assert.equal(out[0], 2);
  assert.equal(s.nearest(12.9, 0, 0, out, 0, 'zero'), 1); // continuous index 1.45 → voxel 1
  assert.equal(out[0], 1);
  s.nearest(13, 0, 0, out, 0, 'zero'); // 1.5 rounds up (ITK's RoundHalfIntegerUp)
  assert.equal(out[0], 2);
});

test('a field in ITK convention, wrapped by deformationFromItkField, gives back φ forward and φ⁻¹ at its voxels', async () => {
  const grid = obliqueGrid([20, 18, 16]);
  const centre = indexToLps(grid, [9.5, 8.5, 7.5]);
  const phi = smoothKernelDisplacement(centre, 5, 2);
  const field = await sampleOnGrid(phi, grid, { precision: 'float64' });
  const fromFile = deformationFromItkField(field.image);
  const rand = mulberry32(8);
  const x = new Float64Array(300);
  for (let q = 0; q < 100; q++) {
    const p = indexToLps(grid, [3 + rand() * 13, 3 + rand() * 11, 3 + rand() * 9]);
    x.set(p, 3 * q);
  }
  const exact = await phi.evaluate(x);
  const viaField = await fromFile.evaluate(x);
  const err = maxPointError(exact, viaField);
  assert.ok(err < 0.05, `forward through the inverted field: ${err} mm`);
  const y = gridPointsLps(grid, 1000, 50);
  const inv = await fromFile.evaluateInverse(y);
  assert.equal(inv.maxResidualMm, 0);
  for (let i = 0; i < y.length; i++) assert.ok(Math.abs(inv.displacementsLps[i] - field.image.data[3000 + i]) < 1e-12);
  // GridDisplacement's own inverse is consistent with its forward lookup.
  const g = new GridDisplacement(field.image);
  const gi = await g.evaluateInverse(x);
  const xi = x.map((v, i) => v + gi.displacementsLps[i]);
  const back = await g.evaluate(xi);
  assert.ok(maxPointError(xi.map((v, i) => v + back[i]), x) <= 1e-4 + 1e-12);
  // Outside the grid a field is the identity (ITK's rule).
  assert.deepEqual(Array.from(await g.evaluate(Float64Array.from([1e4, 0, 0]))), [0, 0, 0]);
});

test('a field in ITK convention carries a moving point beyond its grid onto the fixed point inside that maps there (scans offset by more than the margin)', async () => {
  // T(y) = (−40, 0, 0) on a fixed grid over [0, 100] mm in x: the fixed point y is the moving point y − 40, so the
  // moving points −40 ≤ x < 0 mm lie beyond the grid while their fixed points x + 40 lie inside it.
  const size: [number, number, number] = [51, 11, 11];
  const data = new Float32Array(3 * size[0] * size[1] * size[2]);
  for (let v = 0; v < data.length; v += 3) data[v] = -40;
  const field: ImageLps = { size, spacingMm: [2, 2, 2], originLps: [0, -10, -10], directionLps: Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), components: 3, data };
  const moving = Float64Array.from([-20, 0, 0, -39, 3, -2, 30, 1, 1, -500, 0, 0]);
  const fixed = Array.from(await deformationFromItkField(field).evaluate(moving)).map((u, i) => u + moving[i]);
  const expected = [20, 0, 0, 1, 3, -2, 70, 1, 1, -500, 0, 0];
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(fixed[i] - expected[i]) < 1e-6, `coordinate ${i}: ${fixed[i]} (expected ${expected[i]})`);
});
