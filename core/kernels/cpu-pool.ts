/**
 * The CPU engine's thread pool: `threads` worker_threads (cpu-worker.ts), each with its own instance of
 * kernels.wasm over ONE shared WebAssembly.Memory, so inputs are written once by the host and read by every
 * thread in place. Jobs are published through a SharedArrayBuffer control block (cpu-pool-control.ts): workers
 * sleep in Atomics.wait, claim row chunks with an atomic counter (dynamic load balancing, which matters for
 * block-sparse rows of uneven cost), and the host awaits completion with Atomics.waitAsync — no message round
 * trip per call. Tiny jobs run inline on the host's own instance, where waking threads would cost more than
 * the work.
 *
 * Idle workers are unref'd, so the pool never keeps a process alive; they are ref'd only while a job runs.
 * dispose() stops and terminates them.
 */
import { Worker } from 'node:worker_threads';
import { CONTROL_BYTES, CONTROL_INTS, Control, type WorkerInit, type WorkerMessage } from './cpu-pool-control.ts';
import { MAX_DIM, MAX_K, MAX_VDIM } from './validate.ts';
import { type WasmMemory, WASM_PAGE_BYTES, waitAsync } from './wasm-api.ts';
import { type KernelExports, KERNELS_MAX_PAGES, createKernelMemory, instantiateKernels, kernelModule } from './wasm-binary.ts';
import { ROW_KERNELS, type RowKernel } from './wasm-layout.ts';
import { runtimeFile } from '../runtime/app-files.ts';

/** Default: jobs of fewer pairs run inline on the calling thread (waking the pool costs tens of µs). */
export const INLINE_PAIRS = 1 << 13;

/** Pairs per claimed chunk, at least (keeps the atomic claim cost negligible). */
const MIN_CHUNK_PAIRS = 1 << 14;

/** Chunks per thread, at least, for load balancing. */
const CHUNKS_PER_THREAD = 8;

function align(value: number, to: number): number {
  return Math.ceil(value / to) * to;
}

/** The worker entry: a .mjs bootstrap that loads cpu-worker.ts through tsx, or the bundled cpu-worker.mjs. */
const WORKER_URL = runtimeFile('cpu-worker.mjs', new URL('./cpu-worker-bootstrap.mjs', import.meta.url));

export class CpuPool {
  private readonly control: Int32Array;
  private readonly controlBuffer: SharedArrayBuffer;
  private readonly workers: Worker[];
  private brokenReason: Error | undefined;
  private breakJob: ((e: Error) => void) | undefined;
  private disposed = false;
  /** Jobs of fewer pairs than this run inline on the calling thread. */
  inlinePairs = INLINE_PAIRS;

  private constructor(
    readonly memory: WasmMemory,
    private readonly inline: KernelExports,
    private readonly inlineScratch: number,
    /** First byte free for call data (after the module's statics and the scratch areas). */
    readonly dataBase: number,
    control: SharedArrayBuffer,
    workers: Worker[],
  ) {
    this.controlBuffer = control;
    this.control = new Int32Array(control, 0, CONTROL_INTS);
    this.workers = workers;
    for (const w of workers) {
      w.on('error', (e: Error) => this.markBroken(e));
      w.on('exit', (code: number) => {
        if (!this.disposed) this.markBroken(new Error(`kernel worker exited (code ${code})`));
      });
    }
  }

  /** Starts `threads` workers (≥ 1) and waits until each has instantiated the kernels. */
  static async create(threads: number): Promise<CpuPool> {
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`kernels: thread count must be an integer ≥ 1 (got ${threads})`);
    const module = await kernelModule();
    const memory = createKernelMemory(1);
    const inline = await instantiateKernels(module, memory);
    if (inline.limits(1) !== MAX_DIM || inline.limits(2) !== MAX_VDIM || inline.limits(3) !== MAX_K) {
      throw new Error('kernels.wasm limits differ from validate.ts: rebuild it with `npm run build:kernels`');
    }
    const scratchBytes = inline.scratchBytes();
    const first = align(Math.max(inline.heapBase(), 1024), 64);
    const scratch = Array.from({ length: threads + 1 }, (_, w) => first + w * align(scratchBytes, 64));
    const dataBase = scratch[threads] + align(scratchBytes, 64);
    growTo(memory, dataBase);

    const controlBuffer = new SharedArrayBuffer(CONTROL_BYTES);
    const control = new Int32Array(controlBuffer);
    control[Control.workers] = threads;
    const workers: Worker[] = [];
    const ready: Promise<void>[] = [];
    for (let w = 0; w < threads; w++) {
      const init: WorkerInit = { module, memory, control: controlBuffer, scratch: scratch[w] };
      const worker = new Worker(WORKER_URL, { workerData: init });
      workers.push(worker);
      ready.push(
        new Promise<void>((resolve, reject) => {
          const onMessage = (m: WorkerMessage): void => {
            if (m.type === 'ready') {
              worker.off('message', onMessage);
              resolve();
            }
          };
          worker.on('message', onMessage);
          worker.once('error', reject);
          worker.once('exit', (code) => reject(new Error(`kernel worker exited during start-up (code ${code})`)));
        }),
      );
    }
    try {
      await Promise.all(ready);
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
    for (const w of workers) {
      w.removeAllListeners();
      w.unref();
    }
    return new CpuPool(memory, inline, scratch[threads], dataBase, controlBuffer, workers);
  }

  get threads(): number {
    return this.workers.length;
  }

  /** Grows the shared memory so that byte offsets below `end` exist. */
  ensureBytes(end: number): void {
    growTo(this.memory, end);
  }

  /**
   * Runs row kernel `kernel` over rows [0, rows) with the parameter block at byte offset `params`; `pairs` is
   * the job's total number of (i, j) pairs, used to size chunks and to run tiny jobs inline.
   */
  async run(kernel: RowKernel, params: number, rows: number, pairs: number): Promise<void> {
    if (this.disposed) throw new Error('kernels: the CPU engine has been disposed');
    if (this.brokenReason) throw this.brokenReason;
    if (rows <= 0) return;
    if (pairs < this.inlinePairs) {
      this.inline[kernel](params, 0, rows, this.inlineScratch);
      return;
    }
    const pairsPerRow = Math.max(1, pairs / rows);
    const rowsPerChunk = Math.max(1, Math.ceil(rows / (this.threads * CHUNKS_PER_THREAD)), Math.ceil(MIN_CHUNK_PAIRS / pairsPerRow));
    const c = this.control;
    c[Control.kernel] = ROW_KERNELS.indexOf(kernel);
    c[Control.rows] = rows;
    c[Control.rowsPerChunk] = rowsPerChunk;
    c[Control.chunks] = Math.ceil(rows / rowsPerChunk);
    c[Control.params] = params | 0;
    Atomics.store(c, Control.next, 0);
    Atomics.store(c, Control.done, 0);
    Atomics.store(c, Control.failed, 0);
    c[Control.errorLength] = 0;
    // Ref'd while the job runs: an awaited Atomics.waitAsync alone does not keep Node's event loop alive.
    for (const w of this.workers) w.ref();
    try {
      const broken = new Promise<never>((_, reject) => {
        this.breakJob = reject;
      });
      Atomics.add(c, Control.generation, 1);
      Atomics.notify(c, Control.generation);
      await Promise.race([this.waitDone(), broken]);
      if (Atomics.load(c, Control.failed) !== 0) {
        const text = new Uint8Array(this.controlBuffer, CONTROL_INTS * 4, c[Control.errorLength]).slice();
        throw new Error(`kernels: ${kernel} failed in a worker: ${new TextDecoder().decode(text) || 'unknown error'}`);
      }
    } finally {
      this.breakJob = undefined;
      for (const w of this.workers) w.unref();
    }
  }

  private async waitDone(): Promise<void> {
    const c = this.control;
    const target = this.threads;
    for (;;) {
      const done = Atomics.load(c, Control.done);
      if (done >= target) return;
      const r = waitAsync(c, Control.done, done);
      if (r.async) await r.value;
    }
  }

  private markBroken(e: Error): void {
    this.brokenReason ??= e;
    this.breakJob?.(e);
  }

  /** Stops and terminates the workers. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    Atomics.store(this.control, Control.quit, 1);
    Atomics.add(this.control, Control.generation, 1);
    Atomics.notify(this.control, Control.generation);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

function growTo(memory: WasmMemory, end: number): void {
  const have = memory.buffer.byteLength;
  if (end <= have) return;
  const pages = Math.ceil((end - have) / WASM_PAGE_BYTES);
  if (have / WASM_PAGE_BYTES + pages > KERNELS_MAX_PAGES) {
    throw new RangeError(`kernels: a call needs ${(end / 2 ** 30).toFixed(2)} GiB, over the 4 GiB of WebAssembly memory`);
  }
  memory.grow(pages);
}
