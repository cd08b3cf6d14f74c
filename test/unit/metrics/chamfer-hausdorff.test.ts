import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chamferDistance, chamferFromDirected } from '../../../core/metrics/chamfer.ts';
import { directedDistances } from '../../../core/metrics/directed-distance.ts';
import { directedPercentile, hausdorffDistance, percentileHausdorffFromDirected } from '../../../core/metrics/hausdorff.ts';
import { cube } from './meshes.ts';

const close = (a: number, b: number, tol = 1e-12): void => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

// A = {(0,0,0), (1,0,0)}, B = {(0,0,0), (0,3,0), (1,1,0)}.
// d(a, B) = [0, 1] (mean 1/2); d(b, A) = [0, 3, 1] (mean 4/3).
// CD = ½(1/2 + 4/3) = 11/12; HD = max(1, 3) = 3;
// P95 of [0, 1]: rank 0.95 → 0.95; P95 of [0, 1, 3]: rank 1.9 → 1 + 0.9·2 = 2.8; HD95 = 2.8.
const A = { pointsLps: Float64Array.from([0, 0, 0, 1, 0, 0]) };
const B = { pointsLps: Float64Array.from([0, 0, 0, 0, 3, 0, 1, 1, 0]) };

test('chamfer and Hausdorff of two small clouds match the hand-computed values', () => {
  assert.deepEqual(Array.from(directedDistances(A, B).distanceMm), [0, 1]);
  assert.deepEqual(Array.from(directedDistances(B, A).distanceMm), [0, 3, 1]);
  assert.equal(directedDistances(A, B).method, 'point-to-point');
  close(chamferDistance(A, B), 11 / 12);
  close(chamferDistance(B, A), 11 / 12);
  const h = hausdorffDistance(A, B);
  assert.equal(h.hausdorffMm, 3);
  close(h.hausdorff95Mm, 2.8);
  close(directedPercentile([0, 1], 0.95), 0.95);
  close(percentileHausdorffFromDirected([0, 1], [0, 1, 3], 0.5), 1);
});

test('chamfer and Hausdorff between a cube surface and a point use point-to-surface distances', () => {
  // d(b, cube) for b = (0.5, 0.5, 2): 1 (to the top face, not to a corner at √1.5).
  // d(corners, b): four top corners at √(0.25 + 0.25 + 1) = √1.5, four bottom corners at √(0.5 + 4) = √4.5.
  const box = { ...cube(), kind: 'mesh' as const };
  const b = { pointsLps: Float64Array.from([0.5, 0.5, 2]) };
  assert.equal(directedDistances(b, box).method, 'point-to-surface');
  assert.deepEqual(Array.from(directedDistances(b, box).distanceMm), [1]);
  close(chamferDistance(box, b), 0.5 * ((Math.sqrt(1.5) + Math.sqrt(4.5)) / 2 + 1));
  close(hausdorffDistance(box, b).hausdorffMm, Math.sqrt(4.5));
  // P95 of four √1.5 and four √4.5: rank 6.65 lies among the √4.5 values.
  close(hausdorffDistance(box, b).hausdorff95Mm, Math.sqrt(4.5));
});

test('chamfer / Hausdorff refuse empty or non-finite distance sets', () => {
  assert.throws(() => chamferFromDirected([], [1]), /empty/);
  assert.throws(() => chamferFromDirected([NaN], [1]), /non-finite/);
  assert.throws(() => directedPercentile([], 0.95), /empty/);
  assert.throws(() => directedPercentile([1, Infinity], 0.95), /non-finite/);
  assert.throws(() => directedDistances({ pointsLps: new Float64Array(0) }, B), /no points/);
});
