import { test } from 'node:test';
import assert from 'node:assert/strict';
import { featureCorner, TriangleFeature } from '../../../core/metrics/closest-point-triangle.ts';
import { pointToSurfaceDistance, SurfaceLocator } from '../../../core/metrics/point-to-surface.ts';
import { pseudoNormals } from '../../../core/metrics/pseudo-normals.ts';
import { mulberry32 } from '../../../core/shape/index.ts';
import { bruteForceSurface, cube, facePlanes, icosphere, orientOutward, type Mesh } from './meshes.ts';

/** Exact signed distance to the axis-aligned box [0, 1]³ (negative inside). */
function unitBoxSignedDistance(p: number[]): number {
  const out = p.map((x) => Math.max(0, x - 1, -x));
  const outside = Math.hypot(out[0], out[1], out[2]);
  if (outside > 0) return outside;
  return -Math.min(...p.map((x) => Math.min(x, 1 - x)));
}

function uniformPoints(n: number, lo: number, hi: number, seed: number): Float64Array {
  const r = mulberry32(seed);
  return Float64Array.from({ length: 3 * n }, () => lo + (hi - lo) * r());
}

test('unit cube: exact distances and signs for points around and inside it (face, edge and vertex regions)', () => {
  const box = cube();
  const q = uniformPoints(3000, -1, 2, 7);
  const r = pointToSurfaceDistance(q, box, { signed: true });
  assert.ok(r.signedDistanceMm);
  const seen = new Set<string>();
  for (let i = 0; i < q.length / 3; i++) {
    const p = [q[3 * i], q[3 * i + 1], q[3 * i + 2]];
    const expected = unitBoxSignedDistance(p);
    assert.ok(Math.abs(r.signedDistanceMm[i] - expected) <= 1e-14, `point ${p}: ${r.signedDistanceMm[i]} vs ${expected}`);
    assert.equal(r.distanceMm[i], Math.abs(r.signedDistanceMm[i]));
    // The closest point lies on the box surface and at the reported distance.
    const c = [r.closestLps[3 * i], r.closestLps[3 * i + 1], r.closestLps[3 * i + 2]];
    assert.ok(Math.abs(unitBoxSignedDistance(c)) <= 1e-15);
    assert.ok(Math.abs(Math.hypot(p[0] - c[0], p[1] - c[1], p[2] - c[2]) - r.distanceMm[i]) <= 1e-15);
    // Outside points nearest to a corner / an edge of the cube (≥ 2 coordinates out of [0, 1]) must hit vertex /
    // edge features; count what kind of features the outside points use.
    const outCount = p.filter((x) => x < 0 || x > 1).length;
    if (expected > 0) seen.add(`${outCount}:${r.feature[i] === TriangleFeature.face ? 'face' : r.feature[i] <= 3 ? 'vertex' : 'edge'}`);
    if (outCount === 3) assert.ok(r.feature[i] >= 1 && r.feature[i] <= 3, `corner-region point ${p} hit feature ${r.feature[i]}`);
    if (outCount === 2) assert.ok(r.feature[i] >= 4, `edge-region point ${p} hit feature ${r.feature[i]}`);
  }
  for (const kind of ['3:vertex', '2:edge', '1:face']) assert.ok(seen.has(kind), `no outside point hit ${kind}`);
  // A few hand-checked values: corner region, edge region, face region, deep inside.
  const hand = pointToSurfaceDistance(Float64Array.from([2, 2, 2, 2, 2, 0.5, 0.5, 0.5, 3, 0.5, 0.5, 0.5, 0.9, 0.9, 0.95]), box, { signed: true });
  assert.deepEqual(Array.from(hand.signedDistanceMm ?? []).map((d) => +d.toFixed(12)), [+Math.sqrt(3).toFixed(12), +Math.SQRT2.toFixed(12), 2, -0.5, -0.05]);
});

test('pseudo-normals: the cube corner normal is (±1, ±1, ±1)/√3 whatever the triangulation (angle weighting)', () => {
  const box = cube();
  const n = pseudoNormals(box.pointsLps, box.triangles);
  // The corners see 1 or 2 triangles per face (alternating diagonals): area or count weighting would tilt them.
  for (let v = 0; v < 8; v++) {
    const expected = [v & 1 ? 1 : -1, (v >> 1) & 1 ? 1 : -1, (v >> 2) & 1 ? 1 : -1].map((s) => s / Math.sqrt(3));
    for (let k = 0; k < 3; k++) assert.ok(Math.abs(n.vertex[3 * v + k] - expected[k]) <= 1e-15, `corner ${v}: ${Array.from(n.vertex.subarray(3 * v, 3 * v + 3))}`);
  }
  // Face normals are the axis directions; a cube edge's pseudo-normal is the bisector of its two faces, and a face
  // diagonal's is the face normal.
  let cubeEdges = 0;
  let diagonals = 0;
  for (let t = 0; t < box.triangles.length / 3; t++) {
    const f = Array.from(n.face.subarray(3 * t, 3 * t + 3));
    assert.equal(f.filter((x) => Math.abs(x) === 1).length, 1);
    for (let s = 0; s < 3; s++) {
      const e = Array.from(n.edge.subarray(9 * t + 3 * s, 9 * t + 3 * s + 3));
      const nonZero = e.filter((x) => Math.abs(x) > 1e-15).length;
      if (nonZero === 1) {
        diagonals++;
        for (let k = 0; k < 3; k++) assert.ok(e[k] === f[k], `diagonal ${e} vs face ${f}`);
      } else {
        cubeEdges++;
        assert.equal(nonZero, 2);
        for (const x of e) assert.ok(Math.abs(x) < 1e-15 || Math.abs(Math.abs(x) - Math.SQRT1_2) < 1e-15);
      }
    }
  }
  assert.equal(diagonals, 12); // 6 diagonals × 2 sides
  assert.equal(cubeEdges, 24); // 12 cube edges × 2 sides
});

test('icosphere (convex): sign is positive exactly outside, and inside distances equal the nearest face plane', () => {
  const ico = icosphere(1, 10);
  const { normal, offset } = facePlanes(ico);
  const q = uniformPoints(4000, -14, 14, 11);
  const r = pointToSurfaceDistance(q, ico, { signed: true });
  assert.ok(r.signedDistanceMm);
  let inside = 0;
  for (let i = 0; i < q.length / 3; i++) {
    const p = [q[3 * i], q[3 * i + 1], q[3 * i + 2]];
    // Plane offsets n·p − h: inside a convex polyhedron iff all ≤ 0, and then the distance is min (h − n·p).
    const gaps = normal.map((n, f) => n[0] * p[0] + n[1] * p[1] + n[2] * p[2] - offset[f]);
    const maxGap = Math.max(...gaps);
    if (maxGap < 0) {
      inside++;
      assert.ok(Math.abs(r.signedDistanceMm[i] + -maxGap) <= 1e-12, `inside ${p}: ${r.signedDistanceMm[i]} vs ${maxGap}`);
    } else {
      assert.ok(r.signedDistanceMm[i] > 0, `outside ${p} got ${r.signedDistanceMm[i]}`);
      // Outside a convex body the distance is at least the largest plane gap.
      assert.ok(r.distanceMm[i] >= maxGap - 1e-12);
    }
  }
  assert.ok(inside > 500 && inside < 3500, `inside count ${inside}`);
});

test('a closed surface wound inward (a user mesh) gets the same signs as wound outward: positive outside; an open one keeps its winding', () => {
  const ico = icosphere(1, 10);
  const flipped: Mesh = { pointsLps: ico.pointsLps, triangles: Uint32Array.from(ico.triangles, (_, k) => ico.triangles[k - (k % 3) + [0, 2, 1][k % 3]]) };
  const q = uniformPoints(2000, -14, 14, 12);
  const outward = pointToSurfaceDistance(q, ico, { signed: true }).signedDistanceMm;
  const inward = pointToSurfaceDistance(q, flipped, { signed: true }).signedDistanceMm;
  assert.ok(outward && inward);
  // Equal up to rounding (the corners' order changes the closest-point arithmetic), signs and all.
  for (let i = 0; i < outward.length; i++) assert.ok(Math.abs(inward[i] - outward[i]) < 1e-9, `point ${i}: ${inward[i]} vs ${outward[i]}`);
  assert.ok(outward.some((d) => d < 0) && outward.some((d) => d > 0));
  // An open surface (one triangle gone) has no inside: its winding is taken as given, so the flipped one flips.
  const open = (m: Mesh): Mesh => ({ pointsLps: m.pointsLps, triangles: m.triangles.subarray(3) });
  const a = pointToSurfaceDistance(q, open(ico), { signed: true }).signedDistanceMm;
  const b = pointToSurfaceDistance(q, open(flipped), { signed: true }).signedDistanceMm;
  assert.ok(a && b);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(b[i] + a[i]) < 1e-9, `open, point ${i}: ${b[i]} vs ${a[i]}`);
});

test('sharp spike: the vertex pseudo-normal gets the sign right where the nearest face normal would not', () => {
  // A needle: square pyramid with a 0.4 × 0.4 base at z = 0 and its apex at z = 10, plus the base.
  const points = Float64Array.from([-0.2, -0.2, 0, 0.2, -0.2, 0, 0.2, 0.2, 0, -0.2, 0.2, 0, 0, 0, 10]);
  const triangles = orientOutward(points, Uint32Array.from([0, 1, 4, 1, 2, 4, 2, 3, 4, 3, 0, 4, 0, 2, 1, 0, 3, 2]), [0, 0, 2]);
  const spike: Mesh = { pointsLps: points, triangles };
  const { normal, offset } = facePlanes(spike);
  const locator = SurfaceLocator.build(spike);
  const rng = mulberry32(3);
  let naiveWrong = 0;
  let apexHits = 0;
  for (let i = 0; i < 3000; i++) {
    // Points in a ball of radius 0.5 around the apex.
    const p = [(rng() - 0.5), (rng() - 0.5), 10 + (rng() - 0.5)];
    const hit = locator.closest(p[0], p[1], p[2]);
    const outside = normal.some((n, f) => n[0] * p[0] + n[1] * p[1] + n[2] * p[2] - offset[f] > 0);
    assert.equal(locator.sideOf(p[0], p[1], p[2], hit), outside ? 1 : -1, `point ${p}`);
    const corner = featureCorner(hit.feature);
    if (corner >= 0 && triangles[3 * hit.triangle + corner] === 4) {
      apexHits++;
      const n = normal[hit.triangle];
      const naive = (p[0] - hit.point[0]) * n[0] + (p[1] - hit.point[1]) * n[1] + (p[2] - hit.point[2]) * n[2];
      if ((naive < 0) !== !outside) naiveWrong++;
    }
  }
  assert.ok(apexHits > 100, `apex hits ${apexHits}`);
  assert.ok(naiveWrong > 20, `the nearest face's normal was wrong only ${naiveWrong} times: the test would not catch a naive sign`);
});

test('AABB tree search equals the brute force over all triangles exactly (random soup, ties on a sphere)', () => {
  const rng = mulberry32(42);
  // 1500 random triangles of size up to 3 mm in a 40 mm box offset far from the origin (tests the box padding).
  const pts: number[] = [];
  for (let t = 0; t < 1500; t++) {
    const c = [1000 + 40 * rng(), -500 + 40 * rng(), 40 * rng()];
    for (let k = 0; k < 3; k++) pts.push(c[0] + 3 * (rng() - 0.5), c[1] + 3 * (rng() - 0.5), c[2] + 3 * (rng() - 0.5));
  }
  const soup: Mesh = { pointsLps: Float64Array.from(pts), triangles: Uint32Array.from({ length: 4500 }, (_, i) => i) };
  const q = new Float64Array(3 * 2000);
  for (let i = 0; i < 2000; i++) {
    q[3 * i] = 990 + 60 * rng();
    q[3 * i + 1] = -510 + 60 * rng();
    q[3 * i + 2] = -10 + 60 * rng();
  }
  const fast = pointToSurfaceDistance(q, soup);
  const slow = bruteForceSurface(q, soup);
  assert.deepEqual(fast.triangleIndex, slow.triangleIndex);
  assert.deepEqual(fast.distanceMm, slow.distanceMm);
  assert.deepEqual(fast.closestLps, slow.closestLps);
  assert.deepEqual(fast.feature, slow.feature);
  // A starting hint (any triangle, near or far) only seeds the bound: the answer is the same.
  const locator = SurfaceLocator.build(soup);
  for (let i = 0; i < 300; i++) {
    const hit = locator.closest(q[3 * i], q[3 * i + 1], q[3 * i + 2], undefined, Math.floor(rng() * 1500));
    assert.equal(hit.triangle, slow.triangleIndex[i]);
  }

  // Exact ties: queries at the vertices and the centre of a sphere (many triangles at the same distance).
  const sphere = icosphere(2, 5);
  const tieQueries = Float64Array.from([...sphere.pointsLps, 0, 0, 0]);
  const fastTies = pointToSurfaceDistance(tieQueries, sphere, { signed: true });
  const slowTies = bruteForceSurface(tieQueries, sphere);
  assert.deepEqual(fastTies.triangleIndex, slowTies.triangleIndex);
  assert.deepEqual(fastTies.distanceMm, slowTies.distanceMm);
  assert.ok(fastTies.signedDistanceMm && fastTies.signedDistanceMm[sphere.pointsLps.length / 3] < 0, 'the centre is inside');
});

test('a moved surface (refitted tree, kept edge grouping) answers exactly as the brute force and a fresh build', () => {
  // An icosphere warped hard: stretched 3× along x, sheared, with a bump — far from the shape the tree was built on.
  const sphere = icosphere(3, 20);
  const p = sphere.pointsLps;
  const warped = new Float64Array(p.length);
  for (let i = 0; i < p.length; i += 3) {
    const [x, y, z] = [p[i], p[i + 1], p[i + 2]];
    warped[i] = 3 * x + 0.4 * y + 8 * Math.exp(-((y - 10) ** 2 + z * z) / 50);
    warped[i + 1] = y + 0.3 * z;
    warped[i + 2] = z - 0.2 * x;
  }
  const rng = mulberry32(5);
  const q = new Float64Array(3 * 1500);
  for (let i = 0; i < q.length; i += 3) {
    q[i] = -70 + 140 * rng();
    q[i + 1] = -30 + 60 * rng();
    q[i + 2] = -35 + 70 * rng();
  }
  const original = SurfaceLocator.build(sphere);
  original.query(q, { signed: true }); // the original's pseudo-normals exist before the move, as in the pipeline
  const moved = original.moved(warped).query(q, { signed: true });
  const fresh = SurfaceLocator.build({ pointsLps: warped, triangles: sphere.triangles }).query(q, { signed: true });
  const slow = bruteForceSurface(q, { pointsLps: warped, triangles: sphere.triangles });
  assert.deepEqual(moved.triangleIndex, slow.triangleIndex);
  assert.deepEqual(moved.distanceMm, slow.distanceMm);
  assert.deepEqual(moved.signedDistanceMm, fresh.signedDistanceMm);
  assert.deepEqual(moved.closestLps, fresh.closestLps);
  assert.ok(moved.signedDistanceMm!.some((d) => d < 0) && moved.signedDistanceMm!.some((d) => d > 0), 'queries on both sides');
  assert.throws(() => original.moved(warped.subarray(3)), /points for a surface of/);
});

test('sphere of radius r against radius r + δ: |d| within the triangulation error of δ, signed positive outside', () => {
  const r = 20;
  const delta = 0.5;
  const inner = icosphere(4, r);
  const outer = icosphere(4, r + delta);
  // Triangulation error: every face of a geodesic sphere of radius R lies between R and its plane distance h_f, so
  // e = R − min_f h_f bounds how far the polyhedron is below the sphere.
  const sag = (m: Mesh, radius: number): number => radius - Math.min(...facePlanes(m).offset);
  const eInner = sag(inner, r);
  const eOuter = sag(outer, r + delta);
  assert.ok(eOuter < 0.05 * delta, `triangulation error ${eOuter} too coarse for the test`);
  // Inner vertices (exactly at radius r, inside the outer polyhedron): δ − e_outer ≤ d ≤ δ, sign negative.
  const ab = pointToSurfaceDistance(inner.pointsLps, outer, { signed: true });
  // Outer vertices (at r + δ, outside the inner polyhedron): δ ≤ d ≤ δ + e_inner, sign positive.
  const ba = pointToSurfaceDistance(outer.pointsLps, inner, { signed: true });
  for (let i = 0; i < ab.distanceMm.length; i++) {
    assert.ok(ab.distanceMm[i] >= delta - eOuter - 1e-12 && ab.distanceMm[i] <= delta + 1e-12, `inner ${i}: ${ab.distanceMm[i]}`);
    assert.equal(ab.signedDistanceMm?.[i], -ab.distanceMm[i]);
    assert.ok(ba.distanceMm[i] >= delta - 1e-12 && ba.distanceMm[i] <= delta + eInner + 1e-12, `outer ${i}: ${ba.distanceMm[i]}`);
    assert.equal(ba.signedDistanceMm?.[i], ba.distanceMm[i]);
  }
  // Same triangulation, so a vertex of one lies radially above a vertex of the other: the vertex-to-vertex distance
  // is exactly δ, and point-to-surface can only be smaller in that direction.
  assert.ok(Math.max(...ab.distanceMm) <= delta + 1e-12);
});

test('SurfaceLocator: invalid surfaces and queries are refused with a message', () => {
  assert.throws(() => SurfaceLocator.build({ pointsLps: new Float64Array(9), triangles: new Uint32Array(0) }), /no triangles/);
  assert.throws(() => SurfaceLocator.build({ pointsLps: new Float64Array(9), triangles: Uint32Array.from([0, 1, 3]) }), /refers to vertex 3, but the surface has 3/);
  assert.throws(() => SurfaceLocator.build({ pointsLps: new Float64Array(8), triangles: Uint32Array.from([0, 1, 2]) }), /xyz triples/);
  assert.throws(() => SurfaceLocator.build({ pointsLps: Float64Array.from([0, 0, 0, 1, 0, 0, 0, NaN, 0]), triangles: Uint32Array.from([0, 1, 2]) }), /non-finite/);
  const loc = SurfaceLocator.build(cube());
  assert.throws(() => loc.query(Float64Array.from([0, 0, Infinity])), /query point 0 is not finite/);
  assert.throws(() => loc.query(new Float64Array(4)), /xyz triples/);
  assert.equal(loc.query(new Float64Array(0)).distanceMm.length, 0);
});
