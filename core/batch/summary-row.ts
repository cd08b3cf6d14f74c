/**
 * One row of the cohort summary (`summary.csv`, `summary.json`, the report's table): the pair, its status, its
 * metrics before and after registration, the time of each step, and the error when it failed. Column names carry
 * their units (`_mm`, `_s`); a value that does not apply (no landmarks, a skipped step, a failed pair) is empty in
 * the CSV and null in the JSON.
 */
import type { PhaseMetrics } from '../registration/pipeline/phase-metrics.ts';
import type { RegistrationSummary } from '../registration/pipeline/register.ts';

/** ok: registered and verified; failed: an error row; cancelled: stopped by the user (SIGINT) or never started. */
export type PairStatus = 'ok' | 'failed' | 'cancelled';

/**
 * What went wrong: `input` (a file is missing, corrupt, empty: InputError), `registration` (the pipeline failed,
 * e.g. diverged), `output` (the outputs did not pass verification), `crash` (the worker process died: out of
 * memory, a signal), `cancelled`.
 */
export type ErrorKind = 'input' | 'registration' | 'output' | 'crash' | 'cancelled';

export interface SummaryRow {
  index: number;
  id: string;
  status: PairStatus;
  /** True when the pair was completed by an earlier run and skipped by --resume after its outputs verified. */
  resumed: boolean;
  error_kind: ErrorKind | null;
  error: string | null;
  preset: string | null;
  /** Steps that ran, joined by '+' (e.g. prealign+finetune). */
  steps: string | null;
  /** Wall time of the pair in its worker: registration, verification and thumbnails. */
  seconds: number | null;
  reading_s: number | null;
  prealign_s: number | null;
  net_s: number | null;
  finetune_s: number | null;
  outputs_s: number | null;
  peak_memory_mb: number | null;
  landmarks: number | null;
  tre_before_mm: number | null;
  tre_after_mm: number | null;
  tre_after_median_mm: number | null;
  tre_after_std_mm: number | null;
  tre_after_p90_mm: number | null;
  tre_after_max_mm: number | null;
  chamfer_before_mm: number | null;
  chamfer_after_mm: number | null;
  hd95_before_mm: number | null;
  hd95_after_mm: number | null;
  hausdorff_after_mm: number | null;
  vertex_error_before_mm: number | null;
  vertex_error_after_mm: number | null;
  jacobian_min: number | null;
  folding_fraction: number | null;
  warnings: string | null;
  moving: string;
  fixed: string;
  /** The pair's output folder, relative to the folder of the summary (POSIX separators). */
  dir: string;
}

/** summary.json's row: the CSV row and the full metrics before and after (report.json's, for the pair). */
export interface SummaryEntry extends SummaryRow {
  metrics: { before: PhaseMetrics; after: PhaseMetrics } | null;
}

/** CSV column order. */
export const SUMMARY_COLUMNS: readonly (keyof SummaryRow)[] = [
  'index', 'id', 'status', 'resumed', 'error_kind', 'error', 'preset', 'steps',
  'seconds', 'reading_s', 'prealign_s', 'net_s', 'finetune_s', 'outputs_s', 'peak_memory_mb',
  'landmarks', 'tre_before_mm', 'tre_after_mm', 'tre_after_median_mm', 'tre_after_std_mm', 'tre_after_p90_mm', 'tre_after_max_mm',
  'chamfer_before_mm', 'chamfer_after_mm', 'hd95_before_mm', 'hd95_after_mm', 'hausdorff_after_mm',
  'vertex_error_before_mm', 'vertex_error_after_mm', 'jacobian_min', 'folding_fraction',
  'warnings', 'moving', 'fixed', 'dir',
];

/** Columns that depend on the machine and the moment, not on the inputs (left out when comparing runs). */
export const TIMING_COLUMNS: readonly (keyof SummaryRow)[] = ['seconds', 'reading_s', 'prealign_s', 'net_s', 'finetune_s', 'outputs_s', 'peak_memory_mb', 'resumed', 'dir'];

/** report.json's timing block (the parts the summary uses). */
export interface ReportTiming {
  readingInputs: { seconds: number; peakMemoryMb: number };
  outputs: { seconds: number; peakMemoryMb: number };
}

export interface PairIdentity {
  index: number;
  id: string;
  moving: string;
  fixed: string;
  dir: string;
}

const EMPTY: Omit<SummaryEntry, keyof PairIdentity | 'status' | 'error_kind' | 'error'> = {
  resumed: false,
  preset: null,
  steps: null,
  seconds: null,
  reading_s: null,
  prealign_s: null,
  net_s: null,
  finetune_s: null,
  outputs_s: null,
  peak_memory_mb: null,
  landmarks: null,
  tre_before_mm: null,
  tre_after_mm: null,
  tre_after_median_mm: null,
  tre_after_std_mm: null,
  tre_after_p90_mm: null,
  tre_after_max_mm: null,
  chamfer_before_mm: null,
  chamfer_after_mm: null,
  hd95_before_mm: null,
  hd95_after_mm: null,
  hausdorff_after_mm: null,
  vertex_error_before_mm: null,
  vertex_error_after_mm: null,
  jacobian_min: null,
  folding_fraction: null,
  warnings: null,
  metrics: null,
};

/** The row of a registered pair. */
export function successRow(pair: PairIdentity, summary: RegistrationSummary, timing: ReportTiming, seconds: number): SummaryEntry {
  const { before, after } = summary.metrics;
  const stepSeconds = (name: string) => {
    const s = summary.steps.find((x) => x.name === name && x.status === 'done');
    return s ? s.seconds : null;
  };
  const peak = Math.max(timing.readingInputs.peakMemoryMb, timing.outputs.peakMemoryMb, ...summary.steps.map((s) => s.peakMemoryMb));
  return {
    ...EMPTY,
    ...pair,
    status: 'ok',
    error_kind: null,
    error: null,
    preset: summary.preset,
    steps: summary.steps.filter((s) => s.status === 'done').map((s) => s.name).join('+'),
    seconds,
    reading_s: timing.readingInputs.seconds,
    prealign_s: stepSeconds('prealign'),
    net_s: stepSeconds('net'),
    finetune_s: stepSeconds('finetune'),
    outputs_s: timing.outputs.seconds,
    peak_memory_mb: peak,
    landmarks: after.tre?.n ?? null,
    tre_before_mm: before.tre?.mean ?? null,
    tre_after_mm: after.tre?.mean ?? null,
    tre_after_median_mm: after.tre?.median ?? null,
    tre_after_std_mm: after.tre?.std ?? null,
    tre_after_p90_mm: after.tre?.p90 ?? null,
    tre_after_max_mm: after.tre?.max ?? null,
    chamfer_before_mm: before.surfaceDistance.chamferMm,
    chamfer_after_mm: after.surfaceDistance.chamferMm,
    hd95_before_mm: before.surfaceDistance.hausdorff95Mm,
    hd95_after_mm: after.surfaceDistance.hausdorff95Mm,
    hausdorff_after_mm: after.surfaceDistance.hausdorffMm,
    vertex_error_before_mm: before.vertexError?.mean ?? null,
    vertex_error_after_mm: after.vertexError?.mean ?? null,
    jacobian_min: summary.jacobian.insideFixed.min,
    folding_fraction: summary.jacobian.insideFixed.nonPositiveFraction,
    warnings: summary.warnings.length > 0 ? summary.warnings.join(' | ') : null,
    metrics: { before, after },
  };
}

/** The row of a pair that failed or was cancelled. */
export function errorRow(pair: PairIdentity, status: Exclude<PairStatus, 'ok'>, kind: ErrorKind, message: string, seconds: number | null = null): SummaryEntry {
  return { ...EMPTY, ...pair, status, error_kind: kind, error: message.replace(/\s+/g, ' ').trim(), seconds };
}

/** A row's value as CSV text: numbers in full precision (round-trips exactly), empty for null. */
export function csvValue(value: SummaryRow[keyof SummaryRow]): string {
  if (value === null) return '';
  return String(value);
}
