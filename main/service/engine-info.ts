/**
 * Which compute engine a registration would run on, for Help › About, without starting one (an engine spawns a
 * thread pool or opens a GPU device): the same rule as core/kernels createEngine('auto') — TensorFlow.js on CUDA
 * when tfjs-node-gpu loads, else WASM SIMD on a pool of worker threads; MONGE_ENGINE overrides (e.g. webgpu).
 */
import { availableParallelism } from 'node:os';
import { autoEngineName } from '../../core/kernels/index.ts';
import { probeWebGpu } from '../../core/kernels/webgpu-device.ts';
import type { EngineInfo } from './api.ts';

export async function engineInfo(): Promise<EngineInfo> {
  const threads = Number(process.env.MONGE_THREADS) > 0 ? Number(process.env.MONGE_THREADS) : availableParallelism();
  const forced = process.env.MONGE_ENGINE?.trim().toLowerCase();
  const name = forced && forced !== 'auto' ? forced : await autoEngineName();
  const description =
    name === 'webgpu'
      ? `WebGPU compute shaders on ${(await probeWebGpu())?.description ?? 'a GPU (none found)'}`
      : name === 'tfjs'
        ? 'TensorFlow.js tiles (CUDA when tfjs-node-gpu is installed)'
        : name === 'js'
          ? 'plain JavaScript reference kernels'
          : `WebAssembly SIMD kernels on ${threads} worker thread${threads === 1 ? '' : 's'}`;
  return { name, description, threads: name === 'cpu' ? threads : 1 };
}
