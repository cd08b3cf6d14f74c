/**
 * The messages between the batch and its worker processes (child_process IPC, structured-clone-free JSON):
 * the batch sends a pair to run or asks to cancel; a worker says it is ready, reports progress, tells which
 * temporary files and folders it is writing (core/io/leftovers.ts: `inFlight` true when one appears, false once it
 * is final or gone), and returns the pair's summary row. One pair at a time per worker.
 */
import type { ProgressReport } from '../progress/index.ts';
import type { PairJob } from './run-pair.ts';
import type { SummaryEntry } from './summary-row.ts';

export type ToWorker = { type: 'run'; job: PairJob } | { type: 'cancel' };

export type FromWorker =
  | { type: 'ready'; pid: number }
  | { type: 'progress'; id: string; report: ProgressReport }
  | { type: 'leftover'; path: string; inFlight: boolean; restoreTo?: string }
  | { type: 'result'; id: string; row: SummaryEntry };
