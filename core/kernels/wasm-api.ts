/**
 * Typed access to the parts of the WebAssembly JS API and of `Atomics.waitAsync` that the kernels use. The
 * project's TypeScript lib (ES2023, no DOM) declares neither, and declaring them globally would leak into every
 * module; this file narrows `globalThis` once instead.
 */

export interface WasmMemory {
  readonly buffer: SharedArrayBuffer;
  grow(deltaPages: number): number;
}

export interface WasmMemoryDescriptor {
  initial: number;
  maximum: number;
  shared: true;
}

/** A compiled module: opaque, structured-cloneable to workers. */
export interface WasmModule {
  readonly __wasmModule?: never;
}

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

interface WasmNamespace {
  Memory: new (descriptor: WasmMemoryDescriptor) => WasmMemory;
  compile(bytes: Uint8Array): Promise<WasmModule>;
  instantiate(module: WasmModule, imports: Record<string, Record<string, unknown>>): Promise<WasmInstance>;
  validate(bytes: Uint8Array): boolean;
}

/** The global `WebAssembly` object, typed. */
export const wasmApi: WasmNamespace = (globalThis as unknown as { WebAssembly: WasmNamespace }).WebAssembly;

/** Bytes in one WebAssembly page. */
export const WASM_PAGE_BYTES = 65536;

type WaitResult = { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };

/** `Atomics.waitAsync` (ES2024; in Node ≥ 16): resolves when `array[index]` is notified or no longer `value`. */
export function waitAsync(array: Int32Array, index: number, value: number, timeoutMs?: number): WaitResult {
  const atomics = Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number, t?: number): WaitResult };
  return atomics.waitAsync(array, index, value, timeoutMs);
}
