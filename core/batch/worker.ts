/**
 * A batch worker process (forked by worker-pool.ts through worker-bootstrap.mjs): runs the pairs it is sent, one at
 * a time, each in its own memory and engine, so a crash or an out-of-memory kill costs one pair, not the batch.
 * It ignores SIGINT (a terminal's Ctrl-C reaches the whole process group; the batch decides and sends 'cancel'),
 * takes SIGTERM (a scheduler stopping the job) as 'cancel' for the pair it runs, and exits as soon as its parent
 * goes away (the IPC channel closes), so a killed batch leaves no worker writing; it first removes what it was
 * writing. It tells the batch what that is as it goes (core/io/leftovers.ts), so that a batch stopped at once (a
 * second Ctrl-C) removes it before it exits, and one whose worker died removes what the worker left.
 */
import { removeLeftoversNow, watchLeftovers } from '../io/leftovers.ts';
import type { ProgressReport } from '../progress/index.ts';
import { pairIdentity, runPair } from './run-pair.ts';
import { errorRow } from './summary-row.ts';
import type { FromWorker, ToWorker } from './worker-messages.ts';

// Nothing is sent once the channel to the batch has closed: process.send would raise an 'error' event instead, and
// with no listener that ends the process at once, without the clean-up of the 'disconnect' handler below.
const send = (message: FromWorker) => {
  if (process.connected) process.send?.(message);
};

if (!process.send) throw new Error('core/batch/worker.ts runs as a forked child process of `monge batch`');

let current: AbortController | undefined;

process.on('SIGINT', () => {
  // The batch process handles Ctrl-C and sends 'cancel'.
});
process.on('SIGTERM', () => current?.abort());
process.on('disconnect', () => {
  current?.abort();
  // The batch is gone (stopped at once by a second Ctrl-C, or killed): nothing will finish or clear the pair's
  // hidden partial folder and temporary files, and the cancellation above would only get to remove them after the
  // exit below. They are removed now, synchronously.
  removeLeftoversNow();
  process.exit(1);
});
watchLeftovers((path, inFlight, restoreTo) => send({ type: 'leftover', path, inFlight, ...(restoreTo !== undefined ? { restoreTo } : {}) }));

process.on('message', (message: ToWorker) => {
  if (message.type === 'cancel') {
    current?.abort();
    return;
  }
  if (message.type !== 'run') return;
  const controller = new AbortController();
  current = controller;
  const { job } = message;
  let last = 0;
  const onProgress = (report: ProgressReport) => {
    const now = Date.now();
    if (now - last < 200 && report.fraction < 1) return;
    last = now;
    send({ type: 'progress', id: job.pair.id, report });
  };
  void runPair(job, { signal: controller.signal, onProgress })
    .catch((e: unknown) => errorRow(pairIdentity(job.pair), 'failed', 'crash', `the worker failed: ${(e as Error)?.message ?? String(e)}`))
    .then((row) => {
      current = undefined;
      send({ type: 'result', id: job.pair.id, row });
    });
});

send({ type: 'ready', pid: process.pid });
