/**
 * Training checkpoints for `monge train --resume`: after every epoch the model files, the Adam state (moments
 * and step count, tfjs's weight encoding) and the loop state (epoch, metrics history, the options that must not
 * change) go to OUT/checkpoint/, all three at once: they are written into OUT/checkpoint.next/, which then replaces
 * the previous checkpoint by renames, so a process killed mid-save leaves the previous epoch's checkpoint whole
 * (never one epoch's weights with another's state). Since every sample is a pure function of
 * (seed, epoch, index), resuming reproduces the uninterrupted run — to float rounding: tfjs's Adam.setWeights
 * recomputes its bias-correction powers β^t rather than restoring the running products.
 */
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { writeFileAtomic } from '../../io/atomic-write.ts';
import { check, InputError } from '../../io/errors.ts';
import { renameRetrying } from '../../io/rename-retrying.ts';
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

const NEXT = `${CHECKPOINT_DIR}.next`;
const PREVIOUS = `${CHECKPOINT_DIR}.previous`;

export async function saveCheckpoint(outDir: string, model: tfl.LayersModel, optimizer: tf.Optimizer, state: Omit<CheckpointState, 'optimizerSpecs'>): Promise<void> {
  await recoverCheckpoint(outDir);
  const next = join(outDir, NEXT);
  await rm(next, { recursive: true, force: true });
  await mkdir(next, { recursive: true });
  await model.save(modelFiles(next));
  const { data, specs } = await tf.io.encodeWeights(await optimizer.getWeights());
  await writeFileAtomic(join(next, OPTIMIZER_BIN), new Uint8Array(data as ArrayBuffer));
  await writeFileAtomic(join(next, STATE_JSON), JSON.stringify({ ...state, optimizerSpecs: specs }));
  // Swap: the old checkpoint aside, the new one in, the old one gone. Killed between the renames, the old one stays
  // as checkpoint.previous, which recoverCheckpoint puts back.
  const current = join(outDir, CHECKPOINT_DIR);
  const previous = join(outDir, PREVIOUS);
  const hadOne = await exists(current);
  if (hadOne) await renameRetrying(current, previous);
  await renameRetrying(next, current);
  if (hadOne) await rm(previous, { recursive: true, force: true });
}

const exists = async (path: string): Promise<boolean> => (await stat(path).catch(() => undefined)) !== undefined;

/** Puts back the checkpoint a save killed between its two renames left aside; drops a half-written next one. */
async function recoverCheckpoint(outDir: string): Promise<void> {
  if (!(await exists(join(outDir, CHECKPOINT_DIR))) && (await exists(join(outDir, PREVIOUS)))) await renameRetrying(join(outDir, PREVIOUS), join(outDir, CHECKPOINT_DIR));
  await rm(join(outDir, PREVIOUS), { recursive: true, force: true });
}

export async function hasCheckpoint(outDir: string): Promise<boolean> {
  await recoverCheckpoint(outDir);
  return exists(join(outDir, CHECKPOINT_DIR, STATE_JSON));
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
  for (const name of [CHECKPOINT_DIR, NEXT, PREVIOUS]) await rm(join(outDir, name), { recursive: true, force: true });
}
