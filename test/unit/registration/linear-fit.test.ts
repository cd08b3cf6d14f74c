import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyLinear, composeLinear, fitAffine, fitSimilarity } from '../../../core/registration/prealign/linear-fit.ts';
import { symmetricEigen } from '../../../core/linalg/index.ts';
import { mulberry32 } from '../../support/mutate.ts';

/** Rotation about a unit axis by angle θ (Rodrigues). */
function rotation(axis: number[], theta: number): Float64Array {
  const n = Math.hypot(...axis);
  const [x, y, z] = axis.map((v) => v / n);
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  const C = 1 - c;
  return Float64Array.of(c + x * x * C, x * y * C - z * s, x * z * C + y * s, y * x * C + z * s, c + y * y * C, y * z * C - x * s, z * x * C - y * s, z * y * C + x * s, c + z * z * C);
}

function cloud(n: number, seed: number): Float64Array {
  const r = mulberry32(seed);
  return Float64Array.from({ length: 3 * n }, () => (r() - 0.5) * 200);
}

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number) => {
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol, `index ${i}: ${a[i]} vs ${b[i]}`);
};

test('symmetric eigen-decomposition reconstructs the matrix', () => {
  const a = [4, 1, 2, 0.5, 1, 3, 0, 1, 2, 0, 5, -1, 0.5, 1, -1, 2];
  const { values, vectors } = symmetricEigen(a, 4);
  for (let r = 0; r < 4; r++)
    for (let c = 0; c < 4; c++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += vectors[4 * r + k] * values[k] * vectors[4 * c + k];
      assert.ok(Math.abs(s - a[4 * r + c]) < 1e-12);
    }
  for (let k = 1; k < 4; k++) assert.ok(values[k - 1] >= values[k]);
});

test('rigid and similarity fits recover a known motion exactly, with proper rotations', () => {
  const x = cloud(50, 1);
  const R = rotation([1, 2, -0.5], 2.6); // a large rotation, > 90°
  const t = Float64Array.of(12, -30, 7);
  for (const s of [1, 1.37]) {
    const y = applyLinear({ matrix: R.map((v) => v * s), translation: t }, x);
    const fit = fitSimilarity(x, y, new Float64Array(50).fill(1), s !== 1);
    close(fit.matrix, R.map((v) => v * s), 1e-9);
    close(fit.translation, t, 1e-7);
  }
  // A mirrored target: the best proper rotation is returned, never a reflection.
  const mirrored = x.map((v, i) => (i % 3 === 0 ? -v : v));
  const fit = fitSimilarity(x, mirrored, new Float64Array(50).fill(1), false);
  const m = fit.matrix;
  const det = m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
  assert.ok(Math.abs(det - 1) < 1e-9);
});

test('weights select the inliers: outliers with zero weight do not bias the fit', () => {
  const x = cloud(40, 2);
  const truth = { matrix: rotation([0, 0, 1], 0.3), translation: Float64Array.of(5, 5, 5) };
  const y = applyLinear(truth, x);
  const w = new Float64Array(40).fill(1);
  for (let i = 0; i < 10; i++) {
    y[3 * i] += 500;
    w[i] = 0;
  }
  const fit = fitSimilarity(x, y, w, false);
  close(fit.matrix, truth.matrix, 1e-9);
});

test('affine fit recovers a general affine map; compose agrees with sequential application', () => {
  const x = cloud(30, 3);
  const A = { matrix: Float64Array.of(1.1, 0.2, -0.1, 0.05, 0.9, 0.3, -0.2, 0.1, 1.2), translation: Float64Array.of(-4, 2, 9) };
  const fit = fitAffine(x, applyLinear(A, x), new Float64Array(30).fill(1));
  close(fit.matrix, A.matrix, 1e-9);
  close(fit.translation, A.translation, 1e-7);
  const B = { matrix: rotation([1, 1, 0], 0.7), translation: Float64Array.of(1, 2, 3) };
  close(applyLinear(composeLinear(A, B), x), applyLinear(A, applyLinear(B, x)), 1e-9);
});
