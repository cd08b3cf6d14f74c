/**
 * `summary.csv` and `summary.json`: the cohort at a glance, one row per pair in manifest order (SUMMARY_COLUMNS),
 * written atomically — after every finished pair while the batch runs (so a long run can be watched, and a killed
 * one still shows what it finished), and once more at the end. The JSON adds the run's context (manifest and its
 * hash, shard, options, counts, times) and each pair's full metrics; `monge merge` reads it back.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { InputError } from '../io/errors.ts';
import { quoteCsvField } from '../io/points/text.ts';
import type { RegistrationOptionValues } from '../options/index.ts';
import type { Shard } from './shard.ts';
import { csvValue, SUMMARY_COLUMNS, type SummaryEntry } from './summary-row.ts';

export const SUMMARY_CSV = 'summary.csv';
export const SUMMARY_JSON = 'summary.json';

export interface SummaryCounts {
  /** Pairs in this summary's scope (the shard's, or all). */
  pairs: number;
  ok: number;
  failed: number;
  cancelled: number;
  /** Not finished yet (while the batch runs). */
  pending: number;
  /** ok pairs taken from an earlier run by --resume. */
  resumed: number;
}

export interface SummarySource {
  /** A shard's OUTDIR, relative to the merged folder. */
  dir: string;
  shard: Shard | null;
  pairs: number;
}

export interface BatchSummaryFile {
  kind: 'monge-batch-summary';
  monge: string;
  manifest: { path: string; sha256: string; pairs: number };
  /** The shard this run did (null: the whole manifest, or a merge). */
  shard: Shard | null;
  /** For a merge: the summaries combined. */
  mergedFrom?: SummarySource[];
  /** Shards missing from a merge (indices), when the sources were shards of the same split. */
  missingShards?: number[];
  /** Registration options from the command line (rows may override them). */
  options: RegistrationOptionValues;
  startedAt: string;
  finishedAt: string | null;
  /** Every pair in scope has a final row (no pending ones). */
  complete: boolean;
  counts: SummaryCounts;
  pairs: SummaryEntry[];
}

export function countRows(rows: readonly SummaryEntry[], scope: number): SummaryCounts {
  const count = (s: string) => rows.filter((r) => r.status === s).length;
  return { pairs: scope, ok: count('ok'), failed: count('failed'), cancelled: count('cancelled'), pending: scope - rows.length, resumed: rows.filter((r) => r.resumed).length };
}

/** Header and rows as CSV text (RFC 4180 quoting where a field needs it, LF line ends, a final newline). */
export function formatCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [header, ...rows].map((r) => r.map(quoteCsvField).join(',')).join('\n') + '\n';
}

export function summaryCsv(rows: readonly SummaryEntry[]): string {
  return formatCsv(
    SUMMARY_COLUMNS,
    rows.map((r) => SUMMARY_COLUMNS.map((c) => csvValue(r[c]))),
  );
}

/**
 * Writes both files into `dir`, rows sorted by manifest position. summary.json goes first: it is what `--resume`,
 * `monge merge` and the app read, so a summary.csv that cannot be replaced (open in Excel on Windows) leaves it up to
 * date; the csv's error is then thrown.
 */
export async function writeSummaryFiles(dir: string, summary: BatchSummaryFile): Promise<void> {
  const sorted = { ...summary, pairs: [...summary.pairs].sort((a, b) => a.index - b.index) };
  await writeFileAtomic(join(dir, SUMMARY_JSON), `${JSON.stringify(sorted, null, 2)}\n`);
  await writeFileAtomic(join(dir, SUMMARY_CSV), summaryCsv(sorted.pairs));
}

/** Reads `dir/summary.json` (a batch's or a merge's OUTDIR). */
export async function readSummaryFile(dir: string): Promise<BatchSummaryFile> {
  const path = join(dir, SUMMARY_JSON);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new InputError(path, 'not-found', 'no batch summary here (is this a `monge batch` OUTDIR?)');
  }
  let value: BatchSummaryFile;
  try {
    value = JSON.parse(text) as BatchSummaryFile;
  } catch (e) {
    throw new InputError(path, 'malformed', `not valid JSON (${(e as Error).message})`);
  }
  if (value?.kind !== 'monge-batch-summary' || !Array.isArray(value.pairs) || typeof value.manifest?.sha256 !== 'string') {
    throw new InputError(path, 'malformed', 'not a `monge batch` summary');
  }
  return value;
}
