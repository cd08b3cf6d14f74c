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
  const env = process.env.MONGE_NET_BACKEND?.trim().toLowerCase();
  if (env) {
    if (!(NET_BACKENDS as readonly string[]).includes(env)) throw new RangeError(`MONGE_NET_BACKEND: unknown backend '${env}' (expected ${NET_BACKENDS.join(', ')})`);
    return env as NetBackendName;
  }
  return (await loadTfjsNodeGpu()) ? 'tensorflow' : 'wasm';
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
