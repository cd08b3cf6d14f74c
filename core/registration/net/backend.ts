/**
 * Which tfjs backend runs the network: 'wasm' (default; tfjs's XNNPACK SIMD build, one thread), 'cpu' (plain JS,
 * slower, bit-for-bit independent of WASM), or 'tensorflow' (CUDA through the optional @tensorflow/tfjs-node-gpu;
 * it registers its backend on the same global tfjs engine). Loading goes through core/kernels/tfjs-loader.ts, the
 * one place that knows where each backend comes from.
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadTfjs, loadTfjsNodeGpu, type TfjsBackendName } from '../../kernels/tfjs-loader.ts';

export type NetBackendName = TfjsBackendName;

export const NET_BACKENDS: readonly NetBackendName[] = ['wasm', 'cpu', 'tensorflow'];

/** The default: 'tensorflow' when tfjs-node-gpu loads, else 'wasm'. `MONGE_NET_BACKEND` overrides. */
export async function defaultNetBackend(): Promise<NetBackendName> {
  const env = process.env.MONGE_NET_BACKEND;
  if (env !== undefined && env.trim() !== '') {
    const name = netBackendOf(env);
    if (name === undefined) throw new RangeError(`MONGE_NET_BACKEND: unknown backend '${env.trim().toLowerCase()}' (expected ${NET_BACKENDS.join(', ')})`);
    return name;
  }
  return (await loadTfjsNodeGpu()) ? 'tensorflow' : 'wasm';
}

/** The backend a name stands for (any case, spaces around ignored), or undefined when it names none. */
export function netBackendOf(value: string): NetBackendName | undefined {
  const name = value.trim().toLowerCase();
  return (NET_BACKENDS as readonly string[]).includes(name) ? (name as NetBackendName) : undefined;
}

/** Registers and activates `name` on tfjs-core's engine (the one tfjs-layers uses). */
export async function useNetBackend(name: NetBackendName): Promise<void> {
  await loadTfjs(name);
  if (tf.getBackend() !== name) {
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`net: the tfjs backend '${name}' failed to initialise`);
  }
  await tf.ready();
}
