/**
 * The arrays of VTK legacy files that are not numbers: vtkBitArray (`bit`) and vtkStringArray (`string`, and VTK
 * 9.1's vtkUnicodeStringArray `utf8_string`, laid out alike and read as `string` by later VTK). Monge keeps no such
 * arrays, so they are read past, as the VTP reader reads past String arrays; what is skipped is exactly what
 * vtkDataWriter::WriteArray writes and vtkDataReader::ReadArray reads (VTK 9.1, IO/Legacy), checked against files
 * VTK 9.1 wrote. The cursor starts right after the array's keyword line, as for numeric data.
 */
import { InputError } from '../errors.ts';
import type { TextScanner } from './text-scanner.ts';

/** A non-numeric legacy array type. */
export type NonNumericType = 'bit' | 'string';

/** The non-numeric type a legacy type name stands for (any case), or undefined for any other name. */
export function nonNumericType(typeName: string): NonNumericType | undefined {
  const name = typeName.toLowerCase();
  if (name === 'bit') return 'bit';
  if (name === 'string' || name === 'utf8_string') return 'string';
  return undefined;
}

const LF = 0x0a;

/**
 * Moves past a bit array of `tuples` × `components` values. ASCII: one 0/1 token per value (a line break after
 * every 8th). BINARY: the bits packed 8 to a byte, first value in the most significant bit, the last byte padded
 * with zeros, then a line break. vtkDataReader reads ceil(tuples·components / 8) bytes, but vtkDataWriter writes
 * `(num - 1) / 8 + 1` bytes with num the number of tuples: the same for one component, too few for more (VTK 9.1
 * wrote 1 byte for 3 × 3 bits). The writer's count is taken when its line break follows, the reader's otherwise.
 * No values, no bytes: the reader reads none (the writer crashes on an empty bit array).
 */
export function skipBitArray(s: TextScanner, binary: boolean, tuples: number, components: number, what: string): void {
  const count = tuples * components;
  if (!binary) {
    if (count > s.maxNumbersLeft()) {
      throw new InputError(s.file, 'truncated', `${what}: ${count} values declared but the rest of the file cannot hold that many`);
    }
    for (let k = 0; k < count; k++) s.readNumber(what);
    return;
  }
  if (count === 0) return;
  const written = Math.ceil(tuples / 8);
  const read = Math.ceil(count / 8);
  const byteLength = written !== read && s.bytes[s.pos + written] === LF ? written : read;
  if (byteLength > s.remaining()) {
    throw new InputError(s.file, 'truncated', `${what}: ${count} bit values need ${byteLength} bytes but only ${s.remaining()} are left`);
  }
  s.pos += byteLength;
}

/**
 * Moves past a string array of `count` values. ASCII: one line per value, with spaces, line breaks, '%' and bytes
 * outside '!'…'~' written as %XX (vtkWriter::EncodeWriteString), so an empty string is an empty line. BINARY: each
 * value's UTF-8 bytes after a big-endian length whose first byte's top two bits give its size: 11 → 1 byte
 * (length < 2^6), 10 → 2 bytes (< 2^14), 01 → 4 bytes (< 2^30), the length in the bits left; 00 → 8 bytes holding
 * the whole length. The writer's line break after the values is whitespace the next keyword line skips.
 */
export function skipStringArray(s: TextScanner, binary: boolean, count: number, what: string): void {
  for (let k = 0; k < count; k++) {
    if (!binary) {
      if (s.atEnd) throw new InputError(s.file, 'truncated', `${what}: the file ends after ${k} of ${count} strings`);
      s.skipLine();
      continue;
    }
    const length = binaryStringLength(s, what, k, count);
    if (length > s.remaining()) {
      throw new InputError(s.file, 'truncated', `${what}: string ${k} is ${length} bytes long but only ${s.remaining()} are left`);
    }
    s.pos += length;
  }
}

/** Reads a binary string's length prefix (see skipStringArray), leaving the cursor on the string's first byte. */
function binaryStringLength(s: TextScanner, what: string, k: number, count: number): number {
  if (s.remaining() < 1) throw new InputError(s.file, 'truncated', `${what}: the file ends after ${k} of ${count} strings`);
  const size = [8, 4, 2, 1][s.bytes[s.pos] >> 6];
  if (size > s.remaining()) throw new InputError(s.file, 'truncated', `${what}: the file ends inside the length of string ${k}`);
  const view = new DataView(s.bytes.buffer, s.bytes.byteOffset + s.pos, size);
  s.pos += size;
  if (size === 1) return view.getUint8(0) & 0x3f;
  if (size === 2) return view.getUint16(0, false) & 0x3fff;
  if (size === 4) return view.getUint32(0, false) & 0x3fffffff;
  return view.getUint32(0, false) * 2 ** 32 + view.getUint32(4, false);
}
