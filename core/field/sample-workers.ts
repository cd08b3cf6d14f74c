/**
 * The host side of sampleOnGrid's worker threads: one worker per slab of the grid, given the deformation's data
 * form (deformation-data.ts) and the slab, answering with the slab's values (transferred, not copied) and its
 * residuals. A worker that is stopped — the run was cancelled or another slab failed — is terminated.
 */
import { Worker } from 'node:worker_threads';
import { CancelledError } from '../progress/index.ts';
import { runtimeFile } from '../runtime/app-files.ts';
import type { DeformationData } from './deformation-data.ts';
import type { RangeResiduals, RangeSettings } from './sample-on-grid.ts';
import type { GridLps } from './types.ts';

/** What a worker samples: voxels [start, start + count) of `grid`. */
export interface SampleJob {
  deformation: DeformationData;
  grid: GridLps;
  start: number;
  count: number;
  precision: 'float32' | 'float64';
  settings: RangeSettings;
}

/** A worker's answer. */
export type SampleReply = { ok: true; values: Float32Array | Float64Array; residuals: RangeResiduals } | { ok: false; message: string };

export interface SampleWorker {
  result: Promise<{ start: number; values: Float32Array | Float64Array; residuals: RangeResiduals }>;
  /** Terminates the worker if it is still running. */
  stop(): void;
}

/** The worker's entry: a bootstrap that loads sample-worker.ts through tsx, or the bundled field-sample-worker.mjs. */
const WORKER_URL = runtimeFile('field-sample-worker.mjs', new URL('./sample-worker-bootstrap.mjs', import.meta.url));

export function startSampleWorker(job: SampleJob, signal: AbortSignal | undefined, stage: string): SampleWorker {
  const worker = new Worker(WORKER_URL, { workerData: job });
  let settled = false;
  const result = new Promise<{ start: number; values: Float32Array | Float64Array; residuals: RangeResiduals }>((resolve, reject) => {
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      f();
    };
    const onAbort = () => settle(() => reject(new CancelledError(stage)));
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (reply: SampleReply) =>
      settle(() => (reply.ok ? resolve({ start: job.start, values: reply.values, residuals: reply.residuals }) : reject(new Error(`displacement field sampling: ${reply.message}`)))),
    );
    worker.once('error', (e: Error) => settle(() => reject(e)));
    worker.once('exit', (code) => settle(() => reject(new Error(`displacement field sampling: a worker exited (code ${code}) before answering`))));
  });
  // The caller may stop waiting (another slab failed); the rejection is then nobody's to handle.
  result.catch(() => undefined);
  return { result, stop: () => void worker.terminate() };
}
