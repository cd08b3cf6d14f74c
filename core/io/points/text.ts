/**
 * Text helpers shared by the point-set readers: decoding, line splitting with 1-based line numbers (so every
 * error can name its line), RFC 4180 field splitting, strict number parsing and shortest round-trip printing.
 */
import { check, InputError } from '../errors.ts';
import { textEncodingOf } from '../text-encoding.ts';

/** One non-blank line of a text file. */
export interface TextLine {
  /** 1-based line number in the file. */
  line: number;
  /** The line without its line ending. */
  text: string;
}

/**
 * Decodes UTF-8 (dropping a byte-order mark), or UTF-16 that starts with its byte-order mark (Windows PowerShell's
 * default; core/io/text-encoding.ts), and refuses binary data: a NUL byte never occurs in a UTF-8 landmark file, but
 * does in every image or binary mesh given the wrong extension.
 */
export function decodeText(bytes: Uint8Array, file: string): string {
  check(bytes.length > 0, file, 'empty', 'the file is empty');
  const encoding = textEncodingOf(bytes);
  if (encoding === 'utf-8') check(!bytes.includes(0), file, 'malformed', 'holds binary data (a NUL byte), expected a text file');
  return new TextDecoder(encoding).decode(bytes);
}

/** The non-blank lines of `text`, with their 1-based numbers (\n, \r\n and \r endings). */
export function nonBlankLines(text: string): TextLine[] {
  const out: TextLine[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) if (lines[i].trim() !== '') out.push({ line: i + 1, text: lines[i] });
  return out;
}

/**
 * Splits one CSV record into fields (RFC 4180: fields may be double-quoted, a quote inside a quoted field is
 * doubled). Fields are trimmed of surrounding white space outside quotes. Throws on an unclosed quote.
 */
export function splitCsvFields(line: TextLine, file: string): string[] {
  const s = line.text;
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
    let field = '';
    if (s[i] === '"') {
      i++;
      for (;;) {
        if (i >= s.length) throw new InputError(file, 'malformed', `line ${line.line}: unclosed quote`);
        if (s[i] === '"') {
          if (s[i + 1] === '"') {
            field += '"';
            i += 2;
          } else {
            i++;
            break;
          }
        } else field += s[i++];
      }
      while (i < s.length && s[i] !== ',') {
        check(s[i] === ' ' || s[i] === '\t', file, 'malformed', `line ${line.line}: text after a closing quote`);
        i++;
      }
    } else {
      const end = s.indexOf(',', i);
      field = (end < 0 ? s.slice(i) : s.slice(i, end)).trim();
      i = end < 0 ? s.length : end;
    }
    fields.push(field);
    if (i >= s.length) return fields;
    i++; // the comma
  }
}

/** Quotes a CSV field when it holds a comma, a quote, a line break or edge white space. */
export function quoteCsvField(text: string): string {
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A decimal number as written by C's printf / every CSV writer (no hex, no empty string, no `Infinity`). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NON_FINITE = /^[+-]?(nan|inf|infinity)$/i;

/**
 * Parses a finite decimal number; `where` (e.g. "line 12, column y") goes into the error message.
 * Stricter than Number(): '' and '0x10' are refused, NaN / Inf get their own problem code.
 */
export function parseFiniteNumber(cell: string, file: string, where: string): number {
  const t = cell.trim();
  if (NON_FINITE.test(t)) throw new InputError(file, 'non-finite', `${where}: non-finite value '${t}'`);
  check(t !== '', file, 'malformed', `${where}: empty cell where a number was expected`);
  check(DECIMAL.test(t), file, 'malformed', `${where}: '${t.length > 40 ? `${t.slice(0, 40)}…` : t}' is not a number`);
  const v = Number(t);
  check(Number.isFinite(v), file, 'non-finite', `${where}: '${t}' overflows a double`);
  return v;
}

/** True when `cell` parses as a finite decimal number. */
export function isDecimal(cell: string): boolean {
  return DECIMAL.test(cell.trim());
}

/** Shortest text that reads back to exactly `v` (ECMAScript Number → String; −0 prints as 0). */
export function formatNumber(v: number): string {
  return String(v);
}
