/**
 * Choosing a kernel engine (see types.ts for the interface):
 *   'cpu'    — WASM SIMD on a pool of worker threads (cpu-engine.ts), the default;
 *   'webgpu' — WGSL compute shaders on a GPU through the optional `webgpu` package (Dawn: Vulkan, Metal,
 *              D3D12; webgpu-engine.ts), on request only: its results match the others (checked on a software
 *              Vulkan adapter), but its speed on GPU hardware has not been measured against 'cpu' yet;
 *   'tfjs'   — dense tiles of TensorFlow.js ops (tfjs-engine.ts): CUDA through @tensorflow/tfjs-node-gpu when
 *              installed, else tfjs's own wasm backend;
 *   'js'     — the plain-JS float64 reference (js-engine.ts).
 * 'auto' takes 'tfjs' when a GPU backend (tfjs-node-gpu) can be imported, else 'cpu'. The MONGE_ENGINE
 * environment variable, when set, overrides the requested name (as `--engine` would).
 */
import { CpuEngine } from './cpu-engine.ts';
import { JsEngine } from './js-engine.ts';
import { loadTfjsNodeGpu } from './tfjs-loader.ts';
import type { EngineName, KernelEngine } from './types.ts';

export type { BlockSparsity, Cloud, CostExponent, EngineName, KernelEngine } from './types.ts';
export { EMPTY_LSE, EMPTY_SCORE, EMPTY_SOFTMIN, OUTPUT_LIMIT } from './output-limits.ts';

/** For reports: which engine ran, on how many threads, on which backend. */
export interface EngineDescription {
  engine: EngineName;
  threads: number;
  backend: string;
}

export interface CreatedEngine {
  engine: KernelEngine;
  description: EngineDescription;
}

/** What `--engine` and MONGE_ENGINE accept. */
export const ENGINE_NAMES: readonly (EngineName | 'auto')[] = ['auto', 'cpu', 'webgpu', 'tfjs', 'js'];

/** The engine a name stands for (any case, spaces around ignored), or undefined when it names none. */
export function engineNameOf(value: string): EngineName | 'auto' | undefined {
  const name = value.trim().toLowerCase();
  return (ENGINE_NAMES as readonly string[]).includes(name) ? (name as EngineName | 'auto') : undefined;
}

function parseEngineName(value: string, source: string): EngineName | 'auto' {
  const name = engineNameOf(value);
  if (name === undefined) throw new RangeError(`${source}: unknown engine "${value}" (expected one of ${ENGINE_NAMES.join(', ')})`);
  return name;
}

/** True when tfjs-node-gpu is installed and loads. */
export async function gpuTfjsAvailable(): Promise<boolean> {
  return (await loadTfjsNodeGpu()) !== undefined;
}

/** What 'auto' runs on this machine: CUDA tfjs when it loads, else the CPU engine. */
export async function autoEngineName(): Promise<EngineName> {
  return (await gpuTfjsAvailable()) ? 'tfjs' : 'cpu';
}

/**
 * Creates an engine. An explicit name (the CLI's `--engine`) wins; with 'auto', `MONGE_ENGINE` decides, else
 * autoEngineName(). Call `engine.dispose()` when done.
 */
export async function createEngine(name: EngineName | 'auto' = 'auto'): Promise<CreatedEngine> {
  const env = process.env.MONGE_ENGINE;
  let chosen = parseEngineName(name, 'engine');
  if (chosen === 'auto' && env !== undefined && env.trim() !== '') chosen = parseEngineName(env, 'MONGE_ENGINE');
  if (chosen === 'auto') chosen = await autoEngineName();
  let engine: KernelEngine;
  if (chosen === 'cpu') engine = await CpuEngine.create();
  else if (chosen === 'js') engine = new JsEngine();
  else if (chosen === 'webgpu') {
    const { WebGpuEngine } = await import('./webgpu-engine.ts');
    engine = await WebGpuEngine.create();
  } else {
    const { TfjsEngine } = await import('./tfjs-engine.ts');
    engine = await TfjsEngine.create();
  }
  return { engine, description: { engine: engine.name, threads: engine.threads, backend: engine.backend } };
}
