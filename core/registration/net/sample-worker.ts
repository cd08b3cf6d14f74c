/**
 * Worker thread that draws training samples (training-sample.ts) while the main thread trains: synthetic
 * deformation, pyramids and neighbour tables are all CPU work in JS/WASM that overlaps with tfjs's.
 * Messages: { type: 'init', shapes, preset, config } once, then { type: 'sample', id, shape, seed }; replies
 * { type: 'sample', id, sample } or { type: 'error', id, message }.
 */
import { parentPort } from 'node:worker_threads';
import { CpuEngine } from '../../kernels/cpu-engine.ts';
import type { SynthPreset, SynthShape } from '../synth/index.ts';
import type { NetConfig } from './config.ts';
import { trainingSample } from './training-sample.ts';

export type SampleWorkerRequest =
  | { type: 'init'; shapes: SynthShape[]; preset: SynthPreset; config: NetConfig }
  | { type: 'sample'; id: number; shape: number; seed: number }
  | { type: 'quit' };

const port = parentPort!;
let shapes: SynthShape[] = [];
let preset: SynthPreset | undefined;
let config: NetConfig | undefined;
const engine = await CpuEngine.create({ threads: 1 });

port.on('message', (m: SampleWorkerRequest) => {
  if (m.type === 'init') {
    ({ shapes, preset, config } = m);
    return;
  }
  if (m.type === 'quit') {
    void engine.dispose().then(() => port.close());
    return;
  }
  trainingSample(shapes[m.shape], preset!, config!, engine, m.seed).then(
    (sample) => port.postMessage({ type: 'sample', id: m.id, sample }),
    (e: unknown) => port.postMessage({ type: 'error', id: m.id, message: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
  );
});
port.postMessage({ type: 'ready' });
