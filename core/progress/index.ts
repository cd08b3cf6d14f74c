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

/**
 * A place where long work may stop: gives the event loop one turn, so that a cancellation that arrives as an event
 * (a Ctrl-C handler, a worker's 'cancel' message) can fire, then throws CancelledError if it did. Awaiting promises
 * alone never gives that turn (they settle as microtasks, ahead of every event), so a loop of awaited computations
 * could not be cancelled until it ended. Without a signal it returns at once; a turn costs microseconds.
 */
export async function cancellationPoint(signal: AbortSignal | undefined, stage: string): Promise<void> {
  if (!signal) return;
  await nextTurn();
  throwIfCancelled(signal, stage);
}

/**
 * `work`, or CancelledError as soon as `signal` fires, whichever comes first: for waits on work done elsewhere (a
 * worker thread's answers), which no check between chunks can interrupt. The work itself goes on; stopping it (closing
 * the worker) is the caller's, in its clean-up.
 */
export function untilCancelled<T>(work: Promise<T>, signal: AbortSignal | undefined, stage: string): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(new CancelledError(stage));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new CancelledError(stage));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Resolves after one turn of the event loop: pending I/O callbacks and events run first. */
export function nextTurn(): Promise<void> {
  return new Promise<void>((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));
}
