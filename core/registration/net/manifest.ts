/**
 * manifest.json beside a model's tfjs files: what the network is (architecture config, preset, normalisation),
 * how it was trained (data files with sha256, synthetic preset, seed, schedule, backend, time) and how it scored
 * (per-epoch losses, validation endpoint errors). Loading rebuilds the network from `config`; the normalisation
 * is applied by the inference code exactly as recorded.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../io/atomic-write.ts';
import { check, InputError } from '../../io/errors.ts';
import type { SynthPreset, SynthPresetName } from '../synth/index.ts';
import { configProblems, type NetConfig } from './config.ts';

export const MANIFEST_JSON = 'manifest.json';
export const MANIFEST_FORMAT = 'monge-registration-net';
export const MANIFEST_VERSION = 1;

export interface TrainingFile {
  file: string;
  sha256: string;
  points: number;
  triangles: number;
  /** Factor applied to the file's coordinates (e.g. 100 for clouds stored in units of 100 mm). */
  scale: number;
  /** What was read: a mesh, a point set, or a surface extracted from a mask. */
  kind: 'mesh' | 'points' | 'mask-surface';
}

export interface EpochMetrics {
  epoch: number;
  trainLoss: number;
  learningRate: number;
  /** Mean endpoint error (mm) on the validation pairs at the source control points: network, identity, centroid alignment. */
  valEpeMm: number;
  valIdentityEpeMm: number;
  valCentroidEpeMm: number;
  seconds: number;
  /** Mean Sinkhorn divergence (mm²) of the unlabeled pairs during the epoch, with self-supervision. */
  unlabeledDivergenceMm2?: number;
}

export interface NetManifest {
  format: typeof MANIFEST_FORMAT;
  version: typeof MANIFEST_VERSION;
  mongeVersion: string;
  preset: SynthPresetName;
  config: NetConfig;
  normalisation: { centre: 'centroid of each cloud’s control points'; scaleMm: number };
  /** Per-point inputs (this version: coordinates only). */
  inputs: ['xyz'];
  /** Inference defaults (absent: one pass). */
  inference?: { passes: number };
  files: { model: string; weights: string; weightsSha256: string; parameters: number; weightBytes: number };
  training: {
    seed: number;
    epochs: number;
    pairsPerEpoch: number;
    validationPairs: number;
    batchSize: number;
    learningRate: number;
    backend: string;
    data: TrainingFile[];
    validationData: TrainingFile[];
    synthPreset: SynthPreset;
    seconds: number;
    finishedAt: string;
    /** The model this one was warm-started from (`monge train --init`): its folder name, weights and training data. */
    initFrom?: { dir: string; weightsSha256: string; epochs: number; data: TrainingFile[] };
    selfSupervised?: { pairs: { moving: TrainingFile; fixed: TrainingFile }[]; weight: number; blurMm: number };
  };
  metrics: {
    epochs: EpochMetrics[];
    /** Final validation: mean EPE (mm) and its reduction against the identity, 1 − net / identity. */
    final: { valEpeMm: number; valIdentityEpeMm: number; valCentroidEpeMm: number; reduction: number };
  };
}

export async function writeManifest(dir: string, manifest: NetManifest): Promise<void> {
  await writeFileAtomic(join(dir, MANIFEST_JSON), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Reads and checks a model folder's manifest.json (InputError naming it on any problem). */
export async function readManifest(dir: string): Promise<NetManifest> {
  const path = join(dir, MANIFEST_JSON);
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new InputError(path, 'not-found', 'model manifest not found (is this a Monge model folder?)');
  check(info.isFile(), path, 'is-directory', 'is not a file');
  check(info.size < 16 * 1024 * 1024, path, 'too-large', 'is too large for a model manifest');
  let m: Partial<NetManifest>;
  try {
    m = JSON.parse(await readFile(path, 'utf8')) as Partial<NetManifest>;
  } catch (e) {
    throw new InputError(path, 'malformed', `is not valid JSON (${(e as Error).message})`);
  }
  check(m !== null && typeof m === 'object', path, 'malformed', 'is not a JSON object');
  check(m.format === MANIFEST_FORMAT, path, 'bad-magic', `format is '${String(m.format)}', expected '${MANIFEST_FORMAT}'`);
  check(m.version === MANIFEST_VERSION, path, 'unsupported', `manifest version ${String(m.version)} (this Monge reads version ${MANIFEST_VERSION})`);
  check(m.preset === 'lung' || m.preset === 'brain', path, 'malformed', `unknown preset '${String(m.preset)}'`);
  check(m.config !== null && typeof m.config === 'object', path, 'malformed', 'has no network config');
  const problems = configProblems(m.config as Partial<NetConfig>);
  check(problems.length === 0, path, 'malformed', `network config: ${problems.join('; ')}`);
  check(
    typeof m.files?.weightsSha256 === 'string' && /^[0-9a-f]{64}$/.test(m.files.weightsSha256),
    path,
    'malformed',
    'files.weightsSha256 must be the sha256 of weights.bin',
  );
  const passes = m.inference?.passes;
  check(passes === undefined || (Number.isInteger(passes) && passes >= 1 && passes <= 8), path, 'malformed', 'inference.passes must be an integer in 1…8');
  return m as NetManifest;
}
