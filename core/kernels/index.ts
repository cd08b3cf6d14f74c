/**
 * Choosing a kernel engine (see types.ts for the interface):
 *   'cpu'  — WASM SIMD on a pool of worker threads (cpu-engine.ts), the default;
 *   'tfjs' — dense tiles of TensorFlow.js ops (tfjs-engine.ts): CUDA through @tensorflow/tfjs-node-gpu when
 *            installed, else tfjs's own wasm backend;
 *   'js'   — the plain-JS float64 reference (js-engine.ts).
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

const ENGINE_NAMES: readonly (EngineName | 'auto')[] = ['auto', 'cpu', 'tfjs', 'js'];

function parseEngineName(value: string, source: string): EngineName | 'auto' {
  const name = value.trim().toLowerCase();
  if (!(ENGINE_NAMES as readonly string[]).includes(name)) {
    throw new RangeError(`${source}: unknown engine "${value}" (expected one of ${ENGINE_NAMES.join(', ')})`);
  }
  return name as EngineName | 'auto';
}

/** True when tfjs-node-gpu is installed and loads (then 'auto' picks 'tfjs'). */
export async function gpuTfjsAvailable(): Promise<boolean> {
  return (await loadTfjsNodeGpu()) !== undefined;
}

/**
 * Creates an engine. An explicit name (the CLI's `--engine`) wins; with 'auto', `MONGE_ENGINE` decides, else a GPU
 * tfjs backend when one loads, else the CPU engine. Call `engine.dispose()` when done.
 */
export async function createEngine(name: EngineName | 'auto' = 'auto'): Promise<CreatedEngine> {
  const env = process.env.MONGE_ENGINE;
  let chosen = parseEngineName(name, 'engine');
  if (chosen === 'auto' && env !== undefined && env.trim() !== '') chosen = parseEngineName(env, 'MONGE_ENGINE');
  if (chosen === 'auto') chosen = (await gpuTfjsAvailable()) ? 'tfjs' : 'cpu';
  let engine: KernelEngine;
  if (chosen === 'cpu') engine = await CpuEngine.create();
  else if (chosen === 'js') engine = new JsEngine();
  else {
    const { TfjsEngine } = await import('./tfjs-engine.ts');
    engine = await TfjsEngine.create();
  }
  return { engine, description: { engine: engine.name, threads: engine.threads, backend: engine.backend } };
}
