/**
 * The control block shared by the CPU pool (cpu-pool.ts) and its workers (cpu-worker.ts): an Int32Array over a
 * SharedArrayBuffer. A job is published by writing its fields and then bumping `generation` (Atomics, so the
 * fields are visible to a worker that sees the new generation); workers claim row chunks with an atomic
 * counter (`next`) and count themselves out on `done`, and the host wakes when `done` reaches `workers`.
 * A worker whose kernel throws (a trap) claims `failed` and writes its message after the ints.
 */
import type { WasmMemory, WasmModule } from './wasm-api.ts';

export const Control = {
  generation: 0,
  next: 1,
  done: 2,
  failed: 3,
  /** Index into ROW_KERNELS. */
  kernel: 4,
  chunks: 5,
  rowsPerChunk: 6,
  rows: 7,
  /** Byte offset of the float64 parameter block in the shared memory. */
  params: 8,
  quit: 9,
  workers: 10,
  /** Byte length of the error text of the first failing worker. */
  errorLength: 11,
} as const;

export const CONTROL_INTS = 16;

/** Bytes after the control ints holding the first failure's message (UTF-8), read by the host. */
export const ERROR_TEXT_BYTES = 512;

/** Byte length of the control SharedArrayBuffer. */
export const CONTROL_BYTES = CONTROL_INTS * 4 + ERROR_TEXT_BYTES;

/** `workerData` of a pool worker. */
export interface WorkerInit {
  module: WasmModule;
  memory: WasmMemory;
  control: SharedArrayBuffer;
  /** Byte offset of this worker's scratch area. */
  scratch: number;
}

/** Messages a worker posts (only at start-up: errors travel through the control block, see cpu-worker.ts). */
export type WorkerMessage = { type: 'ready' };
