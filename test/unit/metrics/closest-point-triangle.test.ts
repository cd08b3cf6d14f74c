import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closestPointOnTriangle, featureCorner, featureSide, TriangleFeature } from '../../../core/metrics/closest-point-triangle.ts';

// Right triangle a = (0,0,0), b = (2,0,0), c = (0,2,0) in the plane z = 0.
const TRI = Float64Array.from([0, 0, 0, 2, 0, 0, 0, 2, 0]);

function closest(p: [number, number, number], xyz: Float64Array = TRI): { point: number[]; feature: TriangleFeature; distance: number } {
  const out = new Float64Array(3);
  const feature = closestPointOnTriangle(p[0], p[1], p[2], xyz, 0, 1, 2, out);
  return { point: Array.from(out), feature, distance: Math.hypot(p[0] - out[0], p[1] - out[1], p[2] - out[2]) };
}

test('closestPointOnTriangle: every Voronoi region gives the analytic closest point, distance and feature', () => {
  const cases: { p: [number, number, number]; point: number[]; feature: TriangleFeature; distance: number }[] = [
    // Face: straight above the interior, distance = height.
    { p: [0.5, 0.5, 3], point: [0.5, 0.5, 0], feature: TriangleFeature.face, distance: 3 },
    { p: [0.25, 1, -0.75], point: [0.25, 1, 0], feature: TriangleFeature.face, distance: 0.75 },
    // Vertex a: behind both legs; |(-1,-2,2)| = 3.
    { p: [-1, -2, 2], point: [0, 0, 0], feature: TriangleFeature.vertexA, distance: 3 },
    // Vertex b: beyond b along x; |(2,-1,2)| = 3 from (4,-1,2).
    { p: [4, -1, 2], point: [2, 0, 0], feature: TriangleFeature.vertexB, distance: 3 },
    // Vertex c: |(-2,2,1)| = 3 from (-2,4,1).
    { p: [-2, 4, 1], point: [0, 2, 0], feature: TriangleFeature.vertexC, distance: 3 },
    // Edge ab (y = 0): below it, the closest point keeps x.
    { p: [1, -3, 4], point: [1, 0, 0], feature: TriangleFeature.edgeAB, distance: 5 },
    // Edge ca (x = 0).
    { p: [-4, 1.5, 3], point: [0, 1.5, 0], feature: TriangleFeature.edgeCA, distance: 5 },
    // Edge bc (x + y = 2): from (2,2,1) the foot is (1,1,0), distance √(1+1+1) = √3.
    { p: [2, 2, 1], point: [1, 1, 0], feature: TriangleFeature.edgeBC, distance: Math.sqrt(3) },
    // On the surface: distance 0.
    { p: [0.5, 0.5, 0], point: [0.5, 0.5, 0], feature: TriangleFeature.face, distance: 0 },
  ];
  for (const c of cases) {
    const r = closest(c.p);
    assert.equal(r.feature, c.feature, `feature for ${c.p}`);
    for (let k = 0; k < 3; k++) assert.ok(Math.abs(r.point[k] - c.point[k]) <= 1e-15, `point for ${c.p}: ${r.point} vs ${c.point}`);
    assert.ok(Math.abs(r.distance - c.distance) <= 1e-14, `distance for ${c.p}: ${r.distance} vs ${c.distance}`);
  }
});

test('closestPointOnTriangle: agrees with a dense sampling of the triangle (never farther, never much closer)', () => {
  // Samples of the triangle (barycentric grid) give an upper bound of the true distance that converges to it.
  const tri = Float64Array.from([0.3, -0.2, 0.1, 1.7, 0.4, -0.5, -0.2, 1.1, 0.9]);
  const samples: number[][] = [];
  const m = 200;
  for (let i = 0; i <= m; i++) {
    for (let j = 0; j <= m - i; j++) {
      const u = i / m;
      const v = j / m;
      samples.push([0, 1, 2].map((k) => tri[k] + u * (tri[3 + k] - tri[k]) + v * (tri[6 + k] - tri[k])));
    }
  }
  const probes: [number, number, number][] = [[2, 2, 2], [-1, -1, 0], [0.5, 0.5, 2], [3, 0, -1], [0.7, 0.3, 0.2], [-1, 2, 1]];
  for (const p of probes) {
    const r = closest(p, tri);
    let sampled = Infinity;
    for (const s of samples) sampled = Math.min(sampled, Math.hypot(p[0] - s[0], p[1] - s[1], p[2] - s[2]));
    assert.ok(r.distance <= sampled + 1e-12, `${p}: exact ${r.distance} above sampled ${sampled}`);
    assert.ok(sampled - r.distance < 0.01, `${p}: exact ${r.distance} far below sampled ${sampled}`);
  }
});

test('closestPointOnTriangle: degenerate triangles give finite answers on their segments', () => {
  // All corners equal: the point itself.
  const point = Float64Array.from([1, 2, 3, 1, 2, 3, 1, 2, 3]);
  const r1 = closest([4, 6, 3], point);
  assert.deepEqual(r1.point, [1, 2, 3]);
  assert.equal(r1.distance, 5);
  // Collinear corners a=(0,0,0), b=(2,0,0), c=(1,0,0): the segment [0, 2] on x.
  const line = Float64Array.from([0, 0, 0, 2, 0, 0, 1, 0, 0]);
  const r2 = closest([1.5, 3, 4], line);
  assert.deepEqual(r2.point, [1.5, 0, 0]);
  assert.equal(r2.distance, 5);
  const r3 = closest([-3, 4, 0], line);
  assert.deepEqual(r3.point, [0, 0, 0]);
  assert.equal(r3.distance, 5);
  // a = b coincident, c apart.
  const pair = Float64Array.from([0, 0, 0, 0, 0, 0, 0, 3, 0]);
  const r4 = closest([4, 1, 0], pair);
  assert.deepEqual(r4.point, [0, 1, 0]);
  assert.equal(r4.distance, 4);
});

test('featureCorner / featureSide map features to corners and sides', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map((f) => featureCorner(f as TriangleFeature)), [-1, 0, 1, 2, -1, -1, -1]);
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map((f) => featureSide(f as TriangleFeature)), [-1, -1, -1, -1, 0, 1, 2]);
});
