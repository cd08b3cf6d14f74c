/**
 * CSV as RFC 4180 defines it (fields separated by commas, records by CRLF or LF, fields that hold a comma, a quote
 * or a line break enclosed in double quotes with inner quotes doubled), read into records that keep the line each
 * starts on (for error messages), and written back with the same quoting. Manifests and summaries use it.
 */

export interface CsvRecord {
  /** 1-based line of the file where the record starts. */
  line: number;
  fields: string[];
}

/** Why a CSV text cannot be read: an unterminated quoted field, or a quote inside an unquoted one. */
export class CsvSyntaxError extends Error {
  override readonly name = 'CsvSyntaxError';
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/** Splits CSV text into records. A UTF-8 byte-order mark is dropped; blank lines are skipped. */
export function parseCsvRecords(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let at = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (at < text.length) {
    const start = line;
    const fields: string[] = [];
    let field = '';
    let quoted = false;
    let wasQuoted = false;
    let endOfRecord = false;
    while (at < text.length && !endOfRecord) {
      const c = text[at];
      if (quoted) {
        if (c === '"') {
          if (text[at + 1] === '"') {
            field += '"';
            at += 2;
            continue;
          }
          quoted = false;
          at++;
          continue;
        }
        if (c === '\n') line++;
        field += c;
        at++;
        continue;
      }
      if (c === '"') {
        if (field.trim() !== '' || wasQuoted) throw new CsvSyntaxError(line, 'a double quote inside an unquoted field (quote the whole field and double the inner quotes)');
        field = '';
        quoted = true;
        wasQuoted = true;
        at++;
      } else if (c === ',') {
        fields.push(wasQuoted ? field : field.trim());
        field = '';
        wasQuoted = false;
        at++;
      } else if (c === '\n' || c === '\r') {
        at += c === '\r' && text[at + 1] === '\n' ? 2 : 1;
        line++;
        endOfRecord = true;
      } else {
        if (wasQuoted && c.trim() !== '') throw new CsvSyntaxError(line, 'text after the closing quote of a field');
        field += c;
        at++;
      }
    }
    if (quoted) throw new CsvSyntaxError(start, 'a quoted field is not closed');
    fields.push(wasQuoted ? field : field.trim());
    if (fields.length === 1 && fields[0] === '' && !wasQuoted) continue;
    records.push({ line: start, fields });
  }
  return records;
}

/** One field, quoted when it holds a comma, a quote, a line break or surrounding spaces. */
export function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Header and rows as CSV text (LF line ends, a final newline). */
export function formatCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\n') + '\n';
}
