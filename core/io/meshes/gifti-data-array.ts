/**
 * One GIfTI <DataArray>: its header (intent, data type, dimensions, encoding …) and its decoded values.
 *
 * GIfTI Surface Data Format 1.0 (Harwell et al., 2011, https://www.nitrc.org/projects/gifti/): each DataArray
 * carries its values in <Data> as ASCII numbers, base64 of the raw bytes ("Base64Binary"), base64 of the
 * zlib-compressed raw bytes ("GZipBase64Binary", despite the name a zlib stream; a gzip stream is accepted too),
 * or in an external raw file ("ExternalFileBinary", ExternalFileName relative to the .gii file's folder, starting
 * at ExternalFileOffset). Binary values are in the declared Endian; the array is stored in RowMajorOrder (last
 * index fastest, C order) or ColumnMajorOrder (first index fastest), and is returned here row-major.
 *
 * Counts are checked against the bytes actually present before anything is allocated from them.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { gunzipSync, inflateSync } from 'node:zlib';
import type { ArrayValues } from '../../arrays/index.ts';
import { InputError, check } from '../errors.ts';
import { isGzip } from '../read-bytes.ts';
import { childrenNamed, firstChild, type XmlElement } from './xml-tokenizer.ts';

/** Largest decoded array accepted, in bytes (a typed array's practical limit in Node). */
const MAX_ARRAY_BYTES = 2 ** 31 - 1;

/** A GIfTI (NIfTI) data type Monge reads. The GIfTI spec names UINT8, INT32 and FLOAT32; the rest appear in the wild. */
export interface GiftiType {
  name: string;
  bytes: number;
  integer: boolean;
  min: number;
  max: number;
  view(buffer: ArrayBuffer): ArrayValues;
  alloc(length: number): ArrayValues;
}

function giftiType(
  name: string,
  ctor: { new (buffer: ArrayBuffer): ArrayValues; new (length: number): ArrayValues; BYTES_PER_ELEMENT: number },
  integer: boolean,
  min: number,
  max: number,
): GiftiType {
  return { name, bytes: ctor.BYTES_PER_ELEMENT, integer, min, max, view: (b) => new ctor(b), alloc: (n) => new ctor(n) };
}

export const GIFTI_TYPES: Readonly<Record<string, GiftiType>> = {
  NIFTI_TYPE_UINT8: giftiType('NIFTI_TYPE_UINT8', Uint8Array, true, 0, 255),
  NIFTI_TYPE_INT8: giftiType('NIFTI_TYPE_INT8', Int8Array, true, -128, 127),
  NIFTI_TYPE_INT16: giftiType('NIFTI_TYPE_INT16', Int16Array, true, -32768, 32767),
  NIFTI_TYPE_UINT16: giftiType('NIFTI_TYPE_UINT16', Uint16Array, true, 0, 65535),
  NIFTI_TYPE_INT32: giftiType('NIFTI_TYPE_INT32', Int32Array, true, -(2 ** 31), 2 ** 31 - 1),
  NIFTI_TYPE_UINT32: giftiType('NIFTI_TYPE_UINT32', Uint32Array, true, 0, 2 ** 32 - 1),
  NIFTI_TYPE_FLOAT32: giftiType('NIFTI_TYPE_FLOAT32', Float32Array, false, -Infinity, Infinity),
  NIFTI_TYPE_FLOAT64: giftiType('NIFTI_TYPE_FLOAT64', Float64Array, false, -Infinity, Infinity),
};

export type GiftiEncoding = 'ASCII' | 'Base64Binary' | 'GZipBase64Binary' | 'ExternalFileBinary';
const ENCODINGS: readonly GiftiEncoding[] = ['ASCII', 'Base64Binary', 'GZipBase64Binary', 'ExternalFileBinary'];

/** A DataArray's attributes and metadata, read without touching its data. */
export interface GiftiArrayHeader {
  /** Position among the file's DataArrays (0-based), for names and messages. */
  index: number;
  /** e.g. NIFTI_INTENT_POINTSET; NIFTI_INTENT_NONE when absent. */
  intent: string;
  type: GiftiType;
  /** Dim0, Dim1, … (Dimensionality of them). */
  dims: number[];
  columnMajor: boolean;
  encoding: GiftiEncoding;
  bigEndian: boolean;
  externalFileName: string;
  externalFileOffset: number;
  /** The MetaData entry called Name, if any. */
  name?: string;
  element: XmlElement;
}

/** Number of values of an array: the product of its dims. */
export function valueCount(header: Pick<GiftiArrayHeader, 'dims'>): number {
  return header.dims.reduce((a, b) => a * b, 1);
}

/** Parses a non-negative integer attribute strictly (digits only). */
function integerAttribute(text: string | undefined, what: string, file: string): number {
  const t = (text ?? '').trim();
  check(/^\d{1,10}$/.test(t) && Number(t) <= 2 ** 31 - 1, file, 'malformed', `${what} is ${JSON.stringify(text ?? '')}, expected a non-negative integer`);
  return Number(t);
}

/** The MetaData Name/Value pairs of an element. */
export function metaDataOf(element: XmlElement): Map<string, string> {
  const out = new Map<string, string>();
  const md = firstChild(element, 'MetaData');
  if (!md) return out;
  for (const entry of childrenNamed(md, 'MD')) {
    const name = firstChild(entry, 'Name')?.text.trim();
    const value = firstChild(entry, 'Value')?.text.trim();
    if (name !== undefined && value !== undefined) out.set(name, value);
  }
  return out;
}

/** Reads a DataArray's header; the data stays undecoded. */
export function readArrayHeader(element: XmlElement, index: number, file: string): GiftiArrayHeader {
  const a = element.attributes;
  const where = `DataArray ${index}`;
  const typeName = (a.DataType ?? '').trim();
  check(typeName !== '', file, 'malformed', `${where} has no DataType`);
  const type = GIFTI_TYPES[typeName];
  check(type !== undefined, file, 'unsupported', `${where} has DataType ${typeName}, not one Monge reads (${Object.keys(GIFTI_TYPES).join(', ')})`);

  const dimensionality = integerAttribute(a.Dimensionality, `${where} Dimensionality`, file);
  check(dimensionality >= 1 && dimensionality <= 6, file, 'malformed', `${where} has Dimensionality ${dimensionality}, expected 1 to 6`);
  const dims: number[] = [];
  for (let d = 0; d < dimensionality; d++) dims.push(integerAttribute(a[`Dim${d}`], `${where} Dim${d}`, file));
  const count = dims.reduce((p, q) => p * q, 1);
  check(count * type.bytes <= MAX_ARRAY_BYTES, file, 'too-large', `${where} declares ${dims.join('×')} values, more than Monge can hold`);

  const order = (a.ArrayIndexingOrder ?? 'RowMajorOrder').trim();
  check(order === 'RowMajorOrder' || order === 'ColumnMajorOrder', file, 'malformed', `${where} has ArrayIndexingOrder ${order}`);
  const encoding = (a.Encoding ?? '').trim() as GiftiEncoding;
  check(ENCODINGS.includes(encoding), file, 'unsupported', `${where} has Encoding ${JSON.stringify(a.Encoding ?? '')}, expected one of ${ENCODINGS.join(', ')}`);
  const endian = (a.Endian ?? 'LittleEndian').trim();
  check(endian === 'LittleEndian' || endian === 'BigEndian', file, 'malformed', `${where} has Endian ${endian}`);
  const externalFileName = (a.ExternalFileName ?? '').trim();
  const offsetText = (a.ExternalFileOffset ?? '').trim();
  const externalFileOffset = offsetText === '' ? 0 : Number(offsetText);
  check(/^\d+$/.test(offsetText) || offsetText === '', file, 'malformed', `${where} has ExternalFileOffset ${offsetText}`);
  check(Number.isSafeInteger(externalFileOffset), file, 'malformed', `${where} has ExternalFileOffset ${offsetText}`);

  return {
    index,
    intent: (a.Intent ?? 'NIFTI_INTENT_NONE').trim(),
    type,
    dims,
    columnMajor: order === 'ColumnMajorOrder',
    encoding,
    bigEndian: endian === 'BigEndian',
    externalFileName,
    externalFileOffset,
    name: metaDataOf(element).get('Name'),
    element,
  };
}

/** Decodes a DataArray's values, row-major, in the host's byte order. */
export function decodeArrayValues(header: GiftiArrayHeader, file: string): ArrayValues {
  const count = valueCount(header);
  const where = `DataArray ${header.index} (${header.intent})`;
  const dataText = firstChild(header.element, 'Data')?.text ?? '';
  let values: ArrayValues;
  if (header.encoding === 'ASCII') {
    values = parseAsciiValues(dataText, header.type, count, where, file);
  } else {
    const expectedBytes = count * header.type.bytes;
    let raw: Uint8Array;
    if (header.encoding === 'ExternalFileBinary') {
      raw = readExternal(header, expectedBytes, where, file);
    } else {
      raw = decodeBase64(dataText, where, file);
      if (header.encoding === 'GZipBase64Binary') raw = inflate(raw, expectedBytes, where, file);
    }
    check(
      raw.length === expectedBytes,
      file,
      'count-mismatch',
      `${where} holds ${raw.length} bytes, but Dim ${header.dims.join('×')} of ${header.type.name} needs ${expectedBytes}`,
    );
    values = bytesToValues(raw, header.type, header.bigEndian);
  }
  return header.columnMajor ? columnToRowMajor(values, header.dims) : values;
}

const NAN_TOKEN = /^[+-]?nan$/i;
const INF_TOKEN = /^([+-]?)inf(inity)?$/i;

function parseAsciiValues(text: string, type: GiftiType, count: number, where: string, file: string): ArrayValues {
  const trimmed = text.trim();
  const tokens = trimmed === '' ? [] : trimmed.split(/\s+/);
  check(tokens.length === count, file, 'count-mismatch', `${where} has ${tokens.length} ASCII values, but its Dims say ${count}`);
  const out = type.alloc(count);
  for (let k = 0; k < count; k++) {
    const token = tokens[k];
    let v = Number(token);
    if (Number.isNaN(v) && !NAN_TOKEN.test(token)) {
      const inf = INF_TOKEN.exec(token);
      check(inf !== null, file, 'malformed', `${where} has ${JSON.stringify(token.slice(0, 40))} where a number was expected`);
      v = inf[1] === '-' ? -Infinity : Infinity;
    }
    if (type.integer) {
      check(Number.isInteger(v) && v >= type.min && v <= type.max, file, 'malformed', `${where} has ${token}, not a ${type.name} value`);
    }
    out[k] = v;
  }
  return out;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict base64 (Node's own decoder silently skips bad characters, which would hide corruption). */
function decodeBase64(text: string, where: string, file: string): Uint8Array {
  const compact = text.replace(/\s+/g, '');
  check(BASE64.test(compact) && compact.length % 4 !== 1, file, 'malformed', `${where} has corrupt base64 data`);
  check(!(compact.includes('=') && compact.length % 4 !== 0), file, 'malformed', `${where} has corrupt base64 padding`);
  const b = Buffer.from(compact, 'base64');
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/**
 * Inflates GZipBase64Binary data: a zlib stream per the GIfTI spec, or a gzip stream from writers that took the
 * name literally. Output beyond the declared size stops the inflater (no bomb can fill memory).
 */
function inflate(bytes: Uint8Array, expectedBytes: number, where: string, file: string): Uint8Array {
  try {
    const options = { maxOutputLength: Math.max(1, expectedBytes) };
    return isGzip(bytes) ? gunzipSync(bytes, options) : inflateSync(bytes, options);
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new InputError(file, 'count-mismatch', `${where} inflates to more than the ${expectedBytes} bytes its Dims declare`);
    }
    throw new InputError(file, 'corrupt-compression', `${where} has corrupt compressed data (${(e as Error).message})`);
  }
}

/** Reads ExternalFileBinary data: exactly the bytes the Dims need, from the offset, without reading the rest. */
function readExternal(header: GiftiArrayHeader, expectedBytes: number, where: string, file: string): Uint8Array {
  check(header.externalFileName !== '', file, 'malformed', `${where} is ExternalFileBinary but names no ExternalFileName`);
  const path = resolve(dirname(file), header.externalFileName);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    throw new InputError(file, 'not-found', `${where} refers to external data file ${path}, which cannot be opened`);
  }
  try {
    const info = fstatSync(fd);
    check(!info.isDirectory(), file, 'is-directory', `${where} refers to external data ${path}, which is a folder`);
    check(
      info.size >= header.externalFileOffset + expectedBytes,
      file,
      'truncated',
      `${where} needs ${expectedBytes} bytes at offset ${header.externalFileOffset} of ${path}, which has ${info.size}`,
    );
    const out = new Uint8Array(expectedBytes);
    let got = 0;
    while (got < expectedBytes) {
      const n = readSync(fd, out, got, expectedBytes - got, header.externalFileOffset + got);
      if (n === 0) break;
      got += n;
    }
    check(got === expectedBytes, file, 'truncated', `${where}: external data file ${path} ended early`);
    return out;
  } finally {
    closeSync(fd);
  }
}

/** True on little-endian hosts (all the platforms Node ships for, but checked rather than assumed). */
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reverses the bytes of each `size`-byte element in place. */
export function swapBytes(bytes: Uint8Array, size: number): void {
  if (size === 1) return;
  for (let i = 0; i + size <= bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}

/** Typed values from raw bytes in the given byte order (a fresh, aligned copy). */
function bytesToValues(raw: Uint8Array, type: GiftiType, bigEndian: boolean): ArrayValues {
  const copy = new Uint8Array(raw.length);
  copy.set(raw);
  if (bigEndian === HOST_LITTLE_ENDIAN) swapBytes(copy, type.bytes);
  return type.view(copy.buffer);
}

/** The little-endian bytes of a typed array (for writing). */
export function littleEndianBytes(values: ArrayValues): Uint8Array {
  const bytes = new Uint8Array(values.byteLength);
  bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  if (!HOST_LITTLE_ENDIAN) swapBytes(bytes, values.BYTES_PER_ELEMENT);
  return bytes;
}

/**
 * Reorders values stored with the first index fastest (ColumnMajorOrder, Fortran order) into row-major order
 * (last index fastest), for any number of dimensions.
 */
export function columnToRowMajor(values: ArrayValues, dims: readonly number[]): ArrayValues {
  if (dims.length < 2) return values;
  const out = values.slice();
  if (dims.length === 2) {
    const [rows, cols] = dims;
    for (let c = 0; c < cols; c++) for (let r = 0; r < rows; r++) out[r * cols + c] = values[c * rows + r];
    return out;
  }
  const d = dims.length;
  const rowStride = new Array<number>(d);
  rowStride[d - 1] = 1;
  for (let k = d - 2; k >= 0; k--) rowStride[k] = rowStride[k + 1] * dims[k + 1];
  const index = new Array<number>(d).fill(0);
  for (let k = 0; k < values.length; k++) {
    let r = 0;
    for (let c = 0; c < d; c++) r += index[c] * rowStride[c];
    out[r] = values[k];
    for (let c = 0; c < d; c++) {
      if (++index[c] < dims[c]) break;
      index[c] = 0;
    }
  }
  return out;
}
