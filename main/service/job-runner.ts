/**
 * Runs named jobs, each in its own worker thread, and tells listeners what they do (JobEvent: started, progress,
 * then exactly one of done / failed / cancelled).
 *
 * Why a thread per job: registrations and surface extraction are seconds of synchronous number crunching. In a
 * worker they leave the host's event loop free (the Electron main process must keep answering the window, the web
 * host its sockets), several can run at once on a multi-core machine, and a cancel can always end one: the
 * worker's AbortSignal fires first so that cooperative code (core's ProgressOptions.signal) stops cleanly, and if
 * the thread has not finished within `cancelGraceMs` it is terminated, which interrupts even a tight loop. The
 * runner itself is never harmed: a job that throws, crashes its thread or is killed only ends that job.
 *
 * A thread terminated mid-write cannot remove its temporary files (an atomic write's `.name.XXXX.tmp`, a
 * registration's `.OUTDIR.partial-XXXXXX`): the worker tells the runner which ones it has in flight
 * (core/io/leftovers.ts), and the runner removes them before it reports the job cancelled or failed (the previous
 * results an overwrite had moved aside go back to their place instead). Only that job's own: another job, or another
 * process, writing beside it keeps its files.
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { MirroredLeftovers } from '../../core/io/leftovers.ts';
import { CancelledError } from '../../core/progress/index.ts';
import { runtimeFile } from '../../core/runtime/app-files.ts';
import type { ApiErrorInfo, JobEvent, JobId } from './api.ts';
import { ApiError } from './error-info.ts';
import type { FromJobWorker, JobWorkerData, ToJobWorker } from './job-messages.ts';
import { currentJobOwner } from './job-owner.ts';

export interface JobRunnerOptions {
  /** Job modules by name (files exporting `run`, see jobs/job-module.ts). */
  modules: Record<string, URL>;
  /** Time a cancelled job has to stop by itself before its thread is terminated (default 250 ms). */
  cancelGraceMs?: number;
  /**
   * Job kinds whose work is one synchronous computation that writes nothing (surface extraction): their thread
   * cannot see the cancel message until the work is done, so a cancel terminates it at once instead of after the
   * grace time, which would only delay the cancel (it made the app's Escape take over a second on a busy machine).
   */
  terminateAtOnce?: readonly string[];
  /** Minimum time between two progress events of one stage (default 50 ms). */
  progressIntervalMs?: number;
  /** The worker entry (default: the tsx bootstrap beside this file). */
  workerUrl?: URL;
  /**
   * Jobs whose threads run at once (default: the machine's available parallelism). More wait their turn, in the
   * order they were started: each registration holds hundreds of MB and a core, and a burst of them (a script
   * calling the API in a loop, many files opened at once) would otherwise run the machine out of memory.
   */
  maxRunning?: number;
}

export interface StartOptions {
  /** Words for the user ("Extracting the surface of copd1_exp_lungmask.nii.gz"). */
  label?: string;
  /** Buffers of `params` to move into the worker instead of copying. */
  transfer?: ArrayBuffer[];
}

/** A started job: its id and its result (rejects with CancelledError on cancel, ApiError on failure). */
export interface JobHandle<R = unknown> {
  id: JobId;
  kind: string;
  result: Promise<R>;
}

interface RunningJob {
  id: JobId;
  kind: string;
  /** The client whose call started it (job-owner.ts); undefined: everyone's. */
  owner?: string;
  /** Its thread; none while it waits for a free one. */
  worker?: Worker;
  /** Starts its thread (the job waits until there is room for it). */
  launch: () => Worker;
  settled: boolean;
  /** Cancel asked (or the job stopped with CancelledError): the thread's exit ends the job as cancelled. */
  cancelling: boolean;
  cancelTimer?: NodeJS.Timeout;
  /** Paths in flight in its thread (each with where it goes back to, if anywhere), undone when it ends unfinished. */
  leftovers: MirroredLeftovers;
  /** Ending without a result: its leftovers are being removed, then it settles as failed or cancelled. */
  ending: boolean;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/** The job worker's entry: a bootstrap that loads job-worker.ts through tsx, or the bundled job-worker.mjs. */
const DEFAULT_WORKER_URL = runtimeFile('job-worker.mjs', new URL('./job-worker-bootstrap.mjs', import.meta.url));

/** A job event, with the owner of its job (job-owner.ts; undefined: everyone's). */
export type JobListener = (event: JobEvent, owner: string | undefined) => void;

export class JobRunner {
  private readonly jobs = new Map<JobId, RunningJob>();
  /** Jobs started while `maxRunning` threads were busy, oldest first. */
  private readonly waiting: RunningJob[] = [];
  private readonly maxRunning: number;
  private readonly listeners = new Set<JobListener>();
  private readonly cancelGraceMs: number;
  private readonly progressIntervalMs: number;
  private readonly workerUrl: URL;

  constructor(private readonly options: JobRunnerOptions) {
    this.cancelGraceMs = options.cancelGraceMs ?? 250;
    this.progressIntervalMs = options.progressIntervalMs ?? 50;
    this.workerUrl = options.workerUrl ?? DEFAULT_WORKER_URL;
    this.maxRunning = Math.max(1, Math.floor(options.maxRunning ?? availableParallelism()));
  }

  /** Subscribes to every job's events, each with the job's owner (job-owner.ts); returns the unsubscribe function. */
  onEvent(listener: JobListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Ids of the jobs still running or waiting to. */
  get running(): JobId[] {
    return [...this.jobs.keys()];
  }

  /**
   * Starts job `kind` with `params` (structured-cloneable) in a new worker thread, or, when `maxRunning` threads are
   * busy, as soon as one ends (it reports the stage 'waiting' until then).
   */
  start<R = unknown>(kind: string, params: unknown, options: StartOptions = {}): JobHandle<R> {
    const moduleUrl = this.options.modules[kind];
    if (!moduleUrl) throw new Error(`unknown job "${kind}" (known: ${Object.keys(this.options.modules).join(', ')})`);
    const id = randomUUID();
    const data: JobWorkerData = { moduleUrl: moduleUrl.href, params, progressIntervalMs: this.progressIntervalMs };
    let resolve!: (value: unknown) => void;
    let reject!: (error: Error) => void;
    const result = new Promise<unknown>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Callers that only follow the events need not await the result; a rejection must not go unhandled then.
    result.catch(() => undefined);
    const launch = (): Worker => {
      const worker = new Worker(this.workerUrl, { workerData: data, transferList: options.transfer });
      worker.on('message', (message: FromJobWorker) => this.onMessage(job, message));
      worker.on('error', (error) => this.endUnfinished(job, () => this.fail(job, { name: error.name, message: error.message })));
      worker.on('exit', (code) =>
        this.endUnfinished(job, () => {
          if (job.cancelling) this.finishCancelled(job);
          else this.fail(job, { name: 'Error', message: `the job's worker thread stopped unexpectedly (exit code ${code})` });
        }),
      );
      return worker;
    };
    const job: RunningJob = { id, kind, owner: currentJobOwner(), launch, settled: false, cancelling: false, leftovers: new MirroredLeftovers(), ending: false, resolve, reject };
    this.jobs.set(id, job);
    this.emit(job, { type: 'started', jobId: id, kind, label: options.label ?? kind });
    if (this.threadsRunning() < this.maxRunning) job.worker = launch();
    else {
      this.waiting.push(job);
      this.emit(job, { type: 'progress', jobId: id, kind, stage: 'waiting', fraction: 0 });
    }
    return { id, kind, result: result as Promise<R> };
  }

  /** How many jobs have a thread now. */
  private threadsRunning(): number {
    let count = 0;
    for (const job of this.jobs.values()) if (job.worker) count++;
    return count;
  }

  /** Gives the threads that ended to the jobs waiting longest. */
  private launchWaiting(): void {
    while (this.waiting.length > 0 && this.threadsRunning() < this.maxRunning) {
      const job = this.waiting.shift()!;
      job.worker = job.launch();
    }
  }

  /**
   * Cancels a running job: its signal fires at once, and its thread is terminated after the grace time if it is
   * still running. The 'cancelled' event comes when the thread is gone. False when no such job is running.
   */
  cancel(id: JobId): boolean {
    const job = this.jobs.get(id);
    if (!job || job.settled) return false;
    if (job.cancelling) return true;
    job.cancelling = true;
    const worker = job.worker;
    if (!worker) {
      // Still waiting: nothing ran, nothing to stop.
      this.waiting.splice(this.waiting.indexOf(job), 1);
      this.finishCancelled(job);
      return true;
    }
    worker.postMessage({ type: 'cancel' } satisfies ToJobWorker);
    if (this.options.terminateAtOnce?.includes(job.kind)) void worker.terminate();
    else job.cancelTimer = setTimeout(() => void worker.terminate(), this.cancelGraceMs);
    return true;
  }

  /** Cancels the jobs `owner` started (a client gone); returns how many. */
  cancelOwnedBy(owner: string): number {
    const owned = [...this.jobs.values()].filter((job) => job.owner === owner);
    for (const job of owned) this.cancel(job.id);
    return owned.length;
  }

  /** Cancels every running job and waits until their threads are gone. */
  async dispose(): Promise<void> {
    const jobs = [...this.jobs.values()];
    for (const job of jobs) this.cancel(job.id);
    await Promise.all(jobs.map((job) => job.worker?.terminate()));
    await Promise.all(jobs.map((job) => job.leftovers.removeAll()));
  }

  private onMessage(job: RunningJob, message: FromJobWorker): void {
    if (job.settled) return;
    if (message.type === 'leftover') {
      job.leftovers.update(message.path, message.inFlight, message.restoreTo);
    } else if (message.type === 'progress') {
      if (!job.cancelling) this.emit(job, { type: 'progress', jobId: job.id, kind: job.kind, stage: message.stage, fraction: message.fraction });
    } else if (message.type === 'done') {
      // Finished before a cancel could stop it: its outputs are complete and in place, so it is done, not cancelled.
      this.settle(job);
      job.resolve(message.result);
      const outDir = (message.result as { outDir?: unknown } | undefined)?.outDir;
      this.emit(job, { type: 'done', jobId: job.id, kind: job.kind, ...(typeof outDir === 'string' ? { outDir } : {}) });
    } else if (message.cancelled || job.cancelling) {
      // Stopped cooperatively: end the thread now rather than at the grace time; its exit reports the cancel.
      job.cancelling = true;
      if (job.cancelTimer) clearTimeout(job.cancelTimer);
      void job.worker?.terminate();
    } else {
      this.endUnfinished(job, () => this.fail(job, message.error));
    }
  }

  /** Ends a job that did not finish its work: its thread's temporary files are removed first, then `report` runs once. */
  private endUnfinished(job: RunningJob, report: () => void): void {
    if (job.settled || job.ending) return;
    job.ending = true;
    void job.leftovers.removeAll().then(report);
  }

  private finishCancelled(job: RunningJob): void {
    this.settle(job);
    job.reject(new CancelledError(job.kind));
    this.emit(job, { type: 'cancelled', jobId: job.id, kind: job.kind });
  }

  private fail(job: RunningJob, error: ApiErrorInfo): void {
    if (job.settled) return;
    this.settle(job);
    job.reject(new ApiError(error));
    this.emit(job, { type: 'failed', jobId: job.id, kind: job.kind, message: error.message, ...(error.file ? { file: error.file } : {}) });
  }

  /** Marks a job finished, forgets it, and makes sure its thread ends. */
  private settle(job: RunningJob): void {
    job.settled = true;
    if (job.cancelTimer) clearTimeout(job.cancelTimer);
    this.jobs.delete(job.id);
    void job.worker?.terminate();
    this.launchWaiting();
  }

  private emit(job: RunningJob, event: JobEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event, job.owner);
      } catch {
        // A listener's failure (a closed socket) must not stop the others or the job.
      }
    }
  }
}
