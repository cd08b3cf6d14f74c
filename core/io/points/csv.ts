/**
 * Plain CSV point sets: a header row naming the columns, then one point per row.
 *
 * Reading
 * - Coordinates: columns `x, y, z` (any case; `x_mm` etc. accepted; a trailing unit such as `x (mm)` is ignored),
 *   or, with the `prefix` option, `<prefix>_x, <prefix>_y, <prefix>_z` (with or without `_mm`), so one file
 *   can hold several point sets side by side (the shared DIR-Lab `copdN_300_landmarks_mm.csv` has
 *   `insp_x_mm … exp_z_mm`).
 * - Labels: a `label`, `name` or `id` column (that order of preference; `<prefix>_label` first).
 * - Every other column whose first value is numeric becomes a per-point array: a group `<p>_x, <p>_y, <p>_z`
 *   is one 3-component spatial vector named `<p>` (a matched point, a displacement — it changes sign with the
 *   points on RAS↔LPS conversion); any other column is a 1-component array named after it. Columns whose first
 *   value is text are ignored.
 * - Frame: a leading comment line `# SPACE=RAS` or `# coordinateSystem=LPS` (any case, `=` or `:`) declares it;
 *   otherwise the caller's frame applies (the CLI's `--landmarks-frame`), else LPS.
 * - A parenthesised note after the last header name (`…,exp_z_mm  (mm = voxel_index * spacing)`, as in the
 *   shared DIR-Lab CSVs) is ignored.
 *
 * Writing: a plain header `x,y,z[,label][,arrays…]` (spatial vectors as `<p>_x,<p>_y,<p>_z`, other multi-
 * component arrays as `<name>_0, <name>_1, …`), and a `# SPACE=` first line only for a frame other than LPS (the
 * default a plain CSV is read in; many CSV readers choke on a comment line, so LPS files stay plain),
 * numbers in shortest round-trip form.
 */
import type { PointArray } from '../../arrays/index.ts';
import type { Frame } from '../../frames/index.ts';
import { parseFrame } from '../../frames/index.ts';
import { check, InputError } from '../errors.ts';
import {
  decodeText,
  formatNumber,
  isDecimal,
  nonBlankLines,
  parseFiniteNumber,
  quoteCsvField,
  splitCsvFields,
  type TextLine,
} from './text.ts';
import type { PointCodec, PointParseOptions, PointSetData, PointWriteOptions } from './types.ts';

const FRAME_COMMENT = /^#\s*(space|coordinate[\s_]*system)\s*[=:]\s*(.*?)\s*$/i;
const NON_FINITE_TOKEN = /^[+-]?(nan|inf|infinity)$/i;
const AXES = ['x', 'y', 'z'] as const;

/** The frame a `# SPACE=…` value names (RAS, LPS, or their long NRRD-style spellings). */
function frameFromComment(value: string, file: string, line: number): Frame {
  const v = value.toLowerCase();
  const frame = parseFrame(v) ?? (v === 'right-anterior-superior' ? 'RAS' : v === 'left-posterior-superior' ? 'LPS' : undefined);
  if (!frame) throw new InputError(file, 'unsupported', `line ${line}: unknown coordinate system '${value}' (expected RAS or LPS)`);
  return frame;
}

/**
 * Drops a parenthesised note that ends the header line, e.g. `a,b,c  (mm = index * spacing; same frame)`:
 * the final `)` is matched back to its `(` (nesting counted), which must follow white space.
 */
export function stripTrailingNote(text: string): string {
  const t = text.trimEnd();
  if (!t.endsWith(')')) return text;
  let depth = 0;
  for (let i = t.length - 1; i >= 0; i--) {
    if (t[i] === ')') depth++;
    else if (t[i] === '(' && --depth === 0) return i > 0 && /\s/.test(t[i - 1]) ? t.slice(0, i).trimEnd() : text;
  }
  return text;
}

/** A header cell without a trailing unit (`x (mm)`, `x [mm]`), trimmed. */
function stripUnit(cell: string): string {
  return cell.trim().replace(/\s*(\([^()]*\)|\[[^[\]]*\])$/, '');
}

/** Lower case, runs of white space or hyphens → `_`: the form column names are matched in. */
function normalise(name: string): string {
  return name.toLowerCase().replace(/[\s-]+/g, '_');
}

/** Index of the column named `<base><axis>` or `<base><axis>_mm`, or −1. */
function axisColumn(names: readonly string[], base: string, axis: string): number {
  return names.findIndex((n) => n === `${base}${axis}` || n === `${base}${axis}_mm`);
}

/** The `<p>` of every complete `<p>_x, <p>_y, <p>_z` group in the header (the point sets a file offers). */
function prefixGroups(names: readonly string[]): string[] {
  const out: string[] = [];
  for (const n of names) {
    const m = /^(.+)_x(_mm)?$/.exec(n);
    if (m && AXES.every((a) => axisColumn(names, `${m[1]}_`, a) >= 0) && !out.includes(m[1])) out.push(m[1]);
  }
  return out;
}

/** Where a CSV keeps its point set: its lines, the header, the coordinate columns and the declared frame. */
export interface CsvLayout {
  /** The file's non-blank lines. */
  lines: TextLine[];
  /** Index into `lines` of the header row (the comment lines come before it). */
  headerAt: number;
  /** Index into `lines` of the `# SPACE=` comment, or −1. */
  frameCommentAt: number;
  declaredFrame?: Frame;
  /** Header names as written (units stripped) and in matching form (lower case, `_` for spaces). */
  rawNames: string[];
  names: string[];
  /** The x, y, z columns (of the prefix's point set when one is chosen). */
  xyz: number[];
  /** `<prefix>_` or ''. */
  base: string;
  /** The x, y, z columns of the header's other complete point sets (`<p>_x …`, or plain x, y, z). */
  otherSets: number[][];
}

/** Reads a CSV's comments and header and finds its coordinate columns; throws InputError naming the file. */
export function csvLayout(bytes: Uint8Array, file: string, prefixOption: string | undefined): CsvLayout {
  const lines = nonBlankLines(decodeText(bytes, file));
  check(lines.length > 0, file, 'empty', 'holds only blank lines');

  let k = 0;
  let declaredFrame: Frame | undefined;
  let frameCommentAt = -1;
  for (; k < lines.length && lines[k].text.trimStart().startsWith('#'); k++) {
    const m = FRAME_COMMENT.exec(lines[k].text.trim());
    if (m && !declaredFrame) {
      declaredFrame = frameFromComment(m[2], file, lines[k].line);
      frameCommentAt = k;
    }
  }
  check(k < lines.length, file, 'empty', 'holds only comment lines, no header and no points');

  const headerLine = lines[k];
  const rawNames = splitCsvFields({ line: headerLine.line, text: stripTrailingNote(headerLine.text) }, file).map(stripUnit);
  const names = rawNames.map(normalise);
  for (let c = 0; c < names.length; c++) {
    check(
      names[c] === '' || names.indexOf(names[c]) === c,
      file,
      'malformed',
      `line ${headerLine.line}: column '${rawNames[c]}' appears twice in the header`,
    );
  }

  const prefix = prefixOption?.trim().replace(/_+$/, '');
  const base = prefix ? `${normalise(prefix)}_` : '';
  const xyz = AXES.map((a) => axisColumn(names, base, a));
  if (xyz.some((c) => c < 0)) {
    const groups = prefixGroups(names);
    if (!prefix && groups.length > 0) {
      throw new InputError(
        file,
        'malformed',
        `line ${headerLine.line}: no x, y, z columns; the file holds the point sets ${groups.map((g) => `'${g}'`).join(', ')}: ` +
          `choose one with the command's prefix option (e.g. --prefix ${groups[0]}; register: --moving-landmarks-prefix / --fixed-landmarks-prefix / --apply-prefix; landmarks-error: --prefix-a / --prefix-b)`,
      );
    }
    const wanted = prefix ? `${prefix}_x, ${prefix}_y, ${prefix}_z` : 'x, y, z';
    throw new InputError(
      file,
      'malformed',
      `line ${headerLine.line}: no ${wanted} columns (with or without _mm) in the header '${headerLine.text.trim().slice(0, 200)}'` +
        (prefix && groups.length > 0 ? `; point sets present: ${groups.join(', ')}` : ''),
    );
  }
  const otherSets = ['', ...prefixGroups(names).map((g) => `${g}_`)]
    .map((b) => AXES.map((a) => axisColumn(names, b, a)))
    .filter((columns) => columns.every((c) => c >= 0) && !columns.some((c) => xyz.includes(c)));
  return { lines, headerAt: k, frameCommentAt, declaredFrame, rawNames, names, xyz, base, otherSets };
}

function parseCsv(bytes: Uint8Array, file: string, options: PointParseOptions): PointSetData {
  const { lines, headerAt: k, declaredFrame, rawNames, names, xyz, base } = csvLayout(bytes, file, options.prefix);
  const headerLine = lines[k];

  const labelCandidates = [...(base ? [`${base}label`, `${base}name`, `${base}id`] : []), 'label', 'name', 'id'];
  const labelColumn = labelCandidates.map((n) => names.indexOf(n)).find((c) => c >= 0) ?? -1;

  const rows: { line: number; fields: string[] }[] = [];
  for (const line of lines.slice(k + 1)) {
    if (line.text.trimStart().startsWith('#')) continue;
    const fields = splitCsvFields(line, file);
    check(
      fields.length === names.length,
      file,
      'malformed',
      `line ${line.line}: ${fields.length} values where the header has ${names.length} columns`,
    );
    rows.push({ line: line.line, fields });
  }
  check(rows.length > 0, file, 'empty', `has a header (line ${headerLine.line}) but no points`);

  const n = rows.length;
  const points = new Float64Array(3 * n);
  for (let r = 0; r < n; r++) {
    for (let a = 0; a < 3; a++) {
      points[3 * r + a] = parseFiniteNumber(rows[r].fields[xyz[a]], file, `line ${rows[r].line}, column ${rawNames[xyz[a]]}`);
    }
  }
  const labels = labelColumn >= 0 ? rows.map((row) => row.fields[labelColumn]) : undefined;

  // Extra numeric columns: those whose first value is a number (or NaN/Inf, so that it is reported).
  const used = new Set([...xyz, labelColumn]);
  const numeric: number[] = [];
  for (let c = 0; c < names.length; c++) {
    const first = rows[0].fields[c];
    if (!used.has(c) && names[c] !== '' && (isDecimal(first) || NON_FINITE_TOKEN.test(first.trim()))) numeric.push(c);
  }
  const column = (c: number): Float64Array => {
    const v = new Float64Array(n);
    for (let r = 0; r < n; r++) v[r] = parseFiniteNumber(rows[r].fields[c], file, `line ${rows[r].line}, column ${rawNames[c]}`);
    return v;
  };
  const arrays: PointArray[] = [];
  const grouped = new Set<number>();
  for (const c of numeric) {
    if (grouped.has(c)) continue;
    const m = /^(.+)_x(_mm)?$/.exec(names[c]);
    const group = m ? AXES.map((a) => names.indexOf(`${m[1]}_${a}${m[2] ?? ''}`)) : undefined;
    if (m && group && group.every((g) => numeric.includes(g) && !grouped.has(g))) {
      const cols = group.map(column);
      const values = new Float64Array(3 * n);
      for (let r = 0; r < n; r++) for (let a = 0; a < 3; a++) values[3 * r + a] = cols[a][r];
      const raw = rawNames[c];
      const name = raw.length === names[c].length ? raw.slice(0, m[1].length) : m[1];
      arrays.push({ name, components: 3, values, spatialVector: true });
      for (const g of group) grouped.add(g);
    } else {
      arrays.push({ name: rawNames[c], components: 1, values: column(c) });
      grouped.add(c);
    }
  }
  return { points, labels, arrays, declaredFrame };
}

/** Header names an array is written under. */
function arrayColumnNames(a: PointArray): string[] {
  if (a.components === 1) return [a.name];
  if (a.spatialVector && a.components === 3) return AXES.map((x) => `${a.name}_${x}`);
  return Array.from({ length: a.components }, (_, c) => `${a.name}_${c}`);
}

function serializeCsv(data: PointSetData, options: PointWriteOptions): string {
  const n = data.points.length / 3;
  const header = ['x', 'y', 'z'];
  if (data.labels) header.push('label');
  // A column named like one before it (a mesh array called `x`, two arrays of one name) gets `_2`, `_3`, …: the
  // reader refuses a header naming a column twice.
  const taken = new Set(header.map(normalise));
  for (const a of data.arrays) {
    for (const name of arrayColumnNames(a)) {
      let unique = name;
      for (let k = 2; taken.has(normalise(unique)); k++) unique = `${name}_${k}`;
      taken.add(normalise(unique));
      header.push(unique);
    }
  }
  const out: string[] = [];
  if (options.declareFrame) out.push(`# SPACE=${options.frame}`);
  out.push(header.map(quoteCsvField).join(','));
  for (let i = 0; i < n; i++) {
    const row = [formatNumber(data.points[3 * i]), formatNumber(data.points[3 * i + 1]), formatNumber(data.points[3 * i + 2])];
    if (data.labels) row.push(quoteCsvField(data.labels[i] ?? ''));
    for (const a of data.arrays) {
      for (let c = 0; c < a.components; c++) row.push(formatNumber(a.values[i * a.components + c]));
    }
    out.push(row.join(','));
  }
  return `${out.join('\n')}\n`;
}

/** Plain CSV point sets (`.csv`); LPS unless the file or the caller says otherwise. */
export const csvPointsCodec: PointCodec = {
  format: 'csv',
  extensions: ['.csv'],
  defaultFrame: 'LPS',
  parse: parseCsv,
  serialize: serializeCsv,
};
