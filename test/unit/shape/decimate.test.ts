import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decimateQem } from '../../../core/shape/decimate.ts';
import { marchingTetrahedra } from '../../../core/shape/marching-cubes.ts';
import { taubinSmooth } from '../../../core/shape/smooth.ts';
import { connectedComponents, eulerCharacteristic, isClosed, isConsistentlyOriented } from '../../../core/shape/topology.ts';
import { enclosedVolume } from '../../../core/shape/volume.ts';
import { imageFrom, PROPER_ROTATION, REFLECTED_ROTATION, type Vec3 } from './synthetic.ts';

const C: Vec3 = [0, 10, -20];

function ballImage(radiusMm: number, size: number) {
  return imageFrom([size, size, size], [1, 1, 1], REFLECTED_ROTATION, C, (p) => (Math.hypot(p[0] - C[0], p[1] - C[1], p[2] - C[2]) <= radiusMm ? 1 : 0));
}

test('QEM decimation of a sphere keeps it closed, oriented, genus 0, on the sphere, at the target count', () => {
  const R = 12;
  const s = marchingTetrahedra(ballImage(R, 30), { kind: 'foreground' });
  const smooth = taubinSmooth(s.pointsLps, s.triangles, 10);
  const volume0 = enclosedVolume(smooth, s.triangles);
  for (const target of [2000, 500, 100]) {
    const d = decimateQem(smooth, s.triangles, target);
    const nv = d.points.length / 3;
    assert.ok(Math.abs(nv - target) <= 0.1 * target, `${nv} vertices for target ${target}`);
    assert.equal(isClosed(d.triangles), true);
    assert.equal(isConsistentlyOriented(d.triangles), true);
    assert.equal(eulerCharacteristic(d.triangles), 2);
    assert.equal(d.triangles.length / 3, 2 * nv - 4); // closed genus-0 triangulation: F = 2V − 4
    const volume = enclosedVolume(d.points, d.triangles);
    assert.ok(Math.abs(volume / volume0 - 1) < (target >= 500 ? 0.01 : 0.05), `volume ${volume0} → ${volume}`);
    for (let v = 0; v < nv; v++) {
      const r = Math.hypot(d.points[3 * v] - C[0], d.points[3 * v + 1] - C[1], d.points[3 * v + 2] - C[2]);
      assert.ok(Math.abs(r - R) < 1, `vertex ${v} at radius ${r}`);
    }
    // No fold-overs: every face of the convex result still faces away from the centre.
    for (let t = 0; t < d.triangles.length; t += 3) {
      const [a, b, c] = [3 * d.triangles[t], 3 * d.triangles[t + 1], 3 * d.triangles[t + 2]];
      const u = [0, 1, 2].map((k) => d.points[b + k] - d.points[a + k]);
      const w = [0, 1, 2].map((k) => d.points[c + k] - d.points[a + k]);
      const n = [u[1] * w[2] - u[2] * w[1], u[2] * w[0] - u[0] * w[2], u[0] * w[1] - u[1] * w[0]];
      const g = [0, 1, 2].map((k) => (d.points[a + k] + d.points[b + k] + d.points[c + k]) / 3 - C[k]);
      const cos = (n[0] * g[0] + n[1] * g[1] + n[2] * g[2]) / (Math.hypot(n[0], n[1], n[2]) * Math.hypot(g[0], g[1], g[2]));
      assert.ok(cos > 0, `face ${t / 3} tilted: cos ${cos}`);
    }
    // Output vertices continue input vertices, in input order.
    for (let i = 1; i < nv; i++) assert.ok(d.sourceVertex[i] > d.sourceVertex[i - 1]);
  }
});

test('decimation keeps separate components and a torus handle', () => {
  const image = imageFrom([40, 26, 12], [1, 1, 1], PROPER_ROTATION, [0, 0, 0], (p) => {
    const q = Math.hypot(p[0] + 8, p[1]) - 7;
    const torus = Math.hypot(q, p[2]) <= 3;
    const ball = Math.hypot(p[0] - 12, p[1], p[2]) <= 4.5;
    return torus || ball ? 1 : 0;
  });
  const s = marchingTetrahedra(image, { kind: 'foreground' });
  assert.equal(eulerCharacteristic(s.triangles), 2); // torus (0) + sphere (2)
  const d = decimateQem(taubinSmooth(s.pointsLps, s.triangles, 5), s.triangles, 300);
  assert.ok(Math.abs(d.points.length / 3 - 300) <= 30);
  assert.equal(isClosed(d.triangles), true);
  assert.equal(isConsistentlyOriented(d.triangles), true);
  assert.equal(connectedComponents(d.triangles).count, 2);
  assert.equal(eulerCharacteristic(d.triangles), 2);
});

test('an open mesh keeps its boundary; a target above the count changes nothing', () => {
  // A 6×6 grid of quads in z = 0, bumped in the middle.
  const n = 7;
  const pts: number[] = [];
  const tri: number[] = [];
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) pts.push(i, j, Math.exp(-((i - 3) ** 2 + (j - 3) ** 2) / 4));
  for (let j = 0; j < n - 1; j++) {
    for (let i = 0; i < n - 1; i++) {
      const a = j * n + i;
      tri.push(a, a + 1, a + n + 1, a, a + n + 1, a + n);
    }
  }
  const points = Float64Array.from(pts);
  const d = decimateQem(points, tri, 30);
  // The 24 boundary vertices are frozen and stay where they were.
  const boundary = new Set<number>();
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) if (i === 0 || j === 0 || i === n - 1 || j === n - 1) boundary.add(j * n + i);
  const kept = new Set(d.sourceVertex);
  for (const b of boundary) assert.ok(kept.has(b), `boundary vertex ${b} kept`);
  assert.ok(d.points.length / 3 >= 24 && d.points.length / 3 <= 33);
  assert.equal(eulerCharacteristic(d.triangles), 1);
  assert.equal(isConsistentlyOriented(d.triangles), true);
  const same = decimateQem(points, tri, 1000);
  assert.deepEqual(same.points, points);
  assert.deepEqual(Array.from(same.triangles), tri);
});

test('about 100k vertices decimate to 5k in a few seconds', () => {
  const R = 40;
  const s = marchingTetrahedra(ballImage(R, 84), { kind: 'foreground' });
  const nv0 = s.pointsLps.length / 3;
  assert.ok(nv0 > 80_000, `${nv0} input vertices`);
  const t0 = performance.now();
  const d = decimateQem(s.pointsLps, s.triangles, 5000);
  const ms = performance.now() - t0;
  console.log(`decimation ${nv0} → ${d.points.length / 3} vertices in ${ms.toFixed(0)} ms`);
  assert.ok(Math.abs(d.points.length / 3 - 5000) <= 500);
  assert.equal(isClosed(d.triangles), true);
  assert.equal(eulerCharacteristic(d.triangles), 2);
  assert.ok(ms < 10_000, `${ms} ms`);
});
