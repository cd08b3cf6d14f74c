import type { ImageLps } from '../../../core/image/index.ts';
import { mulberry32 } from '../../../core/shape/prng.ts';

/** Test helpers: synthetic images with arbitrary geometry, and a few analytic meshes. */

export type Vec3 = [number, number, number];

/** Row-major rotation about axis x, y or z by `deg` degrees. */
export function rotation(axis: 0 | 1 | 2, deg: number): number[] {
  const c = Math.cos((deg * Math.PI) / 180);
  const s = Math.sin((deg * Math.PI) / 180);
  if (axis === 0) return [1, 0, 0, 0, c, -s, 0, s, c];
  if (axis === 1) return [c, 0, s, 0, 1, 0, -s, 0, c];
  return [c, -s, 0, s, c, 0, 0, 0, 1];
}

/** Row-major 3×3 product a·b. */
export function matMul(a: ArrayLike<number>, b: ArrayLike<number>): number[] {
  const out = new Array<number>(9).fill(0);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) for (let k = 0; k < 3; k++) out[3 * r + c] += a[3 * r + k] * b[3 * k + c];
  return out;
}

/** A direction matrix with det −1: rotations about z, x and y, then the reflection of index axis 1. */
export const REFLECTED_ROTATION = Float64Array.from(matMul(matMul(rotation(2, 30), matMul(rotation(0, 20), rotation(1, -15))), [1, 0, 0, 0, -1, 0, 0, 0, 1]));
/** A proper rotation (det +1). */
export const PROPER_ROTATION = Float64Array.from(matMul(rotation(2, -40), rotation(0, 25)));

/** LPS centre of voxel ijk, computed here independently of core/: p = o + Σ_c D[:, c]·s_c·ijk_c. */
export function voxelCentre(image: Pick<ImageLps, 'spacingMm' | 'originLps' | 'directionLps'>, i: number, j: number, k: number): Vec3 {
  const idx = [i, j, k];
  const p: Vec3 = [image.originLps[0], image.originLps[1], image.originLps[2]];
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) p[r] += image.directionLps[3 * r + c] * image.spacingMm[c] * idx[c];
  return p;
}

/**
 * An image whose geometry puts the centre of its index box at `centreLps`, with voxel values f(p) of the voxel
 * centres p (LPS mm).
 */
export function imageFrom(
  size: Vec3,
  spacingMm: Vec3,
  directionLps: Float64Array,
  centreLps: Vec3,
  f: (p: Vec3) => number,
  Data: typeof Uint8Array | typeof Float32Array = Uint8Array,
): ImageLps {
  const geometry = { spacingMm, originLps: [0, 0, 0] as Vec3, directionLps };
  const mid = voxelCentre(geometry, (size[0] - 1) / 2, (size[1] - 1) / 2, (size[2] - 1) / 2);
  const originLps: Vec3 = [centreLps[0] - mid[0], centreLps[1] - mid[1], centreLps[2] - mid[2]];
  const image: ImageLps = { size, spacingMm, originLps, directionLps, components: 1, data: new Data(size[0] * size[1] * size[2]) };
  let n = 0;
  for (let k = 0; k < size[2]; k++) for (let j = 0; j < size[1]; j++) for (let i = 0; i < size[0]; i++) image.data[n++] = f(voxelCentre(image, i, j, k));
  return image;
}

/** Distance between two points of interleaved arrays or tuples. */
export function dist(a: ArrayLike<number>, ia: number, b: ArrayLike<number>, ib: number): number {
  return Math.hypot(a[3 * ia] - b[3 * ib], a[3 * ia + 1] - b[3 * ib + 1], a[3 * ia + 2] - b[3 * ib + 2]);
}

/** Regular icosahedron with circumradius 1, outward (counter-clockwise from outside) winding. */
export function icosahedron(): { points: Float64Array; triangles: Uint32Array } {
  const t = (1 + Math.sqrt(5)) / 2;
  const raw = [
    [-1, t, 0], [1, t, 0], [-1, -t, 0], [1, -t, 0],
    [0, -1, t], [0, 1, t], [0, -1, -t], [0, 1, -t],
    [t, 0, -1], [t, 0, 1], [-t, 0, -1], [-t, 0, 1],
  ];
  const norm = Math.hypot(1, t);
  const points = Float64Array.from(raw.flat().map((v) => v / norm));
  const triangles = Uint32Array.from([
    0, 11, 5, 0, 5, 1, 0, 1, 7, 0, 7, 10, 0, 10, 11,
    1, 5, 9, 5, 11, 4, 11, 10, 2, 10, 7, 6, 7, 1, 8,
    3, 9, 4, 3, 4, 2, 3, 2, 6, 3, 6, 8, 3, 8, 9,
    4, 9, 5, 2, 4, 11, 6, 2, 10, 8, 6, 7, 9, 8, 1,
  ]);
  return { points, triangles };
}

/** N uniform random points in the box [0, size)³ (deterministic for a seed). */
export function randomCloud(n: number, sizeMm: number, seed: number): Float64Array {
  const r = mulberry32(seed);
  const out = new Float64Array(3 * n);
  for (let i = 0; i < out.length; i++) out[i] = r() * sizeMm;
  return out;
}
