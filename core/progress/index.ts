/**
 * Progress and cancellation for long work. Library functions take an optional `ProgressOptions`; the CLI turns
 * reports into a bar on a TTY, the app into a progress bar, and an AbortSignal cancels.
 */

/** One report: `fraction` in [0, 1] of the current `stage`. */
export interface ProgressReport {
  stage: string;
  fraction: number;
}

export type ProgressCallback = (report: ProgressReport) => void;

export interface ProgressOptions {
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
}

/** Thrown when an AbortSignal cancels work. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor(stage: string) {
    super(`cancelled during ${stage}`);
  }
}

/** Throws CancelledError if the signal has fired. Call it between chunks of work. */
export function throwIfCancelled(signal: AbortSignal | undefined, stage: string): void {
  if (signal?.aborted) throw new CancelledError(stage);
}
