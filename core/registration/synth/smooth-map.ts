/**
 * A smooth map of space built from a Gaussian displacement field and a linear part about a centre:
 *
 *   φ(x) = L · (x + u(x) − c) + c + t
 *
 * The field u deforms the shape in place (global and local motion), then the linear part L (a rotation for the
 * rigid perturbation; a scaling/mirror for shape augmentation) acts about the centre c, then the translation t.
 * Dφ(x) = L · (I + ∇u(x)), so det Dφ = det L · det(I + ∇u): positive everywhere ⇔ φ is locally invertible
 * (no folding) when det L > 0.
 */
import { addFieldDisplacement, addFieldJacobian, type GaussianField } from './gaussian-field.ts';

export type Vec3 = [number, number, number];

export interface SmoothMap {
  field: GaussianField;
  /** Row-major 3×3 linear part. */
  linear: Float64Array;
  centreMm: Vec3;
  translationMm: Vec3;
}

export const IDENTITY3: readonly number[] = [1, 0, 0, 0, 1, 0, 0, 0, 1];

/** Rotation matrix (row-major) of `angleRad` about the unit `axis` (Rodrigues). */
export function rotationMatrix(axis: readonly number[], angleRad: number): Float64Array {
  const [x, y, z] = axis;
  const c = Math.cos(angleRad);
  const s = Math.sin(angleRad);
  const t = 1 - c;
  return Float64Array.of(t * x * x + c, t * x * y - s * z, t * x * z + s * y, t * x * y + s * z, t * y * y + c, t * y * z - s * x, t * x * z - s * y, t * y * z + s * x, t * z * z + c);
}

/** a · b for row-major 3×3 matrices. */
export function multiply3(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(9);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) out[3 * r + c] = a[3 * r] * b[c] + a[3 * r + 1] * b[3 + c] + a[3 * r + 2] * b[6 + c];
  return out;
}

export function determinant3(m: ArrayLike<number>, o = 0): number {
  return (
    m[o] * (m[o + 4] * m[o + 8] - m[o + 5] * m[o + 7]) - m[o + 1] * (m[o + 3] * m[o + 8] - m[o + 5] * m[o + 6]) + m[o + 2] * (m[o + 3] * m[o + 7] - m[o + 4] * m[o + 6])
  );
}

/** φ(x) for every point (N×3), a new array. */
export function applyMap(map: SmoothMap, points: Float64Array): Float64Array {
  const u = new Float64Array(points.length);
  addFieldDisplacement(map.field, points, u);
  return applyMapWithField(map, points, u);
}

/** φ(x) = L(x + u − c) + c + t given u(x) already evaluated at the points (a new array). */
export function applyMapWithField(map: SmoothMap, points: Float64Array, u: Float64Array): Float64Array {
  const moved = new Float64Array(points.length);
  const L = map.linear;
  const [cx, cy, cz] = map.centreMm;
  const [tx, ty, tz] = map.translationMm;
  for (let i = 0; i < moved.length; i += 3) {
    const x = points[i] + u[i] - cx;
    const y = points[i + 1] + u[i + 1] - cy;
    const z = points[i + 2] + u[i + 2] - cz;
    moved[i] = L[0] * x + L[1] * y + L[2] * z + cx + tx;
    moved[i + 1] = L[3] * x + L[4] * y + L[5] * z + cy + ty;
    moved[i + 2] = L[6] * x + L[7] * y + L[8] * z + cz + tz;
  }
  return moved;
}

/** φ(x) − x for every point (N×3). */
export function mapDisplacement(map: SmoothMap, points: Float64Array): Float64Array {
  const moved = applyMap(map, points);
  for (let i = 0; i < moved.length; i++) moved[i] -= points[i];
  return moved;
}

/** det(I + ∇u(x)) at every point: the field's volume change, without the linear part. */
export function fieldJacobianDeterminants(field: GaussianField, points: Float64Array): Float64Array {
  const n = points.length / 3;
  const jac = new Float64Array(9 * n);
  addFieldJacobian(field, points, jac);
  const det = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = 9 * i;
    jac[o] += 1;
    jac[o + 4] += 1;
    jac[o + 8] += 1;
    det[i] = determinant3(jac, o);
  }
  return det;
}

/** det Dφ(x) at every point. */
export function jacobianDeterminants(map: SmoothMap, points: Float64Array): Float64Array {
  const det = fieldJacobianDeterminants(map.field, points);
  const dl = determinant3(map.linear);
  for (let i = 0; i < det.length; i++) det[i] *= dl;
  return det;
}
