/**
 * `monge merge OUTDIR... -o MERGED`: the summaries of several batch runs — typically the shards of one job array —
 * combined into one summary.csv / summary.json / report.html in MERGED, rows in manifest order. The pair folders
 * are referenced, not copied (a cohort's displacement fields can be hundreds of GB): each row's `dir` becomes the
 * path from MERGED to the pair's folder in its shard's OUTDIR, and the report's thumbnails are embedded from there.
 *
 * Checked: every source is a batch summary of the same manifest (same SHA-256); no pair appears twice; shards of
 * one split (K/N with the same N) are each given once, and the missing ones are listed (the merge is then marked
 * incomplete, and the command says so).
 */
import { makeFolder } from '../io/make-folder.ts';
import * as nodePath from 'node:path';
import { join, resolve } from 'node:path';
import { UsageError } from '../options/index.ts';
import { MONGE_VERSION } from '../runtime/index.ts';
import { InputError } from '../io/errors.ts';
import { writeCohortReport } from './cohort-report.ts';
import { countRows, readSummaryFile, SUMMARY_JSON, writeSummaryFiles, type BatchSummaryFile, type SummarySource } from './summary-files.ts';
import type { SummaryEntry } from './summary-row.ts';

export interface MergeResult {
  outDir: string;
  summary: BatchSummaryFile;
  /** Things worth saying that do not stop the merge (options that differ between sources). */
  warnings: string[];
}

/**
 * The path from the merged folder to a source's folder, with `/` (summary rows and report links use it on every
 * system). On Windows no relative path joins two drives or a drive and a network share (path.relative then returns
 * the target whole), and the summary and report.html would name the pairs by dead links: refused, naming both.
 * `path` is node:path but for tests.
 */
export function pathFromMerged(outDir: string, dir: string, path: nodePath.PlatformPath = nodePath): string {
  const rel = path.relative(outDir, dir);
  if (path.isAbsolute(rel)) {
    throw new UsageError(`${dir} is on another drive or share than the merged folder ${outDir}: the merged summary names the pairs' folders by relative paths; choose an -o on the same drive as the folders merged`);
  }
  return rel.split(path.sep).join('/');
}

export async function mergeBatches(sourceDirs: readonly string[], mergedDir: string): Promise<MergeResult> {
  if (sourceDirs.length === 0) throw new UsageError('give at least one batch OUTDIR to merge');
  const outDir = resolve(mergedDir);
  const sources = sourceDirs.map((d) => resolve(d));
  if (sources.includes(outDir)) throw new UsageError(`the merged folder ${outDir} is one of the folders merged; choose another -o`);
  if (new Set(sources).size !== sources.length) throw new UsageError('a folder is given twice');
  const fromMerged = sources.map((dir) => pathFromMerged(outDir, dir));
  // A batch's OUTDIR (a shard left out of the list, say) must not have its summary replaced by the merge's.
  const existing = await readSummaryFile(outDir).catch(() => undefined);
  if (existing && !existing.mergedFrom) throw new UsageError(`${outDir} holds a batch's own summary (it is a 'monge batch' OUTDIR); choose another -o for the merge`);
  const summaries: BatchSummaryFile[] = [];
  for (const dir of sources) summaries.push(await readSummaryFile(dir));
  const first = summaries[0];
  const warnings: string[] = [];
  summaries.forEach((s, i) => {
    if (s.manifest.sha256 !== first.manifest.sha256) {
      throw new InputError(join(sources[i], SUMMARY_JSON), 'malformed', `comes from another manifest (${s.manifest.path}, SHA-256 ${s.manifest.sha256.slice(0, 12)}…) than ${join(sources[0], SUMMARY_JSON)} (${first.manifest.path}, ${first.manifest.sha256.slice(0, 12)}…)`);
    }
    if (JSON.stringify(s.options) !== JSON.stringify(first.options)) warnings.push(`${sources[i]} ran with other registration options than ${sources[0]}`);
    // Same bytes, another place: a manifest's relative paths then name other files (or the same share mounted elsewhere).
    if (s.manifest.path !== first.manifest.path) warnings.push(`${sources[i]} read its manifest at ${s.manifest.path}, ${sources[0]} at ${first.manifest.path}: the same contents, but relative paths in it name files beside each copy`);
  });
  // Shards of one split.
  const counts = new Set(summaries.map((s) => s.shard?.count ?? 0));
  let missingShards: number[] | undefined;
  if (counts.size === 1 && !counts.has(0)) {
    const n = [...counts][0];
    const seen = new Map<number, string>();
    summaries.forEach((s, i) => {
      const k = s.shard!.index;
      if (seen.has(k)) throw new UsageError(`shard ${k}/${n} is given twice (${seen.get(k)} and ${sources[i]})`);
      seen.set(k, sources[i]);
    });
    missingShards = Array.from({ length: n }, (_, k) => k).filter((k) => !seen.has(k));
  }
  const rows: SummaryEntry[] = [];
  const owner = new Map<string, string>();
  summaries.forEach((s, i) => {
    for (const row of s.pairs) {
      const other = owner.get(row.id);
      if (other !== undefined) throw new InputError(join(sources[i], SUMMARY_JSON), 'malformed', `pair '${row.id}' is also in ${other}`);
      owner.set(row.id, join(sources[i], SUMMARY_JSON));
      rows.push({ ...row, dir: nodePath.posix.join(fromMerged[i], row.dir) });
    }
  });
  rows.sort((a, b) => a.index - b.index);
  // The cohort is the whole manifest: a pair that no summary holds (a missing shard, or shards of different splits
  // that leave gaps) is pending, and the merge is not complete.
  const scope = first.manifest.pairs;
  if (missingShards === undefined && rows.length < scope && counts.size > 1) {
    warnings.push(`the folders are shards of different splits (${[...counts].map((n) => (n === 0 ? 'unsharded' : `of ${n}`)).join(', ')}): ${scope - rows.length} of the manifest's ${scope} pairs are in none of them`);
  }
  const finished = summaries.map((s) => s.finishedAt);
  const summaryCounts = countRows(rows, scope);
  const summary: BatchSummaryFile = {
    kind: 'monge-batch-summary',
    monge: MONGE_VERSION,
    manifest: first.manifest,
    shard: null,
    mergedFrom: summaries.map((s, i) => ({ dir: fromMerged[i], shard: s.shard, pairs: s.counts.pairs }) satisfies SummarySource),
    ...(missingShards !== undefined ? { missingShards } : {}),
    options: first.options,
    startedAt: summaries.map((s) => s.startedAt).sort()[0],
    finishedAt: finished.some((f) => f === null) ? null : (finished as string[]).sort().at(-1) ?? null,
    complete: summaries.every((s) => s.complete) && (missingShards?.length ?? 0) === 0 && summaryCounts.pending === 0,
    counts: summaryCounts,
    pairs: rows,
  };
  await makeFolder(outDir);
  await writeSummaryFiles(outDir, summary);
  await writeCohortReport(outDir, summary);
  return { outDir, summary, warnings };
}
