/**
 * Where training samples come from: drawn on the calling thread, or by a worker thread (sample-worker.ts) so
 * that data generation overlaps training on a multi-core machine. Both give identical samples for a seed (every
 * step is deterministic), so `--seed` reproduces a run either way.
 */
import { Worker } from 'node:worker_threads';
import type { KernelEngine } from '../../kernels/types.ts';
import { runtimeFile } from '../../runtime/index.ts';
import type { SynthPreset, SynthShape } from '../synth/index.ts';
import type { NetConfig } from './config.ts';
import type { SampleWorkerRequest } from './sample-worker.ts';
import { trainingSample, type TrainingSample } from './training-sample.ts';

/** The sample thread's entry: a tsx bootstrap beside the sources, its own bundle in dist/cli (core/cli/build-cli.ts). */
const WORKER_URL = runtimeFile('train-sample-worker.mjs', new URL('./sample-worker-bootstrap.mjs', import.meta.url));

export interface SampleSource {
  /** The sample of shape `shape` drawn with `seed`. */
  get(shape: number, seed: number): Promise<TrainingSample>;
  close(): Promise<void>;
}

export function inProcessSamples(shapes: SynthShape[], preset: SynthPreset, config: NetConfig, engine: KernelEngine): SampleSource {
  return {
    get: (shape, seed) => trainingSample(shapes[shape], preset, config, engine, seed),
    close: async () => {},
  };
}

type WorkerReply = { type: 'ready' } | { type: 'sample'; id: number; sample: TrainingSample } | { type: 'error'; id: number; message: string };

/** A worker thread drawing samples in the order asked (ask ahead to overlap). */
export async function workerSamples(shapes: SynthShape[], preset: SynthPreset, config: NetConfig): Promise<SampleSource> {
  const worker = new Worker(WORKER_URL);
  const pending = new Map<number, { resolve: (s: TrainingSample) => void; reject: (e: Error) => void }>();
  let failure: Error | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    worker.on('message', (m: WorkerReply) => {
      if (m.type === 'ready') return resolve();
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.type === 'sample') p.resolve(m.sample);
      else p.reject(new Error(`training-sample worker: ${m.message}`));
    });
    worker.on('error', (e) => {
      failure = e;
      reject(e);
      for (const p of pending.values()) p.reject(e);
      pending.clear();
    });
  });
  await ready;
  const post = (m: SampleWorkerRequest): void => worker.postMessage(m);
  post({ type: 'init', shapes, preset, config });
  let nextId = 0;
  return {
    get(shape, seed) {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      return new Promise<TrainingSample>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        post({ type: 'sample', id, shape, seed });
      });
    },
    async close() {
      post({ type: 'quit' });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => void worker.terminate().then(() => resolve()), 2000);
        worker.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
