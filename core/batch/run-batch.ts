/**
 * `monge batch` as a library call: read and check the manifest (every row, before anything runs), take this
 * shard's pairs, skip the pairs an earlier run completed (with --resume, verified by their completion marks),
 * run the others on worker processes, and write summary.csv, summary.json (after every pair, and at the end) and
 * report.html. Returns the summary; failed pairs are rows, not exceptions. Throws only for what stops the whole
 * batch: a bad manifest (InputError), an OUTDIR in the way or locked (UsageError).
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { makeFolder } from '../io/make-folder.ts';
import { join, resolve } from 'node:path';
import { isAtomicTemporaryOf } from '../io/atomic-write.ts';
import { UsageError, type RegistrationOptionValues } from '../options/index.ts';
import { MONGE_VERSION } from '../runtime/index.ts';
import type { ProgressReport } from '../progress/index.ts';
import { InputError } from '../io/errors.ts';
import { inputInsideFolder } from '../registration/pipeline/output-folder.ts';
import { requestInputPaths } from '../registration/pipeline/request-inputs.ts';
import { batchPairs, type BatchPair } from './batch-pair.ts';
import { LOCK_FILE, lockOutDir } from './batch-lock.ts';
import { REPORT_HTML, writeCohortReport } from './cohort-report.ts';
import { requestFingerprint, verifyDoneMarker } from './done-marker.ts';
import { planJobs, workerThreadsSetting, type JobPlan } from './job-count.ts';
import { readManifest } from './manifest.ts';
import type { PairJob } from './run-pair.ts';
import { pairFraction, pairShares } from './pair-progress.ts';
import { inShard, type Shard } from './shard.ts';
import { countRows, readSummaryFile, SUMMARY_CSV, SUMMARY_JSON, writeSummaryFiles, type BatchSummaryFile } from './summary-files.ts';
import type { SummaryEntry } from './summary-row.ts';
import { runInWorkers } from './worker-pool.ts';

export type BatchEvent =
  | { type: 'plan'; pairs: number; toRun: number; resumed: number; plan: JobPlan; redo: { id: string; reason: string }[] }
  | { type: 'pair-start'; id: string }
  /** `pairFraction`: how much of the pair is done, roughly (core/batch/pair-progress.ts); it never decreases. */
  | { type: 'pair-progress'; id: string; report: ProgressReport; pairFraction: number }
  | { type: 'pair-done'; row: SummaryEntry; finished: number; toRun: number; elapsedSeconds: number };

export interface BatchOptions {
  manifest: string;
  outDir: string;
  /** Registration options of the command line (rows may override them). */
  options?: RegistrationOptionValues;
  /** Worker processes asked for (capped by memory; default 1). */
  jobs?: number;
  shard?: Shard;
  /** Skip pairs completed by an earlier run into the same OUTDIR; without it OUTDIR must be new or empty. */
  resume?: boolean;
  /** Memory estimate per pair (MB) for the job cap. */
  pairMemoryMb?: number;
  signal?: AbortSignal;
  onEvent?(event: BatchEvent): void;
}

export interface BatchResult {
  outDir: string;
  summary: BatchSummaryFile;
  plan: JobPlan;
  cancelled: boolean;
}

/** What a batch killed before its first summary was written may have left (the lock, the first summary's files). */
const firstLeftover = (name: string) => name === LOCK_FILE || name === SUMMARY_CSV || [SUMMARY_CSV, SUMMARY_JSON].some((f) => isAtomicTemporaryOf(name, f));

/**
 * OUTDIR must be new or empty; with --resume it may also be a folder a batch wrote (its summary.json says so, and
 * the summary is written before any pair starts) — never any other folder, where clearing an unfinished pair
 * (`rm -r OUTDIR/<id>`) would delete a folder of the user's that happens to be named like a pair id.
 */
async function prepareOutDir(outDir: string, resume: boolean): Promise<void> {
  const info = await stat(outDir).catch(() => undefined);
  if (info && !info.isDirectory()) throw new UsageError(`${outDir} exists and is a file; give a folder for the batch outputs`);
  const entries = info ? await readdir(outDir) : [];
  if (entries.length > 0) {
    if (!resume) throw new UsageError(`${outDir} exists and is not empty; pass --resume to continue the batch that wrote it, or choose a new folder`);
    if (entries.includes(SUMMARY_JSON)) {
      const summary = await readSummaryFile(outDir).catch(() => undefined);
      if (!summary) throw new UsageError(`${outDir}/${SUMMARY_JSON} is not a 'monge batch' summary; --resume continues only a folder a batch wrote`);
      if (summary.mergedFrom) throw new UsageError(`${outDir} holds a 'monge merge' result, not a batch; --resume continues only a folder a batch wrote`);
    } else if (!entries.every(firstLeftover)) {
      throw new UsageError(`${outDir} is not empty and no batch wrote it (it has no ${SUMMARY_JSON}); --resume would clear folders named like pair ids there, so choose a new folder`);
    }
  }
  await makeFolder(outDir);
}

/**
 * No pair may read a file inside OUTDIR: the batch clears a pair's folder before redoing it, and its thumbnails,
 * so an input kept there (a scan copied into `OUTDIR/<id>/`) would be deleted by a --resume.
 */
async function refuseInputsInside(outDir: string, pairs: readonly BatchPair[]): Promise<void> {
  const inputs = pairs.flatMap((pair) => requestInputPaths(pair.request).map((path) => ({ path, pair })));
  const inside = await inputInsideFolder(outDir, inputs.map((i) => i.path));
  const pair = inputs.find((i) => i.path === inside)?.pair;
  if (inside !== undefined && pair !== undefined) {
    throw new InputError(inside, 'unsupported', `(manifest line ${pair.line}, pair ${pair.id}) lies inside the batch's OUTDIR ${outDir}, whose pair folders the batch clears; keep the inputs outside it`);
  }
}

/**
 * The temporary files of the batch's own top-level outputs (`.summary.csv.<8 hex>.tmp`, summary.json's and
 * report.html's) that a batch killed mid-write left. Run under the lock, so no other batch is writing them.
 */
async function removeStaleTopLevelTemporaries(outDir: string): Promise<void> {
  for (const name of await readdir(outDir)) {
    if ([SUMMARY_CSV, SUMMARY_JSON, REPORT_HTML].some((f) => isAtomicTemporaryOf(name, f))) await rm(join(outDir, name), { force: true });
  }
}

export async function runBatch(o: BatchOptions): Promise<BatchResult> {
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const manifest = await readManifest(o.manifest);
  const outDir = resolve(o.outDir);
  const options = o.options ?? {};
  const selected = batchPairs(manifest, options, outDir).filter((p) => inShard(p.index, o.shard));
  await refuseInputsInside(outDir, selected);
  await prepareOutDir(outDir, o.resume ?? false);
  const release = await lockOutDir(outDir);
  try {
    await removeStaleTopLevelTemporaries(outDir);
    const rows = new Map<string, SummaryEntry>();
    const toRun: PairJob[] = [];
    const redo: { id: string; reason: string }[] = [];
    for (const pair of selected) {
      if (o.resume) {
        const check = await verifyDoneMarker(outDir, pair.id, requestFingerprint(pair.request));
        if (check.complete) {
          rows.set(pair.id, { ...check.marker.row, index: pair.index, resumed: true, dir: pair.id });
          continue;
        }
        if (check.reason !== 'not completed') redo.push({ id: pair.id, reason: check.reason });
      }
      toRun.push({ pair, outDir });
    }
    const plan = planJobs(o.jobs ?? 1, toRun.length, o.pairMemoryMb);
    o.onEvent?.({ type: 'plan', pairs: selected.length, toRun: toRun.length, resumed: rows.size, plan, redo });

    const summaryNow = (finishedAt: string | null): BatchSummaryFile => {
      const pairs = [...rows.values()];
      const counts = countRows(pairs, selected.length);
      return {
        kind: 'monge-batch-summary',
        monge: MONGE_VERSION,
        manifest: { path: manifest.path, sha256: manifest.sha256, pairs: manifest.rows.length },
        shard: o.shard ?? null,
        options,
        startedAt,
        finishedAt,
        complete: counts.pending === 0 && counts.cancelled === 0,
        counts,
        pairs,
      };
    };
    // The first summary is on disk before any pair folder can be (it marks OUTDIR as a batch's, for --resume).
    await writeSummaryFiles(outDir, summaryNow(null));
    // Then it is rewritten after each pair, one write at a time. Those are snapshots for watching a run: one that
    // fails (a full disk) is not fatal — and must not be an unhandled rejection, which would end the process — the
    // final write below is the one that counts, and throws.
    let writing: Promise<void> = Promise.resolve();
    let finished = 0;
    const env = { ...process.env, MONGE_THREADS: workerThreadsSetting(process.env.MONGE_THREADS, plan) };
    // Each running pair's stages (its shares, from its request: once per pair) and how much of it is done so far.
    const running = new Map<string, { shares: string[][]; fraction: number }>();
    await runInWorkers(toRun, {
      workers: plan.jobs,
      env,
      signal: o.signal,
      onStart: (job) => {
        running.set(job.pair.id, { shares: pairShares(job.pair.request), fraction: 0 });
        o.onEvent?.({ type: 'pair-start', id: job.pair.id });
      },
      onProgress: (job, report) => {
        const pair = running.get(job.pair.id); // set by onStart, which runs before the pair does
        if (!pair) return;
        pair.fraction = Math.max(pair.fraction, pairFraction(pair.shares, report) ?? pair.fraction);
        o.onEvent?.({ type: 'pair-progress', id: job.pair.id, report, pairFraction: pair.fraction });
      },
      onDone: (job, row) => {
        running.delete(job.pair.id);
        rows.set(job.pair.id, row);
        finished++;
        o.onEvent?.({ type: 'pair-done', row, finished, toRun: toRun.length, elapsedSeconds: (performance.now() - started) / 1000 });
        writing = writing.then(() => writeSummaryFiles(outDir, summaryNow(null))).catch(() => undefined);
      },
    });
    await writing;
    const summary = summaryNow(new Date().toISOString());
    // The cohort report is written even where summary.csv could not be (open in another program): its error comes
    // after, so that only the file that was held is out of date.
    try {
      await writeSummaryFiles(outDir, summary);
    } finally {
      await writeCohortReport(outDir, summary);
    }
    return { outDir, summary: { ...summary, pairs: [...summary.pairs].sort((a, b) => a.index - b.index) }, plan, cancelled: o.signal?.aborted ?? false };
  } finally {
    await release();
  }
}
