/**
 * Messages between the job runner (job-runner.ts) and a job worker (job-worker.ts), kept in one place so both
 * sides agree on them.
 */
import type { ApiErrorInfo } from './api.ts';

/** What the worker is given at start. */
export interface JobWorkerData {
  /** URL of the job module (a file exporting `run`, see jobs/job-module.ts). */
  moduleUrl: string;
  params: unknown;
  /** Minimum time between two progress messages of the same stage (ms). */
  progressIntervalMs: number;
}

/** Runner → worker. */
export type ToJobWorker = { type: 'cancel' };

/** Worker → runner. */
export type FromJobWorker =
  | { type: 'progress'; stage: string; fraction: number }
  | { type: 'done'; result: unknown }
  /**
   * A temporary file or folder (core/io/leftovers.ts) the job is writing (inFlight) or has finished with; with
   * `restoreTo`, one that goes back there rather than away.
   */
  | { type: 'leftover'; path: string; inFlight: boolean; restoreTo?: string }
  | { type: 'failed'; error: ApiErrorInfo; cancelled: boolean };
