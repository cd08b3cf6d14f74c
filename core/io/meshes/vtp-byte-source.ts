/**
 * Byte sources for VTK XML binary data: raw bytes (appended `encoding="raw"`) or base64 text (inline `binary`
 * DataArrays, appended `encoding="base64"`).
 *
 * VTK encodes a compressed array's header and its data as two separate base64 streams, each with its own padding,
 * and other writers encode header and data as one stream (VTK XML formats; vtkXMLWriter, vtkBase64OutputStream).
 * Decoding base64 one 4-character quantum at a time, each quantum giving 1–3 bytes according to its own padding,
 * yields the concatenation of the streams in both cases, so readers just `take` the header bytes, then the data.
 */
import { InputError } from '../errors.ts';

/** Something binary data is read from in order. */
export interface ByteSource {
  /** The next `n` bytes; 'truncated' when fewer are left. */
  take(n: number, what: string): Uint8Array;
  /** An upper bound on the bytes left, for refusing corrupt counts before allocating. */
  maxBytesLeft(): number;
}

/** Raw bytes from `start` to the end of the file. */
export class RawByteSource implements ByteSource {
  constructor(
    private readonly bytes: Uint8Array,
    private pos: number,
    private readonly file: string,
  ) {}

  take(n: number, what: string): Uint8Array {
    if (n > this.bytes.length - this.pos) {
      throw new InputError(this.file, 'truncated', `${what}: ${n} bytes needed but only ${Math.max(0, this.bytes.length - this.pos)} are left`);
    }
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  maxBytesLeft(): number {
    return this.bytes.length - this.pos;
  }
}

/** Base64 alphabet (RFC 4648 §4) → 6-bit value; -1 for other bytes, -2 for '='. */
const DECODE = new Int8Array(256).fill(-1);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('').forEach((ch, i) => {
  DECODE[ch.charCodeAt(0)] = i;
});
DECODE[61] = -2;

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9 || c === 12;
}

/** Base64 text in bytes[start, end), decoded quantum by quantum (whitespace skipped). */
export class Base64ByteSource implements ByteSource {
  /** Bytes of the last quantum not yet taken. */
  private pending = new Uint8Array(3);
  private pendingStart = 0;
  private pendingEnd = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private pos: number,
    private readonly end: number,
    private readonly file: string,
  ) {}

  maxBytesLeft(): number {
    return this.pendingEnd - this.pendingStart + Math.ceil(((this.end - this.pos) * 3) / 4);
  }

  /** Decodes the next quantum into `pending`; false at the end of the text. */
  private nextQuantum(what: string): boolean {
    const b = this.bytes;
    const q = [0, 0, 0, 0];
    let k = 0;
    let pad = 0;
    while (k < 4 && this.pos < this.end) {
      const c = b[this.pos++];
      if (isSpace(c)) continue;
      const v = DECODE[c];
      if (v === -1) throw new InputError(this.file, 'malformed', `${what}: "${String.fromCharCode(c)}" is not base64`);
      if (v === -2) {
        if (k < 2) throw new InputError(this.file, 'malformed', `${what}: misplaced base64 padding`);
        pad++;
        q[k++] = 0;
      } else {
        if (pad > 0) throw new InputError(this.file, 'malformed', `${what}: base64 data after padding inside a quantum`);
        q[k++] = v;
      }
    }
    if (k === 0) return false;
    // 4 data characters make 3 bytes, 3 make 2, 2 make 1 (padded, or a final unpadded quantum).
    const dataChars = k - pad;
    if (dataChars < 2) throw new InputError(this.file, 'truncated', `${what}: the base64 text ends inside a quantum`);
    const produced = dataChars === 4 ? 3 : dataChars - 1;
    const triple = (q[0] << 18) | (q[1] << 12) | (q[2] << 6) | q[3];
    this.pending[0] = (triple >> 16) & 255;
    this.pending[1] = (triple >> 8) & 255;
    this.pending[2] = triple & 255;
    this.pendingStart = 0;
    this.pendingEnd = produced;
    return true;
  }

  take(n: number, what: string): Uint8Array {
    if (n > this.maxBytesLeft()) {
      throw new InputError(this.file, 'truncated', `${what}: ${n} bytes needed but the base64 text holds at most ${this.maxBytesLeft()}`);
    }
    const out = new Uint8Array(n);
    let o = 0;
    while (o < n && this.pendingStart < this.pendingEnd) out[o++] = this.pending[this.pendingStart++];
    const b = this.bytes;
    const end = this.end;
    while (o < n) {
      // Fast path: four alphabet characters in a row make three bytes.
      let p = this.pos;
      while (o + 3 <= n && p + 4 <= end) {
        const a = DECODE[b[p]];
        const c1 = DECODE[b[p + 1]];
        const c2 = DECODE[b[p + 2]];
        const c3 = DECODE[b[p + 3]];
        if ((a | c1 | c2 | c3) < 0) break;
        const triple = (a << 18) | (c1 << 12) | (c2 << 6) | c3;
        out[o++] = (triple >> 16) & 255;
        out[o++] = (triple >> 8) & 255;
        out[o++] = triple & 255;
        p += 4;
      }
      this.pos = p;
      if (o === n) break;
      if (!this.nextQuantum(what)) {
        throw new InputError(this.file, 'truncated', `${what}: the base64 text ends after ${o} of ${n} bytes`);
      }
      while (o < n && this.pendingStart < this.pendingEnd) out[o++] = this.pending[this.pendingStart++];
    }
    return out;
  }
}

/** Standard base64 with padding (RFC 4648 §4). */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64');
}
