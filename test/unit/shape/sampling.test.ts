import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32 } from '../../../core/shape/prng.ts';
import { farthestPointSample, massProportionalSample, voxelGridSample } from '../../../core/shape/sampling.ts';
import { subsetShape } from '../../../core/shape/subset-shape.ts';
import type { Shape } from '../../../core/shape/types.ts';
import { dist, randomCloud } from './synthetic.ts';

function minPairwise(points: Float64Array, idx: ArrayLike<number>): number {
  let best = Infinity;
  for (let a = 0; a < idx.length; a++) for (let b = a + 1; b < idx.length; b++) best = Math.min(best, dist(points, idx[a], points, idx[b]));
  return best;
}

/** Largest distance from any point to its nearest selected point. */
function coveringRadius(points: Float64Array, idx: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < points.length / 3; i++) {
    let near = Infinity;
    for (let q = 0; q < idx.length; q++) near = Math.min(near, dist(points, i, points, idx[q]));
    worst = Math.max(worst, near);
  }
  return worst;
}

test('farthest-point sampling: deterministic start, brute-force second pick, spreads better than random', () => {
  const points = randomCloud(2000, 100, 11);
  const k = 60;
  const fps = farthestPointSample(points, k);
  assert.equal(fps.length, k);
  assert.equal(fps[0], 0);
  assert.equal(new Set(fps).size, k);
  let far = 0;
  for (let i = 1; i < 2000; i++) if (dist(points, i, points, 0) > dist(points, far, points, 0)) far = i;
  assert.equal(fps[1], far);
  assert.deepEqual(farthestPointSample(points, k), fps);
  // Greedy k-centre property: every point lies within the selection's minimum spacing of some chosen point.
  const spacing = minPairwise(points, fps);
  assert.ok(coveringRadius(points, fps) <= spacing + 1e-9);
  // Better spread than any of 20 random subsets of the same size.
  const rnd = mulberry32(5);
  for (let trial = 0; trial < 20; trial++) {
    const pick = new Set<number>();
    while (pick.size < k) pick.add(Math.floor(rnd() * 2000));
    assert.ok(spacing > minPairwise(points, [...pick]), `trial ${trial}`);
  }
  assert.deepEqual(Array.from(farthestPointSample(points.slice(0, 9), 10)).sort(), [0, 1, 2]);
  assert.equal(farthestPointSample(points, 3, 17)[0], 17);
  assert.throws(() => farthestPointSample(points, 3, 5000), /seed index/);
});

test('voxel-grid sampling: one point per occupied cell, nearest to the cell centroid', () => {
  const points = randomCloud(3000, 50, 3);
  const cell = 7;
  const out = voxelGridSample(points, cell);
  // Independent reference: occupied cells from the bounding-box minimum.
  const min = [0, 1, 2].map((c) => Math.min(...Array.from({ length: 3000 }, (_, i) => points[3 * i + c])));
  const key = (i: number) => [0, 1, 2].map((c) => Math.floor((points[3 * i + c] - min[c]) / cell)).join(',');
  const cells = new Map<string, number[]>();
  for (let i = 0; i < 3000; i++) {
    const k = key(i);
    cells.set(k, [...(cells.get(k) ?? []), i]);
  }
  assert.equal(out.length, cells.size);
  const seen = new Set(Array.from(out, key));
  assert.equal(seen.size, cells.size);
  for (let q = 1; q < out.length; q++) assert.ok(out[q] > out[q - 1]);
  for (const i of out) {
    const members = cells.get(key(i)) ?? [];
    const centroid = [0, 1, 2].map((c) => members.reduce((s, m) => s + points[3 * m + c], 0) / members.length);
    const d = (m: number) => Math.hypot(...[0, 1, 2].map((c) => points[3 * m + c] - centroid[c]));
    for (const m of members) assert.ok(d(i) <= d(m));
  }
  // A cell larger than the cloud keeps one point; a tiny cell keeps all.
  assert.equal(voxelGridSample(points, 1000).length, 1);
  assert.equal(voxelGridSample(points, 1e-6).length, 3000);
  assert.throws(() => voxelGridSample(points, 0), /positive/);
});

test('mass-proportional sampling: heavier points win more often, deterministic per seed, zero mass never', () => {
  const n = 1000;
  const points = randomCloud(n, 10, 1);
  const mass = new Float64Array(n).fill(1);
  for (let i = 0; i < 100; i++) mass[i] = 10;
  for (let i = 100; i < 150; i++) mass[i] = 0;
  let heavy = 0;
  let light = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const s = massProportionalSample(points, mass, 100, seed);
    assert.equal(s.length, 100);
    assert.equal(new Set(s).size, 100);
    for (const i of s) {
      assert.ok(mass[i] > 0);
      if (i < 100) heavy++;
      else light++;
    }
  }
  // Per-point inclusion rates: heavy points (10×) are chosen far more often than light ones.
  const heavyRate = heavy / (40 * 100);
  const lightRate = light / (40 * 850);
  assert.ok(heavyRate > 4 * lightRate, `heavy ${heavyRate} vs light ${lightRate}`);
  assert.deepEqual(massProportionalSample(points, mass, 100, 9), massProportionalSample(points, mass, 100, 9));
  assert.notDeepEqual(massProportionalSample(points, mass, 100, 9), massProportionalSample(points, mass, 100, 10));
  assert.equal(massProportionalSample(points, mass, 5000, 1).length, 950);
  assert.throws(() => massProportionalSample(points, mass.slice(1), 10, 1), /mass has/);
  assert.throws(() => massProportionalSample(points, mass.map((m) => -m), 10, 1), /≥ 0/);
});

test('subsetShape carries points, normals, mass, arrays and labels', () => {
  const shape: Shape = {
    kind: 'mesh',
    pointsLps: Float64Array.from([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]),
    triangles: Uint32Array.from([0, 2, 1, 0, 1, 3, 0, 3, 2, 1, 2, 3]),
    normalsLps: Float32Array.from([0, 0, -1, 1, 0, 0, 0, 1, 0, 0, 0, 1]),
    mass: Float64Array.from([1, 2, 3, 4]),
    arrays: [
      { name: 'radius', components: 1, values: Int16Array.from([10, 20, 30, 40]) },
      { name: 'disp', components: 3, values: Float32Array.from([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]), spatialVector: true },
    ],
    labels: ['a', 'b', 'c', 'd'],
    sourceFrame: 'RAS',
  };
  const s = subsetShape(shape, Uint32Array.from([3, 1]));
  assert.equal(s.kind, 'points');
  assert.equal(s.triangles, undefined);
  assert.deepEqual(Array.from(s.pointsLps), [0, 0, 1, 1, 0, 0]);
  assert.deepEqual(Array.from(s.normalsLps ?? []), [0, 0, 1, 1, 0, 0]);
  assert.deepEqual(Array.from(s.mass ?? []), [4, 2]);
  assert.ok(s.arrays[0].values instanceof Int16Array);
  assert.deepEqual(Array.from(s.arrays[0].values), [40, 20]);
  assert.deepEqual(Array.from(s.arrays[1].values), [3, 3, 3, 1, 1, 1]);
  assert.equal(s.arrays[1].spatialVector, true);
  assert.deepEqual(s.labels, ['d', 'b']);
  assert.equal(s.sourceFrame, 'RAS');
  assert.throws(() => subsetShape(shape, [4]), /outside/);
});
