import { test } from 'node:test';
import assert from 'node:assert/strict';
import { surfaceArea, triangleAreas, uniformMass, vertexAreaMass } from '../../../core/shape/mass.ts';
import { vertexNormals } from '../../../core/shape/normals.ts';
import { enclosedVolume } from '../../../core/shape/volume.ts';
import { icosahedron } from './synthetic.ts';

test('icosahedron: area, volume, per-vertex mass and normals match the closed forms', () => {
  const { points, triangles } = icosahedron();
  const scale = 7.5; // circumradius, mm
  const p = points.map((v) => v * scale);
  // Edge a = R / sin(2π/5); area 5√3 a²; volume (5/12)(3 + √5) a³.
  const a = scale / Math.sin((2 * Math.PI) / 5);
  const area = 5 * Math.sqrt(3) * a * a;
  assert.ok(Math.abs(surfaceArea(p, triangles) - area) < 1e-9 * area);
  assert.ok(Math.abs(enclosedVolume(p, triangles) - (5 / 12) * (3 + Math.sqrt(5)) * a ** 3) < 1e-9 * area * a);
  for (const t of triangleAreas(p, triangles)) assert.ok(Math.abs(t - area / 20) < 1e-9 * area);
  // Every vertex touches 5 of the 20 equal faces: mass = 5 · (area/20) / 3.
  const mass = vertexAreaMass(p, triangles);
  let sum = 0;
  for (const m of mass) {
    assert.ok(Math.abs(m - area / 12) < 1e-9 * area);
    sum += m;
  }
  assert.ok(Math.abs(sum - area) < 1e-9 * area);
  // By symmetry the area-weighted normal of each vertex is its radial direction.
  const n = vertexNormals(p, triangles);
  for (let v = 0; v < 12; v++) for (let c = 0; c < 3; c++) assert.ok(Math.abs(n[3 * v + c] - points[3 * v + c]) < 1e-6);
});

test('area weighting: a vertex shared by a big and a small face leans to the big one', () => {
  // Vertex 0 at the origin; a big triangle in the z = 0 plane (area 50) and a small one in the x = 0 plane (area 0.5).
  const p = [0, 0, 0, 10, 0, 0, 0, 10, 0, 0, 0, 1, 0, -1, 0];
  const t = [0, 1, 2, 0, 3, 4];
  const n = vertexNormals(p, t);
  // Sum of cross products: (0, 0, 100) + (1, 0, 0) → normalised.
  const len = Math.hypot(100, 1);
  assert.ok(Math.abs(n[0] - 1 / len) < 1e-7 && Math.abs(n[2] - 100 / len) < 1e-7 && n[1] === 0);
  const m = vertexAreaMass(p, t);
  assert.deepEqual(Array.from(m, (x) => Math.round(x * 1e9) / 1e9), [50.5 / 3, 50 / 3, 50 / 3, 0.5 / 3, 0.5 / 3].map((x) => Math.round(x * 1e9) / 1e9));
  // Points without triangles: zero normal, zero mass.
  const lone = vertexNormals([...p, 5, 5, 5], t);
  assert.deepEqual(Array.from(lone.slice(15)), [0, 0, 0]);
});

test('uniform mass of a point set sums to one', () => {
  const m = uniformMass(8);
  assert.equal(m.length, 8);
  assert.ok(m.every((x) => x === 1 / 8));
  assert.equal(uniformMass(0).length, 0);
});
