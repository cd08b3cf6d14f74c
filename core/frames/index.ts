/**
 * Anatomical frames. Monge works in millimetres in LPS (the DICOM / ITK patient frame: +x = patient Left,
 * +y = Posterior, +z = Superior) internally. RAS (NIfTI, FreeSurfer, GIfTI, nibabel, Slicer's display) differs
 * from LPS by a half-turn about the z axis: (x, y, z)_RAS = (−x, −y, z)_LPS.
 *
 * This module is the ONE place in Monge that converts between the two; every reader and writer calls it. It also
 * gives the signs that take the other axis-aligned anatomical frames some formats name (NRRD's LAS) to LPS.
 */
import type { ArrayValues, PointArray } from '../arrays/index.ts';

/** Typed arrays whose entries can be negated without leaving the type (signed, or float). */
export type NegatableValues = Float32Array | Float64Array | Int32Array | Int16Array | Int8Array;

/** A patient coordinate frame. */
export type Frame = 'LPS' | 'RAS';

export const FRAMES: readonly Frame[] = ['LPS', 'RAS'];

/**
 * An anatomical frame whose axes lie along LPS's, named by the way each axis points: x toward the patient's Right or
 * Left, y Anterior or Posterior, z Superior or Inferior. NRRD's `space:` names three of them (right-anterior-superior,
 * left-anterior-superior, left-posterior-superior: 'RAS', 'LAS', 'LPS'). Only readers of such formats need it; the
 * rest of Monge works with `Frame`.
 */
export type AnatomicalFrame = `${'R' | 'L'}${'A' | 'P'}${'S' | 'I'}`;

/**
 * The per-axis signs taking coordinates in the anatomical frame `frame` to LPS: p_LPS,k = s_k · p_frame,k, with
 * s_k = +1 where the frame's axis k points the way LPS's does (L, P, S) and −1 where it points the other way
 * (R, A, I). So RAS → (−1, −1, 1) (the half-turn of convertPoint), LAS → (1, −1, 1), LPS → (1, 1, 1). Each s_k is
 * its own inverse, so the same signs take LPS back to `frame`. A linear map between such frames is S = diag(s): a
 * vector converts as S·v, a matrix of measured coordinates as S·M.
 */
export function signsToLps(frame: AnatomicalFrame): [1 | -1, 1 | -1, 1 | -1] {
  return [frame[0] === 'L' ? 1 : -1, frame[1] === 'P' ? 1 : -1, frame[2] === 'S' ? 1 : -1];
}

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
export function convertPoints<T extends NegatableValues>(xyz: T, from: Frame, to: Frame): T {
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
export function convertTensors<T extends NegatableValues>(tensors: T, from: Frame, to: Frame): T {
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
 * A per-point array in frame `to`: spatial vectors and tensors converted, any other array as it is.
 * Readers and writers of meshes and point sets all go through this, so no array keeps the other frame's signs.
 * Integer vectors and tensors (VTK's `VECTORS v int`) convert too: a signed type keeps its type, since the
 * conversion only negates entries; an unsigned type, or a signed one holding its type's minimum (whose negation
 * does not fit), becomes float64, which holds every such value and its negation exactly.
 */
export function convertPointArray(a: PointArray, from: Frame, to: Frame): PointArray {
  const vector = a.spatialVector === true && a.components === 3;
  const tensor = a.spatialTensor === true && a.components === 9;
  if (from === to || (!vector && !tensor)) return a;
  const values = a.values instanceof Float32Array || a.values instanceof Float64Array ? a.values : negatableIntegers(a.values);
  if (vector) return { ...a, values: convertPoints(values, from, to) };
  return { ...a, values: convertTensors(values, from, to) };
}

/** Integer values as an array whose every entry can be negated within its type: the same one, or a float64 copy. */
function negatableIntegers(values: Exclude<ArrayValues, Float32Array | Float64Array>): NegatableValues {
  if (values instanceof Int8Array || values instanceof Int16Array || values instanceof Int32Array) {
    const minimum = -(2 ** (8 * values.BYTES_PER_ELEMENT - 1));
    if (!values.includes(minimum)) return values;
  }
  return Float64Array.from(values);
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
