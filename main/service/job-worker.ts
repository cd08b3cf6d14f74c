/**
 * A job worker thread: loads the job module named in workerData, runs it with throttled progress reports and an
 * AbortSignal that the runner's 'cancel' message fires, and reports the result or the error. The runner
 * terminates the thread afterwards, and also when a cancelled job does not stop by itself within its grace time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { watchLeftovers } from '../../core/io/leftovers.ts';
import { CancelledError, type ProgressReport } from '../../core/progress/index.ts';
import { toErrorInfo } from './error-info.ts';
import type { FromJobWorker, JobWorkerData, ToJobWorker } from './job-messages.ts';
import type { JobRun } from './jobs/job-module.ts';

const port = parentPort;
if (!port) throw new Error('job-worker.ts must run as a worker thread');
const data = workerData as JobWorkerData;
const post = (message: FromJobWorker, transfer?: ArrayBuffer[]): void => port.postMessage(message, transfer);

// The runner removes what a thread terminated mid-write leaves: tell it what is being written.
watchLeftovers((path, inFlight, restoreTo) => post({ type: 'leftover', path, inFlight, ...(restoreTo !== undefined ? { restoreTo } : {}) }));

const controller = new AbortController();
port.on('message', (message: ToJobWorker) => {
  if (message.type === 'cancel') controller.abort();
});

/** Sends a report when the stage changes, when it completes, or at most every `progressIntervalMs`. */
function throttledProgress(intervalMs: number): (report: ProgressReport) => void {
  let lastStage = '';
  let lastTime = 0;
  return ({ stage, fraction }) => {
    const now = performance.now();
    if (stage === lastStage && fraction < 1 && now - lastTime < intervalMs) return;
    lastStage = stage;
    lastTime = now;
    post({ type: 'progress', stage, fraction: Math.min(1, Math.max(0, fraction)) });
  };
}

try {
  const module = (await import(data.moduleUrl)) as { run?: JobRun };
  if (typeof module.run !== 'function') throw new Error(`job module ${data.moduleUrl} has no run() export`);
  const output = await module.run(data.params, { onProgress: throttledProgress(data.progressIntervalMs), signal: controller.signal });
  post({ type: 'done', result: output.result }, output.transfer);
} catch (error) {
  post({ type: 'failed', error: toErrorInfo(error), cancelled: error instanceof CancelledError || controller.signal.aborted });
}
// The runner terminates this thread once it has the answer (the 'message' listener keeps it alive until then).
