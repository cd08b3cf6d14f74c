/**
 * The data types of VTK legacy files and how they are stored in memory.
 *
 * Binary legacy data is big-endian ("VTK File Formats", https://docs.vtk.org/en/latest/design_documents/VTKFileFormats.html,
 * "Binary Files"). Sizes follow vtkDataReader/vtkDataWriter: `vtkIdType` is written as a 4-byte int (vtkDataWriter
 * converts ids to int for legacy files); `long`/`unsigned_long` are taken as 8 bytes, the size of C `long` on the
 * LP64 systems (Linux, macOS) that write them — VTK itself writes sizeof(long) bytes, so a Windows-written binary
 * file with `long` arrays (4 bytes there) cannot be told apart from its header. 64-bit integers are kept as Float64
 * (exact up to 2^53), since Monge's point arrays have no 64-bit integer storage.
 */
import type { ArrayValues } from '../../arrays/index.ts';

/** One legacy data type: its byte size in binary files and the typed array that holds it. */
export interface LegacyType {
  size: number;
  /** Allocates storage for `n` values. */
  create(n: number): ArrayValues;
  /** Reads value i (big-endian) from a DataView. */
  get(view: DataView, i: number): number;
  /** Writes value i (big-endian). */
  set(view: DataView, i: number, v: number): void;
}

const TWO_32 = 4294967296;

/** Reads a big-endian 64-bit integer as the nearest double (exact below 2^53). */
function getInt64(view: DataView, i: number): number {
  return view.getInt32(8 * i, false) * TWO_32 + view.getUint32(8 * i + 4, false);
}

function getUint64(view: DataView, i: number): number {
  return view.getUint32(8 * i, false) * TWO_32 + view.getUint32(8 * i + 4, false);
}

function setInt64(view: DataView, i: number, v: number): void {
  const hi = Math.floor(v / TWO_32);
  view.setInt32(8 * i, hi, false);
  view.setUint32(8 * i + 4, v - hi * TWO_32, false);
}

const f32: LegacyType = {
  size: 4,
  create: (n) => new Float32Array(n),
  get: (v, i) => v.getFloat32(4 * i, false),
  set: (v, i, x) => v.setFloat32(4 * i, x, false),
};
const f64: LegacyType = {
  size: 8,
  create: (n) => new Float64Array(n),
  get: (v, i) => v.getFloat64(8 * i, false),
  set: (v, i, x) => v.setFloat64(8 * i, x, false),
};
const i8: LegacyType = { size: 1, create: (n) => new Int8Array(n), get: (v, i) => v.getInt8(i), set: (v, i, x) => v.setInt8(i, x) };
const u8: LegacyType = { size: 1, create: (n) => new Uint8Array(n), get: (v, i) => v.getUint8(i), set: (v, i, x) => v.setUint8(i, x) };
const i16: LegacyType = {
  size: 2,
  create: (n) => new Int16Array(n),
  get: (v, i) => v.getInt16(2 * i, false),
  set: (v, i, x) => v.setInt16(2 * i, x, false),
};
const u16: LegacyType = {
  size: 2,
  create: (n) => new Uint16Array(n),
  get: (v, i) => v.getUint16(2 * i, false),
  set: (v, i, x) => v.setUint16(2 * i, x, false),
};
const i32: LegacyType = {
  size: 4,
  create: (n) => new Int32Array(n),
  get: (v, i) => v.getInt32(4 * i, false),
  set: (v, i, x) => v.setInt32(4 * i, x, false),
};
const u32: LegacyType = {
  size: 4,
  create: (n) => new Uint32Array(n),
  get: (v, i) => v.getUint32(4 * i, false),
  set: (v, i, x) => v.setUint32(4 * i, x, false),
};
const i64: LegacyType = { size: 8, create: (n) => new Float64Array(n), get: getInt64, set: setInt64 };
const u64: LegacyType = { size: 8, create: (n) => new Float64Array(n), get: getUint64, set: setInt64 };

/**
 * Legacy type names (lower case) → type. `bit` and `string` are not numeric arrays and are not listed: they are read
 * past (./vtk-legacy-non-numeric.ts).
 */
export const LEGACY_TYPES: Readonly<Record<string, LegacyType>> = {
  float: f32,
  double: f64,
  char: i8,
  signed_char: i8,
  unsigned_char: u8,
  short: i16,
  unsigned_short: u16,
  int: i32,
  unsigned_int: u32,
  vtkidtype: i32,
  long: i64,
  unsigned_long: u64,
  vtktypeint64: i64,
  vtktypeuint64: u64,
};

/** The legacy type name a typed array is written as. */
export function legacyTypeNameOf(values: ArrayValues): string {
  if (values instanceof Float32Array) return 'float';
  if (values instanceof Float64Array) return 'double';
  if (values instanceof Int32Array) return 'int';
  if (values instanceof Uint32Array) return 'unsigned_int';
  if (values instanceof Int16Array) return 'short';
  if (values instanceof Uint16Array) return 'unsigned_short';
  if (values instanceof Int8Array) return 'char';
  return 'unsigned_char';
}
