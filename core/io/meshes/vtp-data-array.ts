/**
 * Decoding and encoding of VTK XML DataArrays ("VTK File Formats", XML File Formats,
 * https://docs.vtk.org/en/latest/design_documents/VTKFileFormats.html#xml-file-formats):
 *
 * - `format="ascii"`: whitespace-separated numbers;
 * - `format="binary"`: base64 inline; `format="appended"`: at `offset` in the AppendedData section (raw or base64);
 * - binary data is a header of `header_type` integers (UInt32 or UInt64) then the data. Uncompressed, the header is
 *   one integer, the byte count. With `compressor="vtkZLibDataCompressor"` it is
 *   [nblocks, block size, last block size (0 = full), compressed size of each block], followed by the zlib streams
 *   of the blocks, each inflating to `block size` bytes (the last to `last block size`).
 */
import { deflateSync, inflateSync } from 'node:zlib';
import type { ArrayValues } from '../../arrays/index.ts';
import { InputError } from '../errors.ts';
import { TextScanner } from './text-scanner.ts';
import { Base64ByteSource, RawByteSource, encodeBase64, type ByteSource } from './vtp-byte-source.ts';
import { textBytes, type XmlElement } from './vtp-xml.ts';
import { formatFloat32, formatFloat64 } from './vtk-number-format.ts';

/** An XML numeric type: byte size and the typed array that holds it (64-bit integers as Float64, exact to 2^53). */
interface XmlType {
  size: number;
  create(n: number): ArrayValues;
  /** For 64-bit integers: read value i of little-endian or big-endian bytes. */
  int64?: (view: DataView, i: number, little: boolean) => number;
}

const TWO_32 = 4294967296;

const XML_TYPES: Readonly<Record<string, XmlType>> = {
  Int8: { size: 1, create: (n) => new Int8Array(n) },
  UInt8: { size: 1, create: (n) => new Uint8Array(n) },
  Int16: { size: 2, create: (n) => new Int16Array(n) },
  UInt16: { size: 2, create: (n) => new Uint16Array(n) },
  Int32: { size: 4, create: (n) => new Int32Array(n) },
  UInt32: { size: 4, create: (n) => new Uint32Array(n) },
  Float32: { size: 4, create: (n) => new Float32Array(n) },
  Float64: { size: 8, create: (n) => new Float64Array(n) },
  Int64: {
    size: 8,
    create: (n) => new Float64Array(n),
    int64: (v, i, little) =>
      little ? v.getInt32(8 * i + 4, true) * TWO_32 + v.getUint32(8 * i, true) : v.getInt32(8 * i, false) * TWO_32 + v.getUint32(8 * i + 4, false),
  },
  UInt64: {
    size: 8,
    create: (n) => new Float64Array(n),
    int64: (v, i, little) =>
      little ? v.getUint32(8 * i + 4, true) * TWO_32 + v.getUint32(8 * i, true) : v.getUint32(8 * i, false) * TWO_32 + v.getUint32(8 * i + 4, false),
  },
};

/** zlib's best compression ratio is about 1032:1; anything claiming more is corrupt. */
const MAX_ZLIB_RATIO = 1100;

/** How a file stores its binary data (from the VTKFile element and the AppendedData section). */
export interface VtpEncoding {
  file: string;
  bytes: Uint8Array;
  littleEndian: boolean;
  /** Bytes per header integer: 4 (UInt32) or 8 (UInt64). */
  headerSize: 4 | 8;
  zlib: boolean;
  appended?: { dataStart: number; base64: boolean; end: number };
}

/** Reads header integer i of `header` (little or big endian, 4 or 8 bytes). */
function headerInt(header: Uint8Array, i: number, enc: VtpEncoding): number {
  const view = new DataView(header.buffer, header.byteOffset, header.length);
  if (enc.headerSize === 4) return view.getUint32(4 * i, enc.littleEndian);
  const lo = view.getUint32(8 * i + (enc.littleEndian ? 0 : 4), enc.littleEndian);
  const hi = view.getUint32(8 * i + (enc.littleEndian ? 4 : 0), enc.littleEndian);
  return hi * TWO_32 + lo;
}

/** Reads one binary block (header + data) from a source, inflating zlib blocks. */
function readBinaryBlock(src: ByteSource, enc: VtpEncoding, what: string): Uint8Array {
  const h = enc.headerSize;
  const file = enc.file;
  if (!enc.zlib) {
    const n = headerInt(src.take(h, what), 0, enc);
    return src.take(n, what);
  }
  const nBlocks = headerInt(src.take(h, what), 0, enc);
  if ((nBlocks + 2) * h > src.maxBytesLeft()) {
    throw new InputError(file, 'truncated', `${what}: the compression header lists ${nBlocks} blocks, more than the data can hold`);
  }
  const header = src.take((nBlocks + 2) * h, what);
  const blockSize = headerInt(header, 0, enc);
  const lastSize = headerInt(header, 1, enc);
  const compressedSizes: number[] = [];
  let compressedTotal = 0;
  for (let b = 0; b < nBlocks; b++) {
    const c = headerInt(header, 2 + b, enc);
    compressedSizes.push(c);
    compressedTotal += c;
  }
  if (nBlocks === 0) return new Uint8Array(0);
  if (compressedTotal > src.maxBytesLeft()) {
    throw new InputError(file, 'truncated', `${what}: ${compressedTotal} compressed bytes declared but fewer are left`);
  }
  const total = (nBlocks - 1) * blockSize + (lastSize === 0 ? blockSize : lastSize);
  if (blockSize === 0 || lastSize > blockSize || total > compressedTotal * MAX_ZLIB_RATIO + 1024 || total > 2 ** 31 - 1) {
    throw new InputError(file, 'corrupt-compression', `${what}: impossible compression header (${nBlocks} blocks of ${blockSize} bytes, last ${lastSize})`);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (let b = 0; b < nBlocks; b++) {
    const expected = b === nBlocks - 1 && lastSize !== 0 ? lastSize : blockSize;
    const compressed = src.take(compressedSizes[b], what);
    let inflated: Uint8Array;
    try {
      inflated = inflateSync(compressed, { maxOutputLength: expected });
    } catch (e) {
      throw new InputError(file, 'corrupt-compression', `${what}: zlib block ${b} is corrupt (${(e as Error).message})`);
    }
    if (inflated.length !== expected) {
      throw new InputError(file, 'corrupt-compression', `${what}: zlib block ${b} inflates to ${inflated.length} bytes, expected ${expected}`);
    }
    out.set(inflated, at);
    at += expected;
  }
  return out;
}

/** Converts raw bytes (file byte order) to values of an XML type. */
function bytesToValues(raw: Uint8Array, type: XmlType, little: boolean, enc: VtpEncoding, what: string): ArrayValues {
  if (raw.length % type.size !== 0) {
    throw new InputError(enc.file, 'count-mismatch', `${what}: ${raw.length} bytes is not a whole number of ${type.size}-byte values`);
  }
  const count = raw.length / type.size;
  if (type.int64) {
    const out = type.create(count);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.length);
    for (let i = 0; i < count; i++) out[i] = type.int64(view, i, little);
    return out;
  }
  // Copy to a fresh, aligned buffer; swap bytes in place when the file is big-endian.
  const out = type.create(count);
  const dst = new Uint8Array(out.buffer);
  dst.set(raw);
  if (!little && type.size > 1) {
    const s = type.size;
    for (let i = 0; i < dst.length; i += s) {
      for (let a = i, b = i + s - 1; a < b; a++, b--) {
        const t = dst[a];
        dst[a] = dst[b];
        dst[b] = t;
      }
    }
  }
  return out;
}

/** The raw bytes of a binary or appended array (after inflation), for numeric and string arrays alike. */
function binaryBytes(el: XmlElement, enc: VtpEncoding, what: string): Uint8Array {
  const format = el.attrs.get('format') ?? '';
  if (format === 'binary') {
    const text = textBytes(enc.bytes, el);
    return readBinaryBlock(new Base64ByteSource(text, 0, text.length, enc.file), enc, what);
  }
  if (format === 'appended') {
    const app = enc.appended;
    if (!app) throw new InputError(enc.file, 'malformed', `${what}: format="appended" but the file has no AppendedData`);
    const offset = Number(el.attrs.get('offset'));
    if (!(Number.isInteger(offset) && offset >= 0)) {
      throw new InputError(enc.file, 'malformed', `${what}: bad offset "${el.attrs.get('offset') ?? ''}"`);
    }
    const start = app.dataStart + offset;
    if (start > app.end) throw new InputError(enc.file, 'truncated', `${what}: offset ${offset} is past the end of the appended data`);
    const src = app.base64 ? new Base64ByteSource(enc.bytes, start, app.end, enc.file) : new RawByteSource(enc.bytes, start, enc.file);
    return readBinaryBlock(src, enc, what);
  }
  throw new InputError(enc.file, 'unsupported', `${what}: format "${format}" (expected ascii, binary or appended)`);
}

/** Decodes a numeric DataArray into all its values. */
export function readDataArray(el: XmlElement, enc: VtpEncoding, what: string): ArrayValues {
  const typeName = el.attrs.get('type') ?? '';
  const type = XML_TYPES[typeName];
  if (!type) throw new InputError(enc.file, 'unsupported', `${what}: data type "${typeName}" is not supported`);
  if ((el.attrs.get('format') ?? '') === 'ascii') {
    const text = textBytes(enc.bytes, el);
    const numbers = new TextScanner(text, enc.file).readAllNumbers(what);
    const out = type.create(numbers.length);
    out.set(numbers);
    return out;
  }
  return bytesToValues(binaryBytes(el, enc, what), type, enc.littleEndian, enc, what);
}

/** Decodes a String array (VTK writes each string's bytes followed by a 0 byte; in ASCII, the byte values). */
export function readStringArray(el: XmlElement, enc: VtpEncoding, what: string): string[] {
  let raw: Uint8Array;
  if ((el.attrs.get('format') ?? '') === 'ascii') {
    const numbers = new TextScanner(textBytes(enc.bytes, el), enc.file).readAllNumbers(what);
    raw = Uint8Array.from(numbers);
  } else {
    raw = binaryBytes(el, enc, what);
  }
  const text = new TextDecoder('utf-8').decode(raw);
  const parts = text.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** Options for writing a DataArray. */
export interface DataArrayWriteOptions {
  /** 'binary': base64 with a UInt32 header, zlib-compressed; 'ascii': decimal text. */
  mode: 'binary' | 'ascii';
  /** Uncompressed bytes per zlib block (VTK's default is 32 KiB). */
  blockSize?: number;
}

/** The XML type name of a typed array. */
export function xmlTypeNameOf(values: ArrayValues): string {
  if (values instanceof Float32Array) return 'Float32';
  if (values instanceof Float64Array) return 'Float64';
  if (values instanceof Int32Array) return 'Int32';
  if (values instanceof Uint32Array) return 'UInt32';
  if (values instanceof Int16Array) return 'Int16';
  if (values instanceof Uint16Array) return 'UInt16';
  if (values instanceof Int8Array) return 'Int8';
  return 'UInt8';
}

/** Little-endian UInt32 words. */
function uint32Bytes(words: readonly number[]): Uint8Array {
  const out = new Uint8Array(4 * words.length);
  const view = new DataView(out.buffer);
  words.forEach((w, i) => view.setUint32(4 * i, w, true));
  return out;
}

/**
 * The text inside a DataArray element for `values` (little-endian bytes of the typed array): zlib blocks with a
 * UInt32 header, header and data base64-encoded as two streams as vtkXMLWriter does, or ASCII decimals.
 */
export function encodeDataArrayText(values: ArrayValues, options: DataArrayWriteOptions): string {
  if (options.mode === 'ascii') {
    const format = values instanceof Float32Array ? formatFloat32 : values instanceof Float64Array ? formatFloat64 : String;
    const rows: string[] = [];
    for (let i = 0; i < values.length; i += 9) {
      const row: string[] = [];
      for (let j = i; j < Math.min(values.length, i + 9); j++) row.push(format(values[j]));
      rows.push(row.join(' '));
    }
    return rows.join('\n');
  }
  // The typed array's own bytes: little-endian on every platform Node runs on (x86-64, arm64), as declared.
  const data = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  return encodeZlibBlocks(data, options.blockSize ?? 32768);
}

/** Base64 of a zlib-compressed binary block (UInt32 header) holding `data`. */
export function encodeZlibBlocks(data: Uint8Array, blockSize: number): string {
  const nBlocks = Math.ceil(data.length / blockSize);
  const lastSize = data.length % blockSize;
  const blocks: Uint8Array[] = [];
  for (let b = 0; b < nBlocks; b++) blocks.push(deflateSync(data.subarray(b * blockSize, Math.min(data.length, (b + 1) * blockSize))));
  const header = uint32Bytes([nBlocks, blockSize, lastSize, ...blocks.map((b) => b.length)]);
  return encodeBase64(header) + encodeBase64(Buffer.concat(blocks));
}
