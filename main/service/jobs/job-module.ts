/**
 * The contract of a job module: a file exporting `run(params, context)` that the job runner (job-runner.ts)
 * loads in a worker thread. Jobs are the service's CPU-heavy work (registration, surface extraction); running
 * them off the host's main thread keeps the Electron main process and the web host responsive, and lets a cancel
 * end them by terminating the thread even when the work itself never looks at the signal.
 */
import type { ProgressCallback } from '../../../core/progress/index.ts';

export interface JobContext {
  /** Progress of the current stage (throttled before it crosses the thread boundary). */
  onProgress: ProgressCallback;
  /** Fires when the job is cancelled; cooperative jobs stop with CancelledError, others are terminated. */
  signal: AbortSignal;
}

/** What a job hands back: a structured-cloneable result and the buffers to move rather than copy. */
export interface JobOutput {
  result: unknown;
  transfer?: ArrayBuffer[];
}

/** The one export a job module must have. */
export type JobRun = (params: unknown, context: JobContext) => Promise<JobOutput>;
