/**
 * A byte-level scanner for the text parts of VTK files (legacy ASCII bodies, keyword lines, VTK XML `ascii`
 * DataArrays). Numbers are scanned straight from the bytes instead of splitting a huge body into string tokens:
 * a 1M-triangle ASCII file is tens of megabytes, and `split(/\s+/)` on it costs seconds and gigabytes.
 *
 * Decimal conversion uses Clinger's fast path (W. D. Clinger, "How to read floating point numbers accurately",
 * PLDI 1990): when the significand has at most 15 digits and the power of ten is at most 22 in magnitude, both are
 * exact doubles and one IEEE multiplication or division gives the correctly rounded result. Anything else (17-digit
 * doubles, huge exponents, `nan`, `inf`) goes through `Number()` on the token, which is also correctly rounded.
 */
import { InputError } from '../errors.ts';

/** Exact powers of ten 10^0 … 10^22 (all exactly representable as doubles). */
const POW10: readonly number[] = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

/** True for the ASCII whitespace bytes VTK writers separate tokens with. */
export function isSpaceByte(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9 || c === 12 || c === 11;
}

const utf8 = new TextDecoder('utf-8');

/** Scans text tokens and numbers from `bytes[start, end)`, remembering a position. */
export class TextScanner {
  pos: number;
  /** The same bytes as a Buffer, for its fast latin1 slicing of long tokens. */
  private readonly buf: Buffer;

  constructor(
    readonly bytes: Uint8Array,
    readonly file: string,
    start = 0,
    readonly end = bytes.length,
  ) {
    this.pos = start;
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  }

  /** Bytes left before `end`. */
  remaining(): number {
    return this.end - this.pos;
  }

  /** Moves past whitespace (spaces, tabs, line breaks). */
  skipWhitespace(): void {
    const b = this.bytes;
    let i = this.pos;
    while (i < this.end && isSpaceByte(b[i])) i++;
    this.pos = i;
  }

  /** True when only whitespace is left. */
  atEnd(): boolean {
    this.skipWhitespace();
    return this.pos >= this.end;
  }

  /**
   * The next line exactly as written (without its line break, a trailing CR removed), even when empty; undefined
   * at the end. The position moves past the line break, i.e. to the first byte of the next line.
   */
  rawLine(): string | undefined {
    if (this.pos >= this.end) return undefined;
    const b = this.bytes;
    let i = this.pos;
    while (i < this.end && b[i] !== 10) i++;
    let stop = i;
    if (stop > this.pos && b[stop - 1] === 13) stop--;
    const text = utf8.decode(b.subarray(this.pos, stop));
    this.pos = i < this.end ? i + 1 : i;
    return text;
  }

  /** The next line holding something other than whitespace, trimmed; undefined at the end. */
  nextLine(): string | undefined {
    this.skipWhitespace();
    const line = this.rawLine();
    return line === undefined ? undefined : line.trim();
  }

  /** True when the text at the position (after whitespace) starts with `word` (ASCII, case-insensitive). */
  peekWord(word: string): boolean {
    const b = this.bytes;
    let i = this.pos;
    while (i < this.end && isSpaceByte(b[i])) i++;
    if (i + word.length > this.end) return false;
    for (let k = 0; k < word.length; k++) {
      if ((b[i + k] | 0x20) !== (word.charCodeAt(k) | 0x20)) return false;
    }
    return i + word.length === this.end || isSpaceByte(b[i + word.length]);
  }

  /** Moves past the rest of the current line, its line break included. */
  skipRestOfLine(): void {
    const b = this.bytes;
    let i = this.pos;
    while (i < this.end && b[i] !== 10) i++;
    this.pos = i < this.end ? i + 1 : i;
  }

  /** Reads one whitespace-separated number. Throws 'truncated' at the end and 'malformed' for a non-number. */
  readNumber(what: string): number {
    const b = this.bytes;
    const end = this.end;
    let i = this.pos;
    while (i < end && isSpaceByte(b[i])) i++;
    if (i >= end) throw new InputError(this.file, 'truncated', `the file ends inside ${what}`);
    const start = i;
    let negative = false;
    let c = b[i];
    if (c === 45) {
      negative = true;
      i++;
    } else if (c === 43) {
      i++;
    }
    let mantissa = 0;
    let digits = 0;
    let exp10 = 0;
    while (i < end && (c = b[i]) >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      i++;
    }
    if (i < end && b[i] === 46) {
      i++;
      while (i < end && (c = b[i]) >= 48 && c <= 57) {
        mantissa = mantissa * 10 + (c - 48);
        digits++;
        exp10--;
        i++;
      }
    }
    let fast = digits > 0 && digits <= 15;
    if (digits > 0 && i < end && (b[i] | 0x20) === 101) {
      i++;
      let expNegative = false;
      if (i < end && (b[i] === 45 || b[i] === 43)) expNegative = b[i++] === 45;
      let e = 0;
      let expDigits = 0;
      while (i < end && (c = b[i]) >= 48 && c <= 57) {
        if (e < 100000) e = e * 10 + (c - 48);
        expDigits++;
        i++;
      }
      if (expDigits === 0) fast = false;
      exp10 += expNegative ? -e : e;
    }
    if (i < end && !isSpaceByte(b[i])) fast = false;
    if (fast && exp10 >= -22 && exp10 <= 22) {
      this.pos = i;
      const v = exp10 < 0 ? mantissa / POW10[-exp10] : mantissa * POW10[exp10];
      return negative ? -v : v;
    }
    // Slow path: the whole token through Number(), with the spellings of NaN and infinity C libraries print.
    while (i < end && !isSpaceByte(b[i])) i++;
    this.pos = i;
    if (i - start > 64) throw new InputError(this.file, 'malformed', `a ${i - start}-character token in ${what}, expected a number`);
    const token = this.buf.toString('latin1', start, i);
    const v = Number(token);
    if (!Number.isNaN(v) && token.trim() !== '') return v;
    if (/^[+-]?nan(\(.*\))?$/i.test(token)) return NaN;
    if (/^\+?inf(inity)?$/i.test(token)) return Infinity;
    if (/^-inf(inity)?$/i.test(token)) return -Infinity;
    throw new InputError(this.file, 'malformed', `"${token}" in ${what} is not a number`);
  }

  /** Reads `count` numbers into `out` starting at `out[offset]`. */
  readNumbersInto(out: { [i: number]: number }, count: number, what: string, offset = 0): void {
    for (let k = 0; k < count; k++) out[offset + k] = this.readNumber(what);
  }

  /** Reads every number up to `end`. */
  readAllNumbers(what: string): Float64Array {
    let out = new Float64Array(Math.min(1024, Math.ceil(this.remaining() / 2) + 1));
    let n = 0;
    while (!this.atEnd()) {
      if (n === out.length) {
        const bigger = new Float64Array(out.length * 2);
        bigger.set(out);
        out = bigger;
      }
      out[n++] = this.readNumber(what);
    }
    return out.slice(0, n);
  }

  /**
   * The most whitespace-separated numbers the remaining text can hold (each needs a character and a separator),
   * so a corrupt count is refused before it is allocated.
   */
  maxNumbersLeft(): number {
    return Math.ceil(this.remaining() / 2);
  }
}
