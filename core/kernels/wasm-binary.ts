/**
 * Loading the committed WASM SIMD kernels (core/kernels/wasm/kernels.wasm, built by `npm run build:kernels`
 * from the AssemblyScript sources beside it) and instantiating them over a shared memory.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { RowKernel } from './wasm-layout.ts';
import { type WasmMemory, type WasmModule, wasmApi } from './wasm-api.ts';
import { runtimeFile } from '../runtime/app-files.ts';

/** The committed binary. */
export const KERNELS_WASM_URL = runtimeFile('kernels.wasm', new URL('./wasm/kernels.wasm', import.meta.url));

/** Maximum pages of the shared memory the module imports (4 GiB, the wasm32 limit). */
export const KERNELS_MAX_PAGES = 65536;

/** The exports of kernels.wasm (see wasm/kernels.ts). */
export type KernelExports = Record<RowKernel, (params: number, i0: number, i1: number, scratch: number) => void> & {
  scratchBytes(): number;
  heapBase(): number;
  /** 0: chunk columns, 1: max dim, 2: max value channels, 3: max k. */
  limits(which: number): number;
  /** e^x of `nvec` float32 vectors at byte offset `src` into `dst` (tests the SIMD exponential). */
  expChunk(src: number, dst: number, nvec: number, scratch: number): void;
  /** Σ exp(x − shift) over `nvec` float32 vectors at `src` (tests the log-sum-exp loop's exponential). */
  expSumChunk(src: number, nvec: number, shift: number, scratch: number): number;
};

let compiled: Promise<WasmModule> | undefined;

/** Compiles kernels.wasm once per thread. */
export function kernelModule(): Promise<WasmModule> {
  compiled ??= readFile(fileURLToPath(KERNELS_WASM_URL)).then((bytes) => wasmApi.compile(new Uint8Array(bytes)));
  return compiled;
}

/** A fresh shared memory of `pages` pages for the kernels. */
export function createKernelMemory(pages: number): WasmMemory {
  return new wasmApi.Memory({ initial: pages, maximum: KERNELS_MAX_PAGES, shared: true });
}

/** Instantiates the kernels over `memory` (each thread has its own instance, all share the memory). */
export async function instantiateKernels(module: WasmModule, memory: WasmMemory): Promise<KernelExports> {
  const instance = await wasmApi.instantiate(module, { env: { memory } });
  return instance.exports as unknown as KernelExports;
}
