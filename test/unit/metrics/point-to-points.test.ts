import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mortonOrder } from '../../../core/metrics/morton-order.ts';
import { PointLocator, pointToPointsDistance } from '../../../core/metrics/point-to-points.ts';
import { mulberry32 } from '../../../core/shape/index.ts';
import { bruteForcePoints } from './meshes.ts';

test('pointToPointsDistance equals the brute force exactly, duplicates and ties included', () => {
  const rng = mulberry32(5);
  // Target on an integer lattice with duplicated points, so exact ties occur; queries partly on the lattice too.
  const target = Float64Array.from({ length: 3 * 3000 }, () => Math.floor(rng() * 12));
  const query = Float64Array.from({ length: 3 * 2500 }, (_, i) => (Math.floor(i / 3) % 2 === 0 ? Math.floor(rng() * 14) - 1 : rng() * 14 - 1));
  const fast = pointToPointsDistance(query, target);
  const slow = bruteForcePoints(query, target);
  assert.deepEqual(fast.pointIndex, slow.pointIndex);
  assert.deepEqual(fast.distanceMm, slow.distanceMm);
  for (let i = 0; i < 2500; i++) {
    const j = fast.pointIndex[i];
    assert.deepEqual(Array.from(fast.closestLps.subarray(3 * i, 3 * i + 3)), Array.from(target.subarray(3 * j, 3 * j + 3)));
  }
  assert.ok(fast.distanceMm.some((d) => d === 0), 'some queries sit on target points');
});

test('pointToPointsDistance: hand-checked 3-4-5 distances; empty or broken input refused', () => {
  const r = pointToPointsDistance(Float64Array.from([3, 4, 0, 10, 0, 0]), Float64Array.from([0, 0, 0, 10, 0, 12, 10, 1, 0]));
  assert.deepEqual(Array.from(r.distanceMm), [5, 1]);
  assert.deepEqual(Array.from(r.pointIndex), [0, 2]);
  assert.throws(() => PointLocator.build(new Float64Array(0)), /empty/);
  assert.throws(() => PointLocator.build(new Float64Array(4)), /xyz triples/);
  assert.throws(() => PointLocator.build(Float64Array.from([0, NaN, 0])), /non-finite/);
  assert.throws(() => pointToPointsDistance(Float64Array.from([0, 0, NaN]), Float64Array.from([0, 0, 0])), /query point 0 is not finite/);
});

test('mortonOrder: a permutation that keeps neighbours together; non-finite points last', () => {
  const rng = mulberry32(9);
  const n = 4096;
  const xyz = Float64Array.from({ length: 3 * n }, () => rng() * 100);
  xyz[3 * 17 + 1] = NaN;
  const order = mortonOrder(xyz);
  assert.deepEqual(Array.from(order).sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i));
  assert.equal(order[n - 1], 17);
  // Consecutive points along a Z-order curve are far closer on average than in random order (≈ 52 mm apart here).
  let step = 0;
  for (let k = 1; k < n - 1; k++) {
    const a = order[k - 1];
    const b = order[k];
    step += Math.hypot(xyz[3 * a] - xyz[3 * b], xyz[3 * a + 1] - xyz[3 * b + 1], xyz[3 * a + 2] - xyz[3 * b + 2]);
  }
  assert.ok(step / (n - 2) < 10, `mean step ${step / (n - 2)}`);
});
