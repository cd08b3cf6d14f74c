/**
 * Runs pairs on N worker processes (child_process.fork of worker-bootstrap.mjs, or batch-worker.mjs in dist/cli), each taking the next pair from a
 * shared queue when it is free, so long and short pairs balance themselves. A worker that dies mid-pair (killed
 * for memory, a signal, a crash in native code) turns that pair into an error row and is replaced; the other
 * pairs go on. Cancelling (an AbortSignal) stops handing out pairs, asks the running ones to cancel, and kills a
 * worker that has not answered within a grace period; a worker still starting is ended at once, and its pair, which
 * had not started, is cancelled like the others waiting.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MirroredLeftovers } from '../io/leftovers.ts';
import type { ProgressReport } from '../progress/index.ts';
import { runtimeFile } from '../runtime/index.ts';
import { pairIdentity, type PairJob } from './run-pair.ts';
import { errorRow, type SummaryEntry } from './summary-row.ts';
import type { FromWorker, ToWorker } from './worker-messages.ts';

const BOOTSTRAP = fileURLToPath(runtimeFile('batch-worker.mjs', new URL('./worker-bootstrap.mjs', import.meta.url)));

/** How long a cancelled worker may take to stop before it is killed. */
export const CANCEL_GRACE_MS = 15_000;

/**
 * Signals that ask a process to stop. One of them ending a worker that is still starting most often reached the
 * whole process group (Ctrl-C, a scheduler's SIGTERM), and the batch's own handler aborts it a moment later: which of
 * the two the event loop sees first is down to chance.
 */
const STOP_SIGNALS: ReadonlySet<string> = new Set(['SIGINT', 'SIGTERM', 'SIGHUP']);

/** How long to wait for the batch's own abort after a stop signal ended a starting worker. */
const STOP_SIGNAL_WAIT_MS = 1_000;

/** A worker process that ended before it said it was ready. */
class WorkerStartError extends Error {
  constructor(readonly signal: NodeJS.Signals | null, code: number | null) {
    super(`the worker process exited before it was ready (${signal ?? `exit code ${code}`})`);
  }
}

/** Resolves when `signal` aborts, or after `ms`, whichever is first. */
function abortOrTimeout(signal: AbortSignal, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Whether the batch is cancelled, given that its worker failed to start with `error`. A worker ended by a stop
 * signal waits up to STOP_SIGNAL_WAIT_MS for the abort that the same signal brings to this process, so a group-wide
 * stop lists every pair as cancelled rather than the first one as a crash.
 */
async function cancelledAtStart(signal: AbortSignal | undefined, error: unknown): Promise<boolean> {
  if (signal === undefined) return false;
  const endedByStopSignal = error instanceof WorkerStartError && error.signal !== null && STOP_SIGNALS.has(error.signal);
  if (!signal.aborted && endedByStopSignal) await abortOrTimeout(signal, STOP_SIGNAL_WAIT_MS);
  return signal.aborted;
}

export interface PoolCallbacks {
  onStart?(job: PairJob): void;
  onProgress?(job: PairJob, report: ProgressReport): void;
  onDone?(job: PairJob, row: SummaryEntry): void;
}

export interface PoolOptions extends PoolCallbacks {
  workers: number;
  /** Environment of the worker processes. */
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/** Node options passed on to workers (memory limits); test-runner and loader flags are not. */
function workerExecArgv(): string[] {
  return process.execArgv.filter((a) => /^--(max-old-space-size|max-semi-space-size|stack-size)=/.test(a));
}

/** One worker process and the pair it runs. */
class PairWorker {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  private pending?: { job: PairJob; resolve(row: SummaryEntry): void; started: number };
  private started = false;
  private exited = false;
  private cancelling = false;
  /**
   * What the worker is writing now (its hidden partial folder, temporary files), mirrored into this process's
   * leftovers: a second Ctrl-C ends the batch at once (core/cli/interrupt.ts), and the files only the worker knew
   * would outlive it — its own clean-up comes only once it notices that the batch is gone.
   */
  private readonly leftovers = new MirroredLeftovers();

  constructor(env: NodeJS.ProcessEnv | undefined, private readonly callbacks: PoolCallbacks) {
    // Worker stdout goes to our stderr: the batch's stdout is for its result (--json).
    this.child = fork(BOOTSTRAP, [], { env: env ?? process.env, execArgv: workerExecArgv(), stdio: ['ignore', 2, 2, 'ipc'], serialization: 'json' });
    this.ready = new Promise<void>((resolve, reject) => {
      const onMessage = (m: FromWorker) => {
        if (m.type === 'ready') {
          this.started = true;
          resolve();
        }
      };
      this.child.on('message', onMessage);
      this.child.once('exit', (code, signal) => reject(new WorkerStartError(signal, code)));
    });
    this.ready.catch(() => undefined);
    this.child.on('message', (m: FromWorker) => {
      if (m.type === 'leftover') this.leftovers.update(m.path, m.inFlight, m.restoreTo);
      if (!this.pending) return;
      if (m.type === 'progress' && m.id === this.pending.job.pair.id) this.callbacks.onProgress?.(this.pending.job, m.report);
      if (m.type === 'result' && m.id === this.pending.job.pair.id) {
        const { resolve } = this.pending;
        this.pending = undefined;
        resolve(m.row);
      }
    });
    this.child.once('exit', (code, signal) => {
      this.exited = true;
      // A worker killed mid-pair (out of memory, past the cancel grace time) could not remove what it was writing.
      void this.leftovers.removeAll();
      if (!this.pending) return;
      const { job, resolve, started } = this.pending;
      this.pending = undefined;
      const seconds = (performance.now() - started) / 1000;
      const how = signal ? `was killed by ${signal}${signal === 'SIGKILL' ? ' (out of memory?)' : ''}` : `exited with code ${code}`;
      resolve(this.cancelling ? errorRow(pairIdentity(job.pair), 'cancelled', 'cancelled', 'cancelled (the worker was stopped)', seconds) : errorRow(pairIdentity(job.pair), 'failed', 'crash', `the worker process ${how} while registering this pair`, seconds));
    });
  }

  get alive(): boolean {
    return !this.exited;
  }

  run(job: PairJob): Promise<SummaryEntry> {
    return new Promise((resolve) => {
      this.pending = { job, resolve, started: performance.now() };
      this.send({ type: 'run', job });
    });
  }

  cancel(): void {
    // A worker still starting holds no pair and has written nothing: it is ended at once, so that a cancel that
    // comes while it loads (seconds on a busy machine) stops the batch at once rather than after that wait.
    if (!this.started && !this.exited) {
      this.child.kill('SIGKILL');
      return;
    }
    if (!this.pending || this.cancelling) return;
    this.cancelling = true;
    this.send({ type: 'cancel' });
    setTimeout(() => {
      if (!this.exited) this.child.kill('SIGKILL');
    }, CANCEL_GRACE_MS).unref();
  }

  private send(message: ToWorker): void {
    if (this.exited || !this.child.connected) return;
    this.child.send(message);
  }

  /** Ends the process (disconnecting makes the worker exit) and waits for it, and for what it left to be removed. */
  async close(): Promise<void> {
    if (!this.exited) {
      const gone = new Promise((r) => this.child.once('exit', r));
      if (this.child.connected) this.child.disconnect();
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    }
    await this.leftovers.removeAll();
  }
}

/** Runs every job; resolves with one row per job (in completion order), cancelled rows for jobs never started. */
export async function runInWorkers(jobs: readonly PairJob[], options: PoolOptions): Promise<SummaryEntry[]> {
  const queue = [...jobs];
  const rows: SummaryEntry[] = [];
  const live = new Set<PairWorker>();
  const onAbort = () => {
    for (const w of live) w.cancel();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const slot = async () => {
    let worker: PairWorker | undefined;
    try {
      while (queue.length > 0 && !options.signal?.aborted) {
        if (!worker || !worker.alive) {
          if (worker) {
            live.delete(worker);
            await worker.close();
          }
          worker = new PairWorker(options.env, options);
          live.add(worker);
          try {
            await worker.ready;
          } catch (e) {
            // Cancelled while it was starting: the cancel ended it (PairWorker.cancel), or the same Ctrl-C or SIGTERM
            // reached it, sent to the whole process group before it could set its handlers. No pair had started:
            // the pairs left are listed as cancelled below, not failed.
            if (await cancelledAtStart(options.signal, e)) break;
            // A worker that cannot even start fails the next pair with the reason (and the loop tries a new one).
            const job = queue.shift();
            if (!job) break;
            const row = errorRow(pairIdentity(job.pair), 'failed', 'crash', (e as Error).message);
            rows.push(row);
            options.onDone?.(job, row);
            continue;
          }
          // The wait for the worker gave a cancel its turn: the abort handler had no pair to cancel then.
          if (options.signal?.aborted) break;
        }
        const job = queue.shift();
        if (!job) break;
        options.onStart?.(job);
        const row = await worker.run(job);
        rows.push(row);
        options.onDone?.(job, row);
      }
    } finally {
      if (worker) {
        live.delete(worker);
        await worker.close();
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.workers, jobs.length)) }, slot));
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  for (const job of queue.splice(0)) {
    const row = errorRow(pairIdentity(job.pair), 'cancelled', 'cancelled', 'cancelled before it started');
    rows.push(row);
    options.onDone?.(job, row);
  }
  return rows;
}
