/**
 * Weighted linear fits of matched point pairs (x_i → y_i, weight w_i ≥ 0), the M-step of OT pre-alignment:
 * rigid and similarity by Horn's quaternion method (J. Opt. Soc. Am. A 4(4), 1987; the scale of Umeyama, PAMI
 * 1991), affine by weighted least squares. Each returns y ≈ M x + t (row-major M).
 */
import { solveLinear, symmetricEigen } from '../../linalg/index.ts';

/** A linear (affine) map y = M x + t, mm, LPS. */
export interface LinearMap {
  /** Row-major 3×3. */
  matrix: Float64Array;
  translation: Float64Array;
}

export type LinearModel = 'rigid' | 'similarity' | 'affine';

export const IDENTITY_MAP: LinearMap = { matrix: Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1), translation: new Float64Array(3) };

/** Weighted centroids and the total weight. */
function weightedCentroids(x: ArrayLike<number>, y: ArrayLike<number>, w: ArrayLike<number>) {
  const cx = [0, 0, 0];
  const cy = [0, 0, 0];
  let total = 0;
  for (let i = 0; i < w.length; i++) {
    total += w[i];
    for (let c = 0; c < 3; c++) {
      cx[c] += w[i] * x[3 * i + c];
      cy[c] += w[i] * y[3 * i + c];
    }
  }
  if (!(total > 0)) throw new Error('linear fit: the weights sum to zero');
  for (let c = 0; c < 3; c++) {
    cx[c] /= total;
    cy[c] /= total;
  }
  return { cx, cy, total };
}

/** Rotation matrix (row-major) of the unit quaternion (w, x, y, z). */
function quaternionToMatrix(q0: number, q1: number, q2: number, q3: number): Float64Array {
  return Float64Array.of(
    q0 * q0 + q1 * q1 - q2 * q2 - q3 * q3, 2 * (q1 * q2 - q0 * q3), 2 * (q1 * q3 + q0 * q2),
    2 * (q1 * q2 + q0 * q3), q0 * q0 - q1 * q1 + q2 * q2 - q3 * q3, 2 * (q2 * q3 - q0 * q1),
    2 * (q1 * q3 - q0 * q2), 2 * (q2 * q3 + q0 * q1), q0 * q0 - q1 * q1 - q2 * q2 + q3 * q3,
  );
}

/**
 * Rigid or similarity fit minimising Σ w_i |s R x_i + t − y_i|². Horn: with the weighted cross-covariance
 * S = Σ w (x−x̄)(y−ȳ)ᵀ, the optimal rotation is the unit quaternion of the largest eigenvalue of Horn's 4×4
 * matrix N(S); it is always a proper rotation (no reflection). Scale s = Σ w (R x̃)·ỹ / Σ w |x̃|².
 */
export function fitSimilarity(x: ArrayLike<number>, y: ArrayLike<number>, w: ArrayLike<number>, withScale: boolean): LinearMap {
  const { cx, cy } = weightedCentroids(x, y, w);
  const S = new Float64Array(9);
  let sxx = 0;
  for (let i = 0; i < w.length; i++) {
    const a = [x[3 * i] - cx[0], x[3 * i + 1] - cx[1], x[3 * i + 2] - cx[2]];
    const b = [y[3 * i] - cy[0], y[3 * i + 1] - cy[1], y[3 * i + 2] - cy[2]];
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) S[3 * r + c] += w[i] * a[r] * b[c];
    sxx += w[i] * (a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
  }
  const [Sxx, Sxy, Sxz, Syx, Syy, Syz, Szx, Szy, Szz] = S;
  const N = [
    Sxx + Syy + Szz, Syz - Szy, Szx - Sxz, Sxy - Syx,
    Syz - Szy, Sxx - Syy - Szz, Sxy + Syx, Szx + Sxz,
    Szx - Sxz, Sxy + Syx, -Sxx + Syy - Szz, Syz + Szy,
    Sxy - Syx, Szx + Sxz, Syz + Szy, -Sxx - Syy + Szz,
  ];
  const { vectors } = symmetricEigen(N, 4);
  const R = quaternionToMatrix(vectors[0], vectors[4], vectors[8], vectors[12]);
  let scale = 1;
  if (withScale && sxx > 0) {
    // Σ w (R x̃)·ỹ = trace(Rᵀ... ) = Σ_rc R[r][c] S[c][r].
    let num = 0;
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) num += R[3 * r + c] * S[3 * c + r];
    scale = num / sxx;
  }
  const matrix = R.map((v) => v * scale);
  const translation = Float64Array.from([0, 1, 2], (r) => cy[r] - (matrix[3 * r] * cx[0] + matrix[3 * r + 1] * cx[1] + matrix[3 * r + 2] * cx[2]));
  return { matrix, translation };
}

/**
 * Affine fit minimising Σ w_i |M x_i + t − y_i|²: the normal equations (Σ w x̂ x̂ᵀ) [M t]ᵀ = Σ w x̂ yᵀ with
 * x̂ = (x, 1). Falls back to the similarity fit when the points are degenerate (coplanar, collinear).
 */
export function fitAffine(x: ArrayLike<number>, y: ArrayLike<number>, w: ArrayLike<number>): LinearMap {
  const A = new Float64Array(16);
  const B = new Float64Array(12);
  for (let i = 0; i < w.length; i++) {
    const xh = [x[3 * i], x[3 * i + 1], x[3 * i + 2], 1];
    for (let r = 0; r < 4; r++) {
      for (let c = 0; c < 4; c++) A[4 * r + c] += w[i] * xh[r] * xh[c];
      for (let c = 0; c < 3; c++) B[3 * r + c] += w[i] * xh[r] * y[3 * i + c];
    }
  }
  const X = solveLinear(A, B, 4, 3);
  if (!X) return fitSimilarity(x, y, w, true);
  // X rows are x̂ components, columns output coordinates: y_c = Σ_r X[r][c] x̂_r.
  const matrix = new Float64Array(9);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) matrix[3 * c + r] = X[3 * r + c];
  return { matrix, translation: Float64Array.of(X[9], X[10], X[11]) };
}

/** The fit of the given model. */
export function fitLinear(model: LinearModel, x: ArrayLike<number>, y: ArrayLike<number>, w: ArrayLike<number>): LinearMap {
  return model === 'affine' ? fitAffine(x, y, w) : fitSimilarity(x, y, w, model === 'similarity');
}

/** Applies y = M x + t to interleaved xyz (a new array). */
export function applyLinear(map: LinearMap, points: ArrayLike<number>): Float64Array {
  const out = new Float64Array(points.length);
  const m = map.matrix;
  const t = map.translation;
  for (let i = 0; i < points.length; i += 3) {
    const a = points[i];
    const b = points[i + 1];
    const c = points[i + 2];
    out[i] = m[0] * a + m[1] * b + m[2] * c + t[0];
    out[i + 1] = m[3] * a + m[4] * b + m[5] * c + t[1];
    out[i + 2] = m[6] * a + m[7] * b + m[8] * c + t[2];
  }
  return out;
}

/** (a ∘ b)(x) = a(b(x)). */
export function composeLinear(a: LinearMap, b: LinearMap): LinearMap {
  const matrix = new Float64Array(9);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) for (let k = 0; k < 3; k++) matrix[3 * r + c] += a.matrix[3 * r + k] * b.matrix[3 * k + c];
  const translation = applyLinear({ matrix: a.matrix, translation: a.translation }, b.translation);
  return { matrix, translation };
}
