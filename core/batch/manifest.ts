/**
 * The batch manifest: one registration pair per row, as CSV (a header row, RFC 4180 quoting, one record per line)
 * or as JSON lines (one object per line, `.jsonl` / `.ndjson`, or any file whose first non-blank character is `{`).
 *
 * Columns (keys): `id`, `moving`, `fixed` (required); `moving_landmarks`, `fixed_landmarks` (optional, both or
 * neither); and any registration option of `monge register` as a per-row override, spelled with `_` or `-`
 * (`preset`, `steps`, `field_spacing`, `moving_landmarks_prefix`, `rotation_search`, …). An empty cell means "not
 * given here" (the command line's value, else the default). Paths (`moving`, `fixed`, the landmark files,
 * `net_model`, `residual_prior`, and `apply`'s files, separated by `;`) are relative to the manifest's folder unless
 * absolute. Lines starting with `#` are comments.
 *
 * Everything is checked before any pair runs: a bad manifest is an InputError naming the file and the line.
 */
import { createHash } from 'node:crypto';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { InputError } from '../io/errors.ts';
import { nonBlankLines, splitCsvFields } from '../io/points/text.ts';
import { readInputBytes } from '../io/read-bytes.ts';
import { textEncodingOf } from '../io/text-encoding.ts';
import { REGISTRATION_OPTIONS, type RegistrationOptionName, type RegistrationOptionValues } from '../options/index.ts';
import { pairIdProblem } from './pair-id.ts';

export interface ManifestRow {
  /** 0-based position among the manifest's pairs (what `--shard` splits on). */
  index: number;
  /** 1-based line of the manifest where the row is. */
  line: number;
  id: string;
  /** Absolute paths. */
  moving: string;
  fixed: string;
  movingLandmarks?: string;
  fixedLandmarks?: string;
  /** Registration options this row sets (option name → value as written; paths made absolute). */
  overrides: RegistrationOptionValues;
}

export interface Manifest {
  /** Absolute path of the manifest file. */
  path: string;
  /** SHA-256 of its bytes: shards of one cohort must come from the same manifest (`monge merge` checks). */
  sha256: string;
  format: 'csv' | 'jsonl';
  rows: ManifestRow[];
}

const REQUIRED = ['id', 'moving', 'fixed'] as const;
const LANDMARK_COLUMNS = ['moving_landmarks', 'fixed_landmarks'] as const;
/** Override columns that hold paths (resolved against the manifest's folder). */
const PATH_OPTIONS: readonly RegistrationOptionName[] = ['net-model', 'residual-prior'];
const OPTION_OF_COLUMN = new Map<string, RegistrationOptionName>(
  (Object.keys(REGISTRATION_OPTIONS) as RegistrationOptionName[]).map((name) => [name.replace(/-/g, '_'), name]),
);

/** Every column a manifest may have. */
export const MANIFEST_COLUMNS: readonly string[] = [...REQUIRED, ...LANDMARK_COLUMNS, ...OPTION_OF_COLUMN.keys()];

/** `Moving-Landmarks ` → `moving_landmarks`. */
function columnKey(name: string): string {
  return name.trim().toLowerCase().replace(/-/g, '_');
}

/** A raw row: column key → value (strings, or booleans from JSON), with its line. */
interface RawRow {
  line: number;
  cells: Map<string, string | boolean>;
}

/** CSV rows, one record per line (the point readers' RFC 4180 field splitter); comment lines are skipped whole. */
function csvRows(path: string, text: string): RawRow[] {
  const lines = nonBlankLines(text.replace(/^\ufeff/, '')).filter((l) => !l.text.trimStart().startsWith('#'));
  if (lines.length === 0) throw new InputError(path, 'empty', 'the manifest has no header row (expected id,moving,fixed,…)');
  const header = splitCsvFields(lines[0], path).map(columnKey);
  checkColumns(path, header, lines[0].line);
  return lines.slice(1).map((l) => {
    const fields = splitCsvFields(l, path);
    if (fields.length !== header.length) {
      throw new InputError(path, 'malformed', `line ${l.line}: ${fields.length} fields where the header has ${header.length} (quote fields that hold commas)`);
    }
    return { line: l.line, cells: new Map(header.map((h, i) => [h, fields[i]])) };
  });
}

function jsonRows(path: string, text: string): RawRow[] {
  const rows: RawRow[] = [];
  const lines = text.replace(/^\ufeff/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    const s = raw.trim();
    if (s === '' || s.startsWith('#')) return;
    let value: unknown;
    try {
      value = JSON.parse(s);
    } catch (e) {
      throw new InputError(path, 'malformed', `line ${line}: not valid JSON (${(e as Error).message})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError(path, 'malformed', `line ${line}: expected a JSON object per line`);
    const cells = new Map<string, string | boolean>();
    for (const [k, v] of Object.entries(value)) {
      const key = columnKey(k);
      if (v === null) continue;
      if (typeof v === 'string' || typeof v === 'boolean') cells.set(key, v);
      else if (typeof v === 'number' && Number.isFinite(v)) cells.set(key, String(v));
      else throw new InputError(path, 'malformed', `line ${line}: '${k}' must be a string, a number or a boolean`);
    }
    checkColumns(path, [...cells.keys()], line);
    rows.push({ line, cells });
  });
  return rows;
}

function checkColumns(path: string, keys: string[], line: number): void {
  const seen = new Set<string>();
  for (const k of keys) {
    if (!MANIFEST_COLUMNS.includes(k)) {
      throw new InputError(path, 'malformed', `line ${line}: unknown column '${k}' (columns: ${MANIFEST_COLUMNS.join(', ')})`);
    }
    if (seen.has(k)) throw new InputError(path, 'malformed', `line ${line}: column '${k}' is given twice`);
    seen.add(k);
  }
  for (const r of REQUIRED) if (!seen.has(r)) throw new InputError(path, 'malformed', `line ${line}: no '${r}' column (a manifest needs id, moving and fixed)`);
}

/** A boolean cell: true/false, yes/no, 1/0 (any case). */
function booleanCell(path: string, line: number, column: string, value: string | boolean): boolean {
  if (typeof value === 'boolean') return value;
  const v = value.trim().toLowerCase();
  if (['true', 'yes', '1'].includes(v)) return true;
  if (['false', 'no', '0'].includes(v)) return false;
  throw new InputError(path, 'malformed', `line ${line}: '${column}' must be true or false, not '${value}'`);
}

/** A Windows absolute path: a drive letter (`C:\`, `C:/`) or a UNC share (`\\server\share`). */
const WINDOWS_ABSOLUTE = /^(?:[A-Za-z]:[\\/]|\\\\)/;

/**
 * A path cell made absolute: a relative one is taken from the manifest's folder. A manifest written on Windows (by
 * PowerShell's Join-Path, or Excel) separates folders with `\`, which on Linux and macOS is a character of a file
 * name: there a relative path's `\` is read as `/`, so that the same manifest runs on a Linux cluster. A Windows
 * absolute path cannot be opened there and is refused up front, naming the line, rather than failing every pair.
 */
function manifestPath(manifest: string, line: number, column: string, cell: string, folder: string, platform: NodeJS.Platform): string {
  if (platform !== 'win32' && WINDOWS_ABSOLUTE.test(cell)) {
    throw new InputError(manifest, 'malformed', `line ${line}: '${column}' is a Windows path (${cell}), which this system cannot open: give the path relative to the manifest's folder`);
  }
  if (isAbsolute(cell)) return cell;
  return resolve(folder, platform === 'win32' ? cell : cell.replaceAll('\\', '/'));
}

/**
 * Parses manifest text (the file's path names errors and anchors relative paths). `platform` decides how path cells
 * are read (manifestPath); it is the running system's but for tests.
 */
export function parseManifest(path: string, text: string, platform: NodeJS.Platform = process.platform): Omit<Manifest, 'sha256'> {
  const absolute = resolve(path);
  const folder = dirname(absolute);
  const ext = extname(absolute).toLowerCase();
  const format: Manifest['format'] = ext === '.jsonl' || ext === '.ndjson' || (ext !== '.csv' && text.trimStart().startsWith('{')) ? 'jsonl' : 'csv';
  const raw = format === 'csv' ? csvRows(path, text) : jsonRows(path, text);
  if (raw.length === 0) throw new InputError(path, 'empty', 'the manifest lists no pairs');
  const ids = new Map<string, number>();
  const rows = raw.map(({ line, cells }, index): ManifestRow => {
    const anchorOf = (column: string) => (cell: string) => manifestPath(path, line, column, cell, folder, platform);
    const text = (key: string): string | undefined => {
      const v = cells.get(key);
      if (v === undefined) return undefined;
      if (typeof v !== 'string') throw new InputError(path, 'malformed', `line ${line}: '${key}' must be text`);
      return v.trim() === '' ? undefined : v.trim();
    };
    const id = text('id') ?? '';
    const problem = pairIdProblem(id);
    if (problem) throw new InputError(path, 'malformed', `line ${line}: ${problem}`);
    const previous = ids.get(id.toLowerCase());
    if (previous !== undefined) throw new InputError(path, 'malformed', `line ${line}: id '${id}' is already used on line ${previous} (ids name folders and must be unique, ignoring case)`);
    ids.set(id.toLowerCase(), line);
    const moving = text('moving');
    const fixed = text('fixed');
    if (!moving) throw new InputError(path, 'malformed', `line ${line} (${id}): no moving file`);
    if (!fixed) throw new InputError(path, 'malformed', `line ${line} (${id}): no fixed file`);
    const movingLandmarks = text('moving_landmarks');
    const fixedLandmarks = text('fixed_landmarks');
    if ((movingLandmarks === undefined) !== (fixedLandmarks === undefined)) {
      throw new InputError(path, 'malformed', `line ${line} (${id}): give both moving_landmarks and fixed_landmarks, or neither`);
    }
    const overrides: Record<string, string | boolean | string[]> = {};
    for (const [key, value] of cells) {
      const option = OPTION_OF_COLUMN.get(key);
      if (!option) continue;
      if (REGISTRATION_OPTIONS[option].type === 'boolean') {
        if (value === '') continue;
        overrides[option] = booleanCell(path, line, key, value);
      } else {
        const v = text(key);
        if (v === undefined) continue;
        // A list option (apply) holds several paths separated by ';'.
        if ('multiple' in REGISTRATION_OPTIONS[option]) overrides[option] = v.split(';').map((p) => p.trim()).filter((p) => p !== '').map(anchorOf(key));
        else overrides[option] = PATH_OPTIONS.includes(option) ? anchorOf(key)(v) : v;
      }
    }
    return {
      index,
      line,
      id,
      moving: anchorOf('moving')(moving),
      fixed: anchorOf('fixed')(fixed),
      ...(movingLandmarks !== undefined && fixedLandmarks !== undefined ? { movingLandmarks: anchorOf('moving_landmarks')(movingLandmarks), fixedLandmarks: anchorOf('fixed_landmarks')(fixedLandmarks) } : {}),
      overrides: overrides as RegistrationOptionValues,
    };
  });
  return { path: absolute, format, rows };
}

/** Reads and checks a manifest file. */
export async function readManifest(path: string): Promise<Manifest> {
  const bytes = await readInputBytes(path, 256 * 1024 ** 2);
  // UTF-8, or UTF-16 with its byte-order mark (Windows PowerShell 5.1 writes that; core/io/text-encoding.ts).
  const encoding = textEncodingOf(bytes);
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    throw new InputError(path, 'malformed', `the manifest is not ${encoding === 'utf-8' ? 'UTF-8' : 'UTF-16'} text (save it as UTF-8)`);
  }
  return { ...parseManifest(path, text), sha256: createHash('sha256').update(bytes).digest('hex') };
}
