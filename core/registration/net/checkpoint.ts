/**
 * Training checkpoints for `monge train --resume`: after every epoch the model files, the Adam state (moments
 * and step count, tfjs's weight encoding) and the loop state (epoch, metrics history, the options that must not
 * change) go to OUT/checkpoint/, each file written atomically. Since every sample is a pure function of
 * (seed, epoch, index), resuming reproduces the uninterrupted run — to float rounding: tfjs's Adam.setWeights
 * recomputes its bias-correction powers β^t rather than restoring the running products.
 */
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { writeFileAtomic } from '../../io/atomic-write.ts';
import { check, InputError } from '../../io/errors.ts';
import type { EpochMetrics } from './manifest.ts';
import { modelFiles } from './model-files.ts';

export const CHECKPOINT_DIR = 'checkpoint';
const STATE_JSON = 'state.json';
const OPTIMIZER_BIN = 'optimizer.bin';

export interface CheckpointState {
  /** Epochs completed. */
  epochsDone: number;
  history: EpochMetrics[];
  secondsSoFar: number;
  /** The run's identity: resuming with a different one is refused. */
  identity: Record<string, unknown>;
  optimizerSpecs: tf.io.WeightsManifestEntry[];
}

export async function saveCheckpoint(outDir: string, model: tfl.LayersModel, optimizer: tf.Optimizer, state: Omit<CheckpointState, 'optimizerSpecs'>): Promise<void> {
  const dir = join(outDir, CHECKPOINT_DIR);
  await mkdir(dir, { recursive: true });
  await model.save(modelFiles(dir));
  const { data, specs } = await tf.io.encodeWeights(await optimizer.getWeights());
  await writeFileAtomic(join(dir, OPTIMIZER_BIN), new Uint8Array(data as ArrayBuffer));
  await writeFileAtomic(join(dir, STATE_JSON), JSON.stringify({ ...state, optimizerSpecs: specs }));
}

export async function hasCheckpoint(outDir: string): Promise<boolean> {
  return (await stat(join(outDir, CHECKPOINT_DIR, STATE_JSON)).catch(() => undefined)) !== undefined;
}

/**
 * Restores weights and optimizer state into `model` / `optimizer`; returns the loop state. `identity` must
 * equal the checkpoint's (same data, preset, config, seed, schedule).
 */
export async function loadCheckpoint(outDir: string, model: tfl.LayersModel, optimizer: tf.Optimizer, identity: Record<string, unknown>): Promise<CheckpointState> {
  const dir = join(outDir, CHECKPOINT_DIR);
  const statePath = join(dir, STATE_JSON);
  let state: CheckpointState;
  try {
    state = JSON.parse(await readFile(statePath, 'utf8')) as CheckpointState;
  } catch (e) {
    throw new InputError(statePath, 'malformed', `cannot be read (${(e as Error).message})`);
  }
  const differs = Object.keys(identity).filter((k) => JSON.stringify(identity[k]) !== JSON.stringify(state.identity?.[k]));
  check(differs.length === 0, statePath, 'count-mismatch', `was written by a run with different ${differs.join(', ')}; resume with the same options or start afresh`);
  const saved = await tfl.loadLayersModel(modelFiles(dir));
  try {
    model.setWeights(saved.getWeights());
  } finally {
    saved.dispose();
  }
  const bytes = new Uint8Array(await readFile(join(dir, OPTIMIZER_BIN)));
  const decoded = tf.io.decodeWeights(bytes.slice().buffer, state.optimizerSpecs);
  await optimizer.setWeights(state.optimizerSpecs.map((s) => ({ name: s.name, tensor: decoded[s.name] })));
  return state;
}

export async function removeCheckpoint(outDir: string): Promise<void> {
  await rm(join(outDir, CHECKPOINT_DIR), { recursive: true, force: true });
}
