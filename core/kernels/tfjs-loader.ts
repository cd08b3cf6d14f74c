/**
 * Loading TensorFlow.js for the 'tfjs' engine. The dense-tile code (tfjs-engine.ts) only needs the tfjs-core
 * op namespace; which backend executes it is chosen here:
 *   'tensorflow' — @tensorflow/tfjs-node-gpu (CUDA), an OPTIONAL dependency that is not installed by default.
 *                  It is imported dynamically and only if present; it ships its own tfjs namespace, which is
 *                  the one used then (its backend registers there, not in our tfjs-core).
 *   'wasm'       — @tensorflow/tfjs-backend-wasm (SIMD, one thread here), its .wasm files read from the
 *                  package's dist folder.
 *   'cpu'        — @tensorflow/tfjs-backend-cpu (plain JS).
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

/** The tfjs op namespace (tfjs-core's API; tfjs-node-gpu re-exports a superset of it). */
export type Tf = typeof import('@tensorflow/tfjs-core');

export type TfjsBackendName = 'tensorflow' | 'wasm' | 'cpu';

/** The optional CUDA package, named through a variable so TypeScript does not require it to be installed. */
const TFJS_NODE_GPU = '@tensorflow/tfjs-node-gpu';

let gpuModule: Promise<Tf | undefined> | undefined;

/** tfjs-node-gpu's namespace when it is installed and loads (CUDA libraries found), else undefined. */
export function loadTfjsNodeGpu(): Promise<Tf | undefined> {
  gpuModule ??= import(TFJS_NODE_GPU).then(
    (m: { default?: Partial<Tf> }) => {
      // A CommonJS package: its API is on `default` (named exports only where Node's lexer detects them).
      const tf = (typeof m.default?.tidy === 'function' ? m.default : m) as Tf;
      return typeof tf.tidy === 'function' ? tf : undefined;
    },
    () => undefined,
  );
  return gpuModule;
}

let wasmReady: Promise<void> | undefined;

/** Registers the wasm backend once (setWasmPaths may only be called before it initialises). */
function prepareWasm(): Promise<void> {
  wasmReady ??= (async () => {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    wasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
    wasm.setThreadsCount(1);
  })();
  return wasmReady;
}

/** The tfjs namespace for `backend`, with that backend registered (not yet made current). */
export async function loadTfjs(backend: TfjsBackendName): Promise<Tf> {
  if (backend === 'tensorflow') {
    const tf = await loadTfjsNodeGpu();
    if (!tf) throw new Error(`kernels: the 'tensorflow' tfjs backend needs ${TFJS_NODE_GPU}, which is not installed or failed to load`);
    return tf;
  }
  const tf = await import('@tensorflow/tfjs-core');
  if (backend === 'wasm') await prepareWasm();
  else await import('@tensorflow/tfjs-backend-cpu');
  return tf;
}
