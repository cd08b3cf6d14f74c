// Gaussian displacement fields: values and Jacobians against the closed form and finite differences, the
// slab-restricted evaluation against a brute-force sum, and the local-PCA helpers against known geometry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addFieldDisplacement,
  anisotropicPrecision,
  evaluateField,
  isotropicPrecision,
  type GaussianField,
} from '../../../core/registration/synth/gaussian-field.ts';
import { localDirections, symmetricEigen3 } from '../../../core/registration/synth/local-directions.ts';
import { createRandom } from '../../../core/registration/synth/random.ts';
import { branchCloud, ellipsoidMesh } from './shapes.ts';

function randomField(k: number, seed: number): GaussianField {
  const r = createRandom(seed);
  const centres = new Float64Array(3 * k);
  const vectors = new Float64Array(3 * k);
  const precision = new Float64Array(6 * k);
  for (let j = 0; j < k; j++) {
    for (let d = 0; d < 3; d++) {
      centres[3 * j + d] = r.uniform(-50, 50);
      vectors[3 * j + d] = r.uniform(-3, 3);
    }
    precision.set(j % 2 ? isotropicPrecision(r.uniform(3, 12)) : anisotropicPrecision(r.unitVector(), r.uniform(8, 20), r.uniform(2, 5)), 6 * j);
  }
  return { centres, vectors, precision };
}

/** u(x) summed over every kernel, straight from the definition. */
function bruteForce(field: GaussianField, x: number[]): number[] {
  const u = [0, 0, 0];
  for (let j = 0; j < field.centres.length / 3; j++) {
    const d = [0, 1, 2].map((c) => x[c] - field.centres[3 * j + c]);
    const p = field.precision.subarray(6 * j, 6 * j + 6);
    const q = p[0] * d[0] * d[0] + p[3] * d[1] * d[1] + p[5] * d[2] * d[2] + 2 * (p[1] * d[0] * d[1] + p[2] * d[0] * d[2] + p[4] * d[1] * d[2]);
    for (let c = 0; c < 3; c++) u[c] += field.vectors[3 * j + c] * Math.exp(-q / 2);
  }
  return u;
}

test('an isotropic kernel gives v·exp(−r²/2σ²)', () => {
  const field: GaussianField = { centres: Float64Array.of(1, 2, 3), vectors: Float64Array.of(2, -1, 0.5), precision: Float64Array.from(isotropicPrecision(4)) };
  const points = Float64Array.of(1, 2, 3, 5, 2, 3, 1, 2 + 8, 3);
  const u = new Float64Array(9);
  addFieldDisplacement(field, points, u);
  for (const [i, r] of [
    [0, 0],
    [1, 4],
    [2, 8],
  ]) {
    const g = Math.exp(-(r * r) / 32);
    assert.ok(Math.abs(u[3 * i] - 2 * g) < 1e-12 && Math.abs(u[3 * i + 1] + g) < 1e-12 && Math.abs(u[3 * i + 2] - 0.5 * g) < 1e-12);
  }
});

test('an anisotropic kernel is σ∥ wide along its direction and σ⊥ across', () => {
  const d = [1 / Math.sqrt(2), 1 / Math.sqrt(2), 0];
  const field: GaussianField = { centres: new Float64Array(3), vectors: Float64Array.of(1, 0, 0), precision: Float64Array.from(anisotropicPrecision(d, 12, 3)) };
  const along = [d[0] * 12, d[1] * 12, 0];
  const across = [0, 0, 3];
  const u = new Float64Array(6);
  addFieldDisplacement(field, Float64Array.from([...along, ...across]), u);
  assert.ok(Math.abs(u[0] - Math.exp(-0.5)) < 1e-12);
  assert.ok(Math.abs(u[3] - Math.exp(-0.5)) < 1e-12);
});

test('slab-restricted evaluation equals the brute-force sum; the Jacobian equals finite differences', () => {
  const field = randomField(60, 3);
  const r = createRandom(9);
  const points = Float64Array.from({ length: 3 * 400 }, () => r.uniform(-60, 60));
  const { u, jac } = evaluateField(field, points);
  const h = 1e-4;
  for (let i = 0; i < 400; i++) {
    const x = [points[3 * i], points[3 * i + 1], points[3 * i + 2]];
    const ref = bruteForce(field, x);
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(u[3 * i + c] - ref[c]) < 1e-6, `u ${i}`);
    if (i % 20 !== 0) continue;
    for (let c = 0; c < 3; c++) {
      const xp = [...x];
      const xm = [...x];
      xp[c] += h;
      xm[c] -= h;
      const up = bruteForce(field, xp);
      const um = bruteForce(field, xm);
      for (let rr = 0; rr < 3; rr++) assert.ok(Math.abs(jac[9 * i + 3 * rr + c] - (up[rr] - um[rr]) / (2 * h)) < 1e-5, `J ${i} ${rr} ${c}`);
    }
  }
});

test('symmetricEigen3 recovers eigenvalues and eigenvectors of a rotated diagonal matrix', () => {
  // A = R diag(9, 4, 1) Rᵀ with R a rotation about z by 30°.
  const c = Math.cos(Math.PI / 6);
  const s = Math.sin(Math.PI / 6);
  const R = [c, -s, 0, s, c, 0, 0, 0, 1];
  const D = [9, 4, 1];
  const A = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) A[3 * i + j] += R[3 * i + k] * D[k] * R[3 * j + k];
  const { values, vectors } = symmetricEigen3(A);
  assert.deepEqual(
    values.map((v) => Number(v.toFixed(9))),
    [9, 4, 1],
  );
  // Leading eigenvector ±(cos 30°, sin 30°, 0).
  assert.ok(Math.abs(Math.abs(vectors[0] * c + vectors[3] * s) - 1) < 1e-9);
});

test('local PCA: linearity ≈ 1 along straight branches, small on a smooth surface', () => {
  const tree = branchCloud(1);
  const { direction, linearity } = localDirections(tree, 8);
  // The first branch runs along z: its interior points have direction ±z and linearity ≈ 1.
  for (const i of [10, 40, 100]) {
    assert.ok(linearity[i] > 0.99, `linearity ${linearity[i]}`);
    assert.ok(Math.abs(Math.abs(direction[3 * i + 2]) - 1) < 1e-6);
  }
  const sphere = ellipsoidMesh(80, 80, 80, [0, 0, 0], 30, 60);
  const flat = localDirections(sphere.pointsLps, 12).linearity;
  const median = Float64Array.from(flat).sort()[flat.length >> 1];
  assert.ok(median < 0.6, `surface median linearity ${median}`);
});
