import type { ImageLps } from './types.ts';

/**
 * Voxel ↔ physical geometry of an ImageLps (ITK's image geometry model, ITK Software Guide §4.1.4):
 *
 *   p = o + D · diag(s) · [i, j, k]ᵀ                         (index → LPS millimetres)
 *   [i, j, k]ᵀ = (D · diag(s))⁻¹ · (p − o)                   (LPS millimetres → continuous index)
 *
 * o = originLps (the centre of voxel (0, 0, 0)), s = spacingMm, D = directionLps (row-major 3×3 whose column c is
 * the unit LPS direction of index axis c). Indices are 0-based and refer to voxel CENTRES, so a continuous index
 * of 2.5 lies halfway between the centres of voxels 2 and 3.
 */

type Geometry = Pick<ImageLps, 'size' | 'spacingMm' | 'originLps' | 'directionLps'>;
type Vec3 = [number, number, number];

/**
 * The 3×3 linear part M = D · diag(s), row-major: M[r][c] = D[r][c] · s[c]. Column c of M is the LPS step (mm) of
 * one voxel along index axis c.
 */
export function indexToLpsLinear(image: Geometry): Float64Array {
  const d = image.directionLps;
  const s = image.spacingMm;
  const m = new Float64Array(9);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) m[3 * r + c] = d[3 * r + c] * s[c];
  return m;
}

/** LPS position (mm) of the centre of voxel index `ijk` (continuous indices allowed): p = o + D·diag(s)·ijk. */
export function indexToLps(image: Geometry, ijk: readonly [number, number, number]): Vec3 {
  const m = indexToLpsLinear(image);
  const o = image.originLps;
  return [
    o[0] + m[0] * ijk[0] + m[1] * ijk[1] + m[2] * ijk[2],
    o[1] + m[3] * ijk[0] + m[4] * ijk[1] + m[5] * ijk[2],
    o[2] + m[6] * ijk[0] + m[7] * ijk[1] + m[8] * ijk[2],
  ];
}

/** Inverse of a row-major 3×3 matrix by the adjugate; throws on a singular matrix. */
export function invert3(m: ArrayLike<number>): Float64Array {
  const [a, b, c, d, e, f, g, h, i] = [m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8]];
  const co0 = e * i - f * h;
  const co1 = f * g - d * i;
  const co2 = d * h - e * g;
  const det = a * co0 + b * co1 + c * co2;
  if (!Number.isFinite(det) || det === 0) throw new RangeError('singular 3×3 matrix');
  const inv = 1 / det;
  return Float64Array.from([
    co0 * inv,
    (c * h - b * i) * inv,
    (b * f - c * e) * inv,
    co1 * inv,
    (a * i - c * g) * inv,
    (c * d - a * f) * inv,
    co2 * inv,
    (b * g - a * h) * inv,
    (a * e - b * d) * inv,
  ]);
}

/** Determinant of a row-major 3×3 matrix. */
export function det3(m: ArrayLike<number>): number {
  return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
}

/**
 * Continuous voxel index of the LPS point `pLps` (mm): ijk = (D·diag(s))⁻¹ · (p − o). The inverse is taken of the
 * full matrix (not Dᵀ), so a direction matrix that is not exactly orthonormal is still inverted exactly.
 */
export function lpsToContinuousIndex(image: Geometry, pLps: readonly [number, number, number]): Vec3 {
  const inv = invert3(indexToLpsLinear(image));
  const o = image.originLps;
  const x = pLps[0] - o[0];
  const y = pLps[1] - o[1];
  const z = pLps[2] - o[2];
  return [
    inv[0] * x + inv[1] * y + inv[2] * z,
    inv[3] * x + inv[4] * y + inv[5] * z,
    inv[6] * x + inv[7] * y + inv[8] * z,
  ];
}

/**
 * The 4×4 homogeneous voxel-index → LPS-mm matrix, row-major:
 *   [ D·diag(s)  o ]
 *   [ 0  0  0    1 ]
 * (the LPS counterpart of a NIfTI sform; to get the RAS affine negate rows 0 and 1 via core/frames).
 */
export function voxelToLpsMatrix(image: Geometry): Float64Array {
  const m = indexToLpsLinear(image);
  const o = image.originLps;
  return Float64Array.from([m[0], m[1], m[2], o[0], m[3], m[4], m[5], o[1], m[6], m[7], m[8], o[2], 0, 0, 0, 1]);
}

/**
 * Axis-aligned LPS bounds [xmin, xmax, ymin, ymax, zmin, zmax] (VTK's order, as core/shape boundsOf) of the voxel
 * CENTRES: the extremes over the 8 corner voxels (0 or n−1 on each axis). Add half a voxel for the bounds of the
 * voxel boxes themselves.
 */
export function worldBoundsLps(image: Geometry): [number, number, number, number, number, number] {
  const b: [number, number, number, number, number, number] = [Infinity, -Infinity, Infinity, -Infinity, Infinity, -Infinity];
  const [nx, ny, nz] = image.size;
  for (const i of [0, nx - 1]) {
    for (const j of [0, ny - 1]) {
      for (const k of [0, nz - 1]) {
        const p = indexToLps(image, [i, j, k]);
        for (let a = 0; a < 3; a++) {
          if (p[a] < b[2 * a]) b[2 * a] = p[a];
          if (p[a] > b[2 * a + 1]) b[2 * a + 1] = p[a];
        }
      }
    }
  }
  return b;
}
