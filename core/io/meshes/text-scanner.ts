/**
 * A byte-level scanner for the text mesh formats: PLY ascii, STL ascii, OBJ, OFF, and the text parts of VTK files
 * (legacy keyword lines and ASCII bodies, VTK XML `ascii` DataArrays).
 *
 * Why not `TextDecoder` + `split()`: a million-vertex text mesh is tens of megabytes; splitting it into lines and
 * tokens allocates millions of short strings (`split(/\s+/)` on a 1M-triangle body costs seconds and gigabytes).
 * This scanner walks the bytes once and parses numbers in place.
 *
 * Number parsing is exact: decimal literals of at most 15 digits with a decimal exponent of at most 22 are
 * converted with one correctly rounded multiplication or division (Clinger's fast path, "How to read floating
 * point numbers accurately", PLDI 1990: both the integer mantissa and the power of ten are exact doubles);
 * anything longer falls back to `Number()` on the token, which is correctly rounded. So the shortest round-trip
 * text `String(x)` writes for a double always reads back as the same double.
 */
import { InputError, type InputProblem } from '../errors.ts';

const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const LF = 0x0a;
const VT = 0x0b;
const FF = 0x0c;
const PLUS = 0x2b;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** Exact powers of ten 10^0 … 10^22 (all exactly representable as doubles). */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/** The undocumented but long-standing `Buffer.prototype.latin1Slice` (what `buf.toString('latin1')` calls). */
interface Latin1Slicer {
  latin1Slice(start: number, end: number): string;
}

/** A Buffer over `bytes` (no copy) under Node, undefined elsewhere (the renderer) or if the method is missing. */
function latin1Slicer(bytes: Uint8Array): Latin1Slicer | undefined {
  const B = (globalThis as { Buffer?: typeof Buffer }).Buffer;
  if (!B) return undefined;
  const buffer = B.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as Partial<Latin1Slicer>;
  return typeof buffer.latin1Slice === 'function' ? (buffer as Latin1Slicer) : undefined;
}

/** True for the bytes that separate tokens within a line (space, tab, CR, VT, FF). */
export function isInlineSpace(b: number): boolean {
  return b === SPACE || b === TAB || b === CR || b === VT || b === FF;
}

/** True for any ASCII whitespace, newline included. */
export function isWhitespace(b: number): boolean {
  return b === LF || isInlineSpace(b);
}

const utf8 = new TextDecoder('utf-8');

/**
 * A cursor over ASCII bytes with in-place number parsing. Errors are InputErrors naming the file, and the line for
 * `number` and `error` (the VTK readers' `readNumber` names the block being read instead).
 */
export class TextScanner {
  /** Current byte offset. */
  pos: number;
  /** True when the last number read was written as an integer literal (no '.', no exponent, not nan/inf). */
  lastWasIntegerLiteral = false;
  /** Node's Buffer view of the same bytes (fast Latin-1 slices), when running under Node. */
  private readonly buffer: Latin1Slicer | undefined;

  constructor(
    readonly bytes: Uint8Array,
    readonly file: string,
    start = 0,
    readonly end = bytes.length,
  ) {
    this.pos = start;
    this.buffer = latin1Slicer(bytes);
  }

  /** True when every byte has been consumed. */
  get atEnd(): boolean {
    return this.pos >= this.end;
  }

  /** Bytes left before `end`. */
  remaining(): number {
    return this.end - this.pos;
  }

  /**
   * The most whitespace-separated numbers the remaining text can hold (each needs a character and a separator),
   * so a corrupt count is refused before it is allocated.
   */
  maxNumbersLeft(): number {
    return Math.ceil(this.remaining() / 2);
  }

  /** The byte at the cursor, or -1 at the end. */
  peek(): number {
    return this.pos < this.end ? this.bytes[this.pos] : -1;
  }

  /** Skips spaces and tabs but not newlines. */
  skipInlineSpace(): void {
    const b = this.bytes;
    let p = this.pos;
    while (p < this.end && isInlineSpace(b[p])) p++;
    this.pos = p;
  }

  /** Skips all whitespace, newlines included. */
  skipWhitespace(): void {
    const b = this.bytes;
    let p = this.pos;
    while (p < this.end && isWhitespace(b[p])) p++;
    this.pos = p;
  }

  /** Skips whitespace and comment lines that start with `commentByte` (e.g. '#'), calling `onComment` with each. */
  skipWhitespaceAndComments(commentByte: number, onComment?: (text: string) => void): void {
    for (;;) {
      this.skipWhitespace();
      if (this.peek() !== commentByte) return;
      const text = this.restOfLine();
      onComment?.(text);
    }
  }

  /** True when only inline space separates the cursor from a newline or the end (the cursor is moved past it). */
  atLineEnd(): boolean {
    this.skipInlineSpace();
    return this.pos >= this.end || this.bytes[this.pos] === LF;
  }

  /** Moves past the next newline (or to the end). */
  skipLine(): void {
    const b = this.bytes;
    let p = this.pos;
    while (p < this.end && b[p] !== LF) p++;
    this.pos = p < this.end ? p + 1 : p;
  }

  /** Moves past the next newline (or to the end) and returns where the line's text stops (before a trailing CR). */
  private lineStop(): number {
    const start = this.pos;
    this.skipLine();
    let stop = this.pos;
    if (stop > start && this.bytes[stop - 1] === LF) stop--;
    if (stop > start && this.bytes[stop - 1] === CR) stop--;
    return stop;
  }

  /** Returns the rest of the current line (without the newline or a trailing CR) and moves past the newline. */
  restOfLine(): string {
    const start = this.pos;
    return latin1(this.bytes, start, this.lineStop());
  }

  /**
   * The rest of the current line decoded as UTF-8 (VTK titles and keyword lines), even when empty; undefined at
   * the end. Like `restOfLine`, the cursor moves to the first byte of the next line.
   */
  rawLine(): string | undefined {
    if (this.pos >= this.end) return undefined;
    const start = this.pos;
    return utf8.decode(this.bytes.subarray(start, this.lineStop()));
  }

  /** The next line holding something other than whitespace, trimmed (UTF-8); undefined at the end. */
  nextLine(): string | undefined {
    this.skipWhitespace();
    const line = this.rawLine();
    return line === undefined ? undefined : line.trim();
  }

  /** The next whitespace-delimited token (skipping newlines first); '' at the end. */
  token(): string {
    this.skipWhitespace();
    return this.tokenHere();
  }

  /** The token at the cursor without skipping newlines first ('' when at a newline or the end). */
  inlineToken(): string {
    this.skipInlineSpace();
    return this.tokenHere();
  }

  private tokenHere(): string {
    const b = this.bytes;
    const start = this.pos;
    let p = start;
    while (p < this.end && !isWhitespace(b[p])) p++;
    this.pos = p;
    return latin1(b, start, p);
  }

  /**
   * Reads the next number, skipping whitespace (newlines too when `crossLines`). At the end of the text (or of the
   * line) throws `endProblem`; a token that is not a number throws 'malformed'.
   */
  number(crossLines = true, endProblem: InputProblem = 'truncated'): number {
    if (crossLines) this.skipWhitespace();
    else this.skipInlineSpace();
    if (this.pos >= this.end || this.bytes[this.pos] === LF) {
      throw this.error(endProblem, crossLines ? 'the file ends where a number was expected' : 'the line ends where a number was expected');
    }
    const value = this.numberHere();
    if (value === undefined) throw this.error('malformed', `expected a number, found "${this.peekToken()}"`);
    return value;
  }

  /**
   * Parses a number starting exactly at the cursor and ending at whitespace, the end, or one of `stopBytes`
   * (e.g. '/' in OBJ faces, '#' for trailing comments). Returns undefined (cursor unmoved) when the token is not
   * a number. Accepts `nan`, `inf`, `infinity` in any case with an optional sign, so that callers can report
   * them as non-finite rather than malformed.
   */
  numberHere(stopBytes?: readonly number[]): number | undefined {
    const b = this.bytes;
    const end = this.end;
    const start = this.pos;
    let p = start;
    let negative = false;
    let c = p < end ? b[p] : -1;
    if (c === MINUS) {
      negative = true;
      p++;
    } else if (c === PLUS) {
      p++;
    }
    // The mantissa is exact while it has at most 15 digits (leading zeros included), the only case used below.
    let mantissa = 0;
    let digits = 0;
    let exponent10 = 0;
    let integerLiteral = true;
    while (p < end && (c = b[p]) >= ZERO && c <= NINE) {
      mantissa = mantissa * 10 + (c - ZERO);
      digits++;
      p++;
    }
    if (p < end && b[p] === DOT) {
      integerLiteral = false;
      p++;
      while (p < end && (c = b[p]) >= ZERO && c <= NINE) {
        mantissa = mantissa * 10 + (c - ZERO);
        digits++;
        exponent10--;
        p++;
      }
    }
    if (digits === 0) return this.specialHere(start, negative, stopBytes);
    if (p < end && (b[p] | 0x20) === 0x65 /* e or E */) {
      integerLiteral = false;
      p++;
      let expNegative = false;
      if (p < end && (b[p] === MINUS || b[p] === PLUS)) expNegative = b[p++] === MINUS;
      let e = 0;
      let expDigits = 0;
      while (p < end && (c = b[p]) >= ZERO && c <= NINE) {
        if (e < 100000) e = e * 10 + (c - ZERO);
        expDigits++;
        p++;
      }
      if (expDigits === 0) return undefined;
      exponent10 += expNegative ? -e : e;
    }
    if (p < end && !isWhitespace(b[p]) && !(stopBytes && stopBytes.includes(b[p]))) return undefined;
    let value: number;
    if (digits <= 15 && exponent10 >= -22 && exponent10 <= 22) {
      value = exponent10 < 0 ? mantissa / POW10[-exponent10] : mantissa * POW10[exponent10];
    } else {
      value = Number(this.slice(negative || b[start] === PLUS ? start + 1 : start, p));
    }
    this.pos = p;
    this.lastWasIntegerLiteral = integerLiteral;
    return negative ? -value : value;
  }

  /** nan / inf / infinity (any case), after an optional sign already consumed by the caller. */
  private specialHere(start: number, negative: boolean, stopBytes?: readonly number[]): number | undefined {
    const b = this.bytes;
    let p = start;
    if (p < this.end && (b[p] === MINUS || b[p] === PLUS)) p++;
    let q = p;
    while (q < this.end && !isWhitespace(b[q]) && !(stopBytes && stopBytes.includes(b[q]))) q++;
    const word = latin1(b, p, q).toLowerCase();
    let value: number;
    if (word === 'nan') value = NaN;
    else if (word === 'inf' || word === 'infinity') value = negative ? -Infinity : Infinity;
    else return undefined;
    this.pos = q;
    this.lastWasIntegerLiteral = false;
    return value;
  }

  /**
   * Reads one whitespace-separated number for the VTK readers, `what` naming the block in errors: 'truncated' at
   * the end, 'malformed' for a token that is not a number or is longer than 64 characters. Besides what
   * `numberHere` reads it accepts whatever `Number()` does (hexadecimal, …) and C libraries' `nan(…)`.
   */
  readNumber(what: string): number {
    this.skipWhitespace();
    if (this.pos >= this.end) throw new InputError(this.file, 'truncated', `the file ends inside ${what}`);
    const start = this.pos;
    const value = this.numberHere();
    if (value !== undefined && this.pos - start <= 64) return value;
    // Slow path: the whole token through Number(), with the spellings of NaN and infinity C libraries print.
    const b = this.bytes;
    let p = start;
    while (p < this.end && !isWhitespace(b[p])) p++;
    this.pos = p;
    if (p - start > 64) throw new InputError(this.file, 'malformed', `a ${p - start}-character token in ${what}, expected a number`);
    const token = this.slice(start, p);
    const v = Number(token);
    if (!Number.isNaN(v) && token.trim() !== '') return v;
    if (/^[+-]?nan(\(.*\))?$/i.test(token)) return NaN;
    if (/^\+?inf(inity)?$/i.test(token)) return Infinity;
    if (/^-inf(inity)?$/i.test(token)) return -Infinity;
    throw new InputError(this.file, 'malformed', `"${token}" in ${what} is not a number`);
  }

  /** Reads `count` numbers (`readNumber`) into `out` starting at `out[offset]`. */
  readNumbersInto(out: { [i: number]: number }, count: number, what: string, offset = 0): void {
    for (let k = 0; k < count; k++) out[offset + k] = this.readNumber(what);
  }

  /** Reads every number (`readNumber`) up to `end`. */
  readAllNumbers(what: string): Float64Array {
    let out = new Float64Array(Math.min(1024, this.maxNumbersLeft() + 1));
    let n = 0;
    for (this.skipWhitespace(); !this.atEnd; this.skipWhitespace()) {
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
   * If the next token (after whitespace, newlines included) is `word` (ASCII, compared without case), consumes it
   * and returns true; otherwise leaves the cursor after the whitespace and returns false.
   * Byte comparison, no string: the ASCII STL reader checks a keyword per line.
   */
  matchWord(word: string): boolean {
    this.skipWhitespace();
    const b = this.bytes;
    const p = this.pos;
    const n = word.length;
    if (p + n > this.end) return false;
    for (let i = 0; i < n; i++) if ((b[p + i] | 0x20) !== (word.charCodeAt(i) | 0x20)) return false;
    if (p + n < this.end && !isWhitespace(b[p + n])) return false;
    this.pos = p + n;
    return true;
  }

  /**
   * True when the next token (after whitespace) is `word`, as `matchWord` compares; the cursor does not move,
   * not even past the whitespace (binary VTK data may follow a keyword line and start with a space byte).
   */
  peekWord(word: string): boolean {
    const start = this.pos;
    const found = this.matchWord(word);
    this.pos = start;
    return found;
  }

  /** A short token's text (for `Number()`): Node's Buffer latin1 slice where present, else char by char. */
  private slice(start: number, end: number): string {
    if (this.buffer) return this.buffer.latin1Slice(start, end);
    let s = '';
    for (let p = start; p < end; p++) s += String.fromCharCode(this.bytes[p]);
    return s;
  }

  /** The token at the cursor, for error messages (cursor unmoved). */
  peekToken(): string {
    let p = this.pos;
    while (p < this.end && !isWhitespace(this.bytes[p]) && p - this.pos < 40) p++;
    return latin1(this.bytes, this.pos, p);
  }

  /** 1-based line number of a byte offset (computed only when reporting an error). */
  lineAt(offset = this.pos): number {
    let line = 1;
    const stop = Math.min(offset, this.end);
    for (let p = 0; p < stop; p++) if (this.bytes[p] === LF) line++;
    return line;
  }

  /** An InputError naming the file and the current line. */
  error(problem: InputProblem, detail: string): InputError {
    return new InputError(this.file, problem, `line ${this.lineAt()}: ${detail}`);
  }
}

/** Decodes bytes [start, end) as Latin-1 (ASCII formats: one byte per character). */
export function latin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let s = '';
  for (let p = start; p < end; p += 8192) {
    s += String.fromCharCode(...bytes.subarray(p, Math.min(end, p + 8192)));
  }
  return s;
}
