/**
 * A worker thread of the CPU engine's pool: its own instance of kernels.wasm over the shared memory, then a
 * loop that sleeps in Atomics.wait until the host publishes a job (cpu-pool-control.ts), claims row chunks
 * until none are left, and counts itself out. It never returns to its event loop while the pool lives, so
 * after 'ready' it reports only through the control block (a message posted from here can sit undelivered).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CONTROL_INTS, Control, ERROR_TEXT_BYTES, type WorkerInit, type WorkerMessage } from './cpu-pool-control.ts';
import { instantiateKernels } from './wasm-binary.ts';
import { ROW_KERNELS } from './wasm-layout.ts';

const init = workerData as WorkerInit;
const port = parentPort;
if (!port) throw new Error('cpu-worker.ts must run as a worker thread');

const kernels = await instantiateKernels(init.module, init.memory);
const control = new Int32Array(init.control, 0, CONTROL_INTS);
const post = (message: WorkerMessage): void => port.postMessage(message);
// Read the generation before saying ready: the host publishes the first job only after every 'ready'.
let seen = Atomics.load(control, Control.generation);
post({ type: 'ready' });

for (;;) {
  Atomics.wait(control, Control.generation, seen);
  const generation = Atomics.load(control, Control.generation);
  if (generation === seen) continue;
  seen = generation;
  if (Atomics.load(control, Control.quit) !== 0) break;
  try {
    const kernel = kernels[ROW_KERNELS[control[Control.kernel]]];
    const chunks = control[Control.chunks];
    const rowsPerChunk = control[Control.rowsPerChunk];
    const rows = control[Control.rows];
    const params = control[Control.params];
    for (;;) {
      const c = Atomics.add(control, Control.next, 1);
      if (c >= chunks) break;
      const i0 = c * rowsPerChunk;
      kernel(params, i0, Math.min(rows, i0 + rowsPerChunk), init.scratch);
    }
  } catch (e) {
    if (Atomics.compareExchange(control, Control.failed, 0, 1) === 0) {
      const text = new TextEncoder().encode(e instanceof Error ? e.message : String(e)).subarray(0, ERROR_TEXT_BYTES);
      new Uint8Array(init.control, CONTROL_INTS * 4, ERROR_TEXT_BYTES).set(text);
      control[Control.errorLength] = text.length;
    }
  }
  if (Atomics.add(control, Control.done, 1) + 1 === control[Control.workers]) Atomics.notify(control, Control.done);
}
