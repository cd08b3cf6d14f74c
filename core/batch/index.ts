/**
 * Batch registration of cohorts (`monge batch`, `monge merge`): a manifest of pairs, each registered exactly as
 * `monge register` does into OUTDIR/<id>/ on worker processes, failures isolated as error rows, completion marked
 * atomically after verification so that `--resume` redoes only what is not complete, `--shard K/N` for job arrays,
 * and a cohort summary (CSV, JSON) and a self-contained HTML report with before / after thumbnails.
 *
 *   const { summary } = await runBatch({ manifest: 'cohort.csv', outDir: 'out', options: { preset: 'lung' }, jobs: 2 });
 */
export { runBatch, type BatchEvent, type BatchOptions, type BatchResult } from './run-batch.ts';
export { mergeBatches, type MergeResult } from './merge.ts';
export { readManifest, parseManifest, MANIFEST_COLUMNS, type Manifest, type ManifestRow } from './manifest.ts';
export { batchPair, batchPairs, type BatchPair } from './batch-pair.ts';
export { parseShard, inShard, type Shard } from './shard.ts';
export { pairIdProblem, RESERVED_PAIR_IDS } from './pair-id.ts';
export { DONE_MARKER, requestFingerprint, verifyDoneMarker, type DoneMarker, type MarkerCheck } from './done-marker.ts';
export { runPair, type PairJob } from './run-pair.ts';
export { planJobs, DEFAULT_PAIR_MEMORY_MB, type JobPlan } from './job-count.ts';
export { SUMMARY_CSV, SUMMARY_JSON, readSummaryFile, writeSummaryFiles, type BatchSummaryFile, type SummaryCounts } from './summary-files.ts';
export { SUMMARY_COLUMNS, TIMING_COLUMNS, type SummaryEntry, type SummaryRow, type PairStatus, type ErrorKind } from './summary-row.ts';
export { REPORT_HTML, cohortReportHtml, writeCohortReport } from './cohort-report.ts';
export { THUMBNAILS_DIR, thumbnailPaths, writePairThumbnails } from './pair-thumbnails.ts';
export { etaSeconds, formatDuration } from './eta.ts';
export { LOCK_FILE } from './batch-lock.ts';
