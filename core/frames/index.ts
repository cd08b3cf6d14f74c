/**
 * Anatomical frames. Monge works in millimetres in LPS (the DICOM / ITK patient frame: +x = patient Left,
 * +y = Posterior, +z = Superior) internally. RAS (NIfTI, FreeSurfer, GIfTI, nibabel, Slicer's display) differs
 * from LPS by a half-turn about the z axis: (x, y, z)_RAS = (−x, −y, z)_LPS.
 *
 * This module is the ONE place in Monge that converts between the two; every reader and writer calls it.
 */

import type { PointArray } from '../shape/types.ts';

/** A patient coordinate frame. */
export type Frame = 'LPS' | 'RAS';

export const FRAMES: readonly Frame[] = ['LPS', 'RAS'];

/** Parses `lps` / `ras` (any case); returns undefined for anything else. */
export function parseFrame(text: string | undefined): Frame | undefined {
  if (text === undefined) return undefined;
  const t = text.trim().toUpperCase();
  return t === 'LPS' || t === 'RAS' ? t : undefined;
}

/**
 * Converts interleaved xyz coordinates (or spatial vectors: displacements, normals) from `from` to `to`.
 * Returns a new array; the input is never modified. The map is its own inverse: x → −x, y → −y, z → z.
 */
export function convertPoints<T extends Float32Array | Float64Array>(xyz: T, from: Frame, to: Frame): T {
  const out = xyz.slice() as T;
  if (from === to) return out;
  for (let i = 0; i < out.length; i += 3) {
    out[i] = -out[i];
    out[i + 1] = -out[i + 1];
  }
  return out;
}

/** Converts one point (a copy). */
export function convertPoint(p: readonly [number, number, number], from: Frame, to: Frame): [number, number, number] {
  return from === to ? [p[0], p[1], p[2]] : [-p[0], -p[1], p[2]];
}

/**
 * Converts interleaved row-major 3×3 tensors (9 values each) from `from` to `to`: T' = F · T · F with
 * F = diag(−1, −1, 1), i.e. the entries that mix z with x or y (xz, yz, zx, zy) change sign. Returns a new array.
 */
export function convertTensors<T extends Float32Array | Float64Array>(tensors: T, from: Frame, to: Frame): T {
  const out = tensors.slice() as T;
  if (from === to) return out;
  for (let i = 0; i < out.length; i += 9) {
    out[i + 2] = -out[i + 2];
    out[i + 5] = -out[i + 5];
    out[i + 6] = -out[i + 6];
    out[i + 7] = -out[i + 7];
  }
  return out;
}

/**
 * A per-point array in frame `to`: spatial vectors and tensors (float) converted, any other array as it is.
 * Readers and writers of meshes and point sets all go through this, so no array keeps the other frame's signs.
 */
export function convertPointArray(a: PointArray, from: Frame, to: Frame): PointArray {
  if (!(a.values instanceof Float32Array || a.values instanceof Float64Array)) return a;
  if (a.spatialVector && a.components === 3) return { ...a, values: convertPoints(a.values, from, to) };
  if (a.spatialTensor && a.components === 9) return { ...a, values: convertTensors(a.values, from, to) };
  return a;
}

/**
 * Converts a 3×3 linear map of physical space to physical space (the linear part of an affine transform;
 * row-major, acting on column vectors) between frames: M' = F · M · F with F = diag(−1, −1, 1) (F = F⁻¹).
 * Not for image direction cosines, which map index space to physical space: use convertDirection.
 */
export function convertMatrix3(m: ArrayLike<number>, from: Frame, to: Frame): Float64Array {
  const out = Float64Array.from(m as ArrayLike<number>);
  if (from === to) return out;
  const f = [-1, -1, 1];
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) out[3 * r + c] = f[r] * m[3 * r + c] * f[c];
  return out;
}

/**
 * Converts image direction cosines (row-major 3×3, column c = physical direction of index axis c) between
 * frames: D' = F · D, since only the physical side changes (index axes stay as they are).
 */
export function convertDirection(d: ArrayLike<number>, from: Frame, to: Frame): Float64Array {
  const out = Float64Array.from(d as ArrayLike<number>);
  if (from === to) return out;
  for (let c = 0; c < 6; c++) out[c] = -out[c];
  return out;
}
