/**
 * The values of a NRRD vector image (a displacement field, a gradient, normals) taken to LPS, as its geometry is.
 *
 * A NRRD whose `kinds:` marks an axis as a vector of space (NRRD format: vector, covariant-vector, normal, 3-vector,
 * 3-gradient, 3-normal) with 3 values, in a named `space:`, holds vectors whose coordinates are those of that space
 * (RAS, LAS, LPS …), or, where the header has a `measurement frame:`, of that frame: teem's nrrd.h defines the field as
 * the matrix taking measured coordinates to the space's, each vector of the field one COLUMN of it. ITK's NrrdImageIO
 * converts the geometry of a right-anterior-superior file to LPS but leaves the values as stored, and keeps the
 * measurement frame only as metadata (checked in test/unit/io/images-nrrd-space.test.ts): a displacement field
 * written in RAS came back with its x and y components of the wrong sign, every point warped the wrong way in x and y.
 * Monge's images are LPS throughout, their vectors included, so the values are converted here: v_LPS = S · M · v,
 * S the space's signs to LPS (NrrdSpace.toLps: core/frames' signsToLps, as for the geometry) and M the measurement
 * frame (the identity when the header has none).
 *
 * Other kinds (list, RGB-color, a matrix, …) have no direction in space and are left as stored; so is a vector axis
 * that does not have 3 values.
 */
import type { ArrayValues } from '../../arrays/index.ts';
import type { ImageLps } from '../../image/index.ts';
import { InputError } from '../errors.ts';
import { nrrdFieldOf, type NrrdSpace } from './nrrd-space.ts';

/** NRRD kinds whose values are the coordinates of a vector in the space (teem's nrrdKind, format.html "kinds"). */
const SPACE_VECTOR_KINDS = new Set(['vector', 'covariant-vector', 'normal', '3-vector', '3-gradient', '3-normal']);

type Matrix3 = [number[], number[], number[]];

/**
 * The `measurement frame:` of a NRRD header as a matrix (row r, column c; column c the header's vector c), the
 * identity where the header has none. InputError naming `file` where it is not 3 vectors of 3 finite numbers (ITK
 * refuses such a header before this is reached; a frame read wrong would misplace every vector, so it is not guessed).
 */
function measurementFrameOf(header: string, file: string): Matrix3 {
  const field = nrrdFieldOf(header, 'measurement frame');
  if (field === undefined) return [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
  const vectors = [...field.matchAll(/\(([^)]*)\)/g)].map((m) => m[1].split(',').map((v) => Number(v.trim())));
  if (vectors.length !== 3 || !vectors.every((v) => v.length === 3 && v.every(Number.isFinite))) {
    throw new InputError(file, 'malformed', `its NRRD measurement frame "${field}" is not 3 vectors of 3 numbers, so its vector values cannot be placed in space`);
  }
  return [0, 1, 2].map((r) => [0, 1, 2].map((c) => vectors[c][r])) as Matrix3;
}

/**
 * Converts, in place (a new Float64Array for integer voxels, which the conversion may take out of their type), the
 * values of `image` (read by ITK from the NRRD file `file` with `header`, in `space`) to LPS, where the header marks
 * them as 3-vectors of the space; does nothing for other images.
 */
export function convertNrrdVectorValues(image: ImageLps, header: string, space: NrrdSpace, file: string): void {
  if (image.components !== 3) return;
  const kinds = (nrrdFieldOf(header, 'kinds') ?? '').toLowerCase().split(/\s+/);
  const sizes = (nrrdFieldOf(header, 'sizes') ?? '').split(/\s+/).map(Number);
  const axis = kinds.findIndex((k) => SPACE_VECTOR_KINDS.has(k));
  if (axis < 0 || sizes[axis] !== 3) return;
  const m = measurementFrameOf(header, file);
  // A = S · M: row r of M times the sign that takes the space's coordinate r to LPS.
  const a = [0, 1, 2].map((r) => m[r].map((v) => space.toLps[r] * v));
  if (a.every((row, r) => row.every((v, c) => v === (r === c ? 1 : 0)))) return;
  const float = image.data instanceof Float32Array || image.data instanceof Float64Array;
  const out: ArrayValues = float ? image.data : Float64Array.from(image.data);
  for (let i = 0; i < out.length; i += 3) {
    const [x, y, z] = [out[i], out[i + 1], out[i + 2]];
    // 0 + …: a coordinate 0 that changes sign stays 0, not −0.
    for (let r = 0; r < 3; r++) out[i + r] = 0 + (a[r][0] * x + a[r][1] * y + a[r][2] * z);
  }
  image.data = out;
}
