import { det3, invert3 } from '../image/index.ts';

/**
 * 4×4 homogeneous affine matrices, row-major, acting on COLUMN vectors [x, y, z, 1]ᵀ (the convention of
 * core/image/geometry.ts voxelToLpsMatrix, of ITK's matrix/offset and of Slicer's vtkMatrix4x4):
 *
 *   [ a00 a01 a02 t0 ]
 *   [ a10 a11 a12 t1 ]      p' = A · p + t
 *   [ a20 a21 a22 t2 ]
 *   [ 0   0   0   1  ]
 */
export type Matrix4 = Float64Array;

export function identity4(): Matrix4 {
  return Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
}

/** The 4×4 matrix of p ↦ A·p + t, with A row-major 3×3. */
export function affineFromParts(a: ArrayLike<number>, t: ArrayLike<number>): Matrix4 {
  return Float64Array.from([a[0], a[1], a[2], t[0], a[3], a[4], a[5], t[1], a[6], a[7], a[8], t[2], 0, 0, 0, 1]);
}

/** The 3×3 linear part A (row-major). */
export function linearPart(m: ArrayLike<number>): Float64Array {
  return Float64Array.from([m[0], m[1], m[2], m[4], m[5], m[6], m[8], m[9], m[10]]);
}

/** The translation t. */
export function translationPart(m: ArrayLike<number>): [number, number, number] {
  return [m[3], m[7], m[11]];
}

/** Throws a RangeError unless `m` is 16 finite numbers with last row [0 0 0 1] and an invertible linear part. */
export function checkAffine(m: ArrayLike<number>, what = 'affine matrix'): void {
  if (m.length !== 16) throw new RangeError(`${what}: 16 values expected (4×4 row-major), got ${m.length}`);
  for (let i = 0; i < 16; i++) if (!Number.isFinite(m[i])) throw new RangeError(`${what}: non-finite entry at ${i}`);
  if (m[12] !== 0 || m[13] !== 0 || m[14] !== 0 || m[15] !== 1) throw new RangeError(`${what}: last row must be 0 0 0 1`);
  if (Math.abs(det3(linearPart(m))) < 1e-12) throw new RangeError(`${what}: the linear part is singular`);
}

/** Product a · b (apply b first, then a). */
export function multiply4(a: ArrayLike<number>, b: ArrayLike<number>): Matrix4 {
  const out = new Float64Array(16);
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 4; c++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += a[4 * r + k] * b[4 * k + c];
      out[4 * r + c] = s;
    }
  }
  return out;
}

/** Inverse of an affine matrix: p = A⁻¹ (p' − t). Throws on a singular linear part. */
export function invertAffine(m: ArrayLike<number>): Matrix4 {
  const inv = invert3(linearPart(m));
  const t = translationPart(m);
  const ti = [
    -(inv[0] * t[0] + inv[1] * t[1] + inv[2] * t[2]),
    -(inv[3] * t[0] + inv[4] * t[1] + inv[5] * t[2]),
    -(inv[6] * t[0] + inv[7] * t[1] + inv[8] * t[2]),
  ];
  return affineFromParts(inv, ti);
}

/** A·p + t for interleaved xyz points (a new array). */
export function transformPoints(m: ArrayLike<number>, pointsLps: Float64Array): Float64Array {
  const out = new Float64Array(pointsLps.length);
  for (let i = 0; i < pointsLps.length; i += 3) {
    const x = pointsLps[i];
    const y = pointsLps[i + 1];
    const z = pointsLps[i + 2];
    out[i] = m[0] * x + m[1] * y + m[2] * z + m[3];
    out[i + 1] = m[4] * x + m[5] * y + m[6] * z + m[7];
    out[i + 2] = m[8] * x + m[9] * y + m[10] * z + m[11];
  }
  return out;
}
