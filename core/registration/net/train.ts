/**
 * Training the registration network on synthetic deformations of real shapes (`monge train`):
 *
 *   for each epoch: pairsPerEpoch synthetic pairs, shapes in a shuffled round-robin, each pair drawn with
 *   seed = f(run seed, epoch, index) (so runs and resumed runs are reproducible); batches of `batchSize`;
 *   loss = multi-scale endpoint error (loss.ts); Adam with a cosine learning-rate decay to 5 %;
 *   then validation on held-out pairs (fixed seeds never used for training; shapes from validationData when
 *   given, else the training shapes): mean endpoint error in mm at the source control points, against the
 *   identity and centroid-alignment baselines; then a checkpoint (checkpoint.ts).
 * With `selfSupervised`, every step also pulls the warped source of one unlabeled real pair towards its target
 * through the Sinkhorn divergence (self-supervised.ts).
 *
 * At the end the model is saved (model-files.ts) with its manifest (manifest.ts) and the checkpoint removed.
 * Samples are drawn on a worker thread when the machine has more than one core (sample-source.ts).
 */
import { rmdir, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { MONGE_VERSION } from '../../runtime/index.ts';
import { makeFolder } from '../../io/make-folder.ts';
import { outputFolderObstacle } from '../pipeline/output-folder.ts';
import { createEngine } from '../../kernels/index.ts';
import { formatDuration } from '../../progress/format-duration.ts';
import { throwIfCancelled, untilCancelled, type ProgressOptions } from '../../progress/index.ts';
import { createRandom, deriveSeed, SYNTH_PRESETS, type SynthPresetName } from '../synth/index.ts';
import { defaultNetBackend, useNetBackend, type NetBackendName } from './backend.ts';
import { flowTargets, modelInputs } from './batch.ts';
import { hasCheckpoint, loadCheckpoint, removeCheckpoint, saveCheckpoint } from './checkpoint.ts';
import { configProblems, defaultNetConfig, type NetConfig } from './config.ts';
import './layers/index.ts';
import { meanEpe, multiScaleEpe } from './loss.ts';
import { MANIFEST_FORMAT, MANIFEST_VERSION, readManifest, writeManifest, type EpochMetrics, type NetManifest } from './manifest.ts';
import { MODEL_JSON, modelFiles, WEIGHTS_BIN } from './model-files.ts';
import { buildRegistrationModel } from './model.ts';
import { loadRegistrationNet } from './inference.ts';
import { inProcessSamples, workerSamples, type SampleSource } from './sample-source.ts';
import { loadTrainingShapes, type LoadedTrainingShape, type TrainingDataSpec } from './training-data.ts';
import type { TrainingSample } from './training-sample.ts';
import { prepareSelfSupervised, selfSupervisedGradient, type SelfSupervisedOptions } from './self-supervised.ts';

export interface TrainOptions extends ProgressOptions {
  preset: SynthPresetName;
  data: TrainingDataSpec[];
  /** Shapes for validation only (default: held-out pairs of the training shapes). */
  validationData?: TrainingDataSpec[];
  outDir: string;
  epochs?: number;
  pairsPerEpoch?: number;
  validationPairs?: number;
  batchSize?: number;
  seed?: number;
  resume?: boolean;
  learningRate?: number;
  /** Overrides of the preset's network config (levels, width, …). */
  config?: Partial<NetConfig>;
  backend?: NetBackendName;
  /** Draw samples on a worker thread (default: when more than one core is available). */
  worker?: boolean;
  /** Keep OUT/checkpoint/ after the last epoch (default false). */
  keepCheckpoint?: boolean;
  /** Human-readable lines (loading, per-epoch metrics). */
  log?: (line: string) => void;
  /** Unlabeled real pairs for the optional self-supervised loss (self-supervised.ts). */
  selfSupervised?: SelfSupervisedOptions;
  /**
   * Warm start: a model folder (e.g. a shipped assets/models/NAME) whose network config and weights the run starts
   * from, so a cohort of one's own fine-tunes the shipped model instead of training from scratch.
   */
  initFrom?: string;
}

/** An option the trainer refuses (bad count, nothing to resume, …); the CLI reports it as a usage error. */
export class TrainOptionsError extends Error {
  override readonly name = 'TrainOptionsError';
}

export interface TrainResult {
  manifest: NetManifest;
  seconds: number;
}

/** Batches drawn ahead of the one being trained on. */
const PREFETCH_BATCHES = 2;

/** Learning rate at progress t ∈ [0, 1]: cosine decay from `lr` to 5 % of it. */
export function learningRateAt(lr: number, t: number): number {
  return lr * (0.05 + 0.95 * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, Math.max(0, t)))));
}

/** Seed of validation pair v (a stream disjoint from training's f(seed, epoch ≥ 0, index)). */
function validationSeed(seed: number, v: number): number {
  return deriveSeed(seed, 0x7fffffff, v);
}

/** (shape, seed) of every pair of an epoch: shapes in a shuffled round-robin. */
export function epochPlan(seed: number, epoch: number, pairs: number, shapes: number): { shape: number; seed: number }[] {
  const random = createRandom(deriveSeed(seed, epoch, 0x5a5a));
  const plan: { shape: number; seed: number }[] = [];
  let order: number[] = [];
  for (let p = 0; p < pairs; p++) {
    if (order.length === 0) {
      order = Array.from({ length: shapes }, (_, i) => i);
      for (let i = order.length - 1; i > 0; i--) {
        const j = random.int(i + 1);
        [order[i], order[j]] = [order[j], order[i]];
      }
    }
    plan.push({ shape: order.pop()!, seed: deriveSeed(seed, epoch, p) });
  }
  return plan;
}

interface Validation {
  epeMm: number;
  identityEpeMm: number;
  centroidEpeMm: number;
}

/**
 * Mean endpoint errors (mm) over validation samples at the source control points; NaN (null in the manifest: not
 * measured) without samples, never 0, which would read as a perfect model.
 */
async function validate(model: tfl.LayersModel, samples: TrainingSample[], config: NetConfig, signal: AbortSignal | undefined, what: string): Promise<Validation> {
  if (samples.length === 0) return { epeMm: NaN, identityEpeMm: NaN, centroidEpeMm: NaN };
  let epe = 0;
  for (const s of samples) {
    // One pair's inference is about a second on the lung network: a cancel is honoured between pairs, not only after
    // all of them (16 by default).
    throwIfCancelled(signal, what);
    const x = modelInputs([s.source], [s.target], config);
    const out = model.predict(x) as tf.Tensor[];
    const gt = flowTargets([s.flow], [s.weight], config);
    const e = meanEpe(out[0], gt.flow[0], gt.weight[0]);
    epe += (await e.data())[0] * config.scaleMm;
    tf.dispose([...x, ...out, ...gt.flow, ...gt.weight, e]);
  }
  const n = samples.length;
  return {
    epeMm: epe / n,
    identityEpeMm: samples.reduce((s, v) => s + v.identityEpeMm, 0) / n,
    centroidEpeMm: samples.reduce((s, v) => s + v.centroidEpeMm, 0) / n,
  };
}

export async function trainRegistrationNet(options: TrainOptions): Promise<TrainResult> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const epochs = options.epochs ?? 10;
  const pairsPerEpoch = options.pairsPerEpoch ?? 256;
  const validationPairs = options.validationPairs ?? 16;
  const batchSize = options.batchSize ?? 4;
  const seed = options.seed ?? 1;
  const baseLr = options.learningRate ?? 1e-3;
  for (const [name, v] of Object.entries({ epochs, pairsPerEpoch, validationPairs, batchSize })) {
    if (!Number.isInteger(v) || v < (name === 'validationPairs' ? 0 : 1)) throw new TrainOptionsError(`${name} must be a positive integer (got ${v})`);
  }
  if (!Number.isInteger(seed) || seed < 0) throw new TrainOptionsError(`seed must be a non-negative integer (got ${seed})`);
  const preset = SYNTH_PRESETS[options.preset];
  const init = options.initFrom !== undefined ? await readManifest(options.initFrom) : undefined;
  if (init && init.preset !== options.preset) throw new TrainOptionsError(`--init ${options.initFrom} is a ${init.preset} model, not ${options.preset}`);
  if (init && options.config) throw new TrainOptionsError('a warm start keeps the network config of the model it starts from; give no config overrides');
  const config: NetConfig = init ? init.config : { ...defaultNetConfig(options.preset), ...options.config };
  const problems = configProblems(config);
  if (problems.length > 0) throw new TrainOptionsError(`network config: ${problems.join('; ')}`);

  await checkModelOutDir(options.outDir, options.resume ?? false);

  const shapes = await loadTrainingShapes(options.data, (p) => log(`reading ${p}`), options.signal);
  const validationShapes = options.validationData ? await loadTrainingShapes(options.validationData, (p) => log(`reading ${p} (validation)`), options.signal) : undefined;
  const backend = options.backend ?? (await defaultNetBackend());
  await useNetBackend(backend);
  const created = !(await stat(options.outDir).catch(() => undefined));
  await makeFolder(options.outDir);
  try {
    return await trainInto(options, { log, epochs, pairsPerEpoch, validationPairs, batchSize, seed, baseLr, preset, init, config, shapes, validationShapes, backend, started });
  } catch (e) {
    // Stopped before anything was saved (no checkpoint yet): leave no empty model folder behind.
    if (created) await rmdir(options.outDir).catch(() => undefined);
    throw e;
  }
}

/**
 * The model folder must be new or empty, so that a run never writes over a trained model or mixes its files with
 * others; with --resume it must hold the checkpoint of the run to continue (checked when loading it).
 */
async function checkModelOutDir(outDir: string, resume: boolean): Promise<void> {
  const obstacle = await outputFolderObstacle(outDir, resume);
  if (obstacle === 'is-file') throw new TrainOptionsError(`${outDir} is a file; give a folder for the model`);
  if (obstacle === 'not-empty') throw new TrainOptionsError(`${outDir} exists and is not empty; give a new folder for the model (or --resume to continue the run checkpointed there)`);
}

/** What trainRegistrationNet has checked and read, handed to the run. */
interface TrainRun {
  log: (line: string) => void;
  epochs: number;
  pairsPerEpoch: number;
  validationPairs: number;
  batchSize: number;
  seed: number;
  baseLr: number;
  preset: (typeof SYNTH_PRESETS)[SynthPresetName];
  init: NetManifest | undefined;
  config: NetConfig;
  shapes: LoadedTrainingShape[];
  validationShapes: LoadedTrainingShape[] | undefined;
  backend: NetBackendName;
  /** performance.now() when the call began. */
  started: number;
}

/** The training run itself, into the model folder trainRegistrationNet has checked and made. */
async function trainInto(options: TrainOptions, run: TrainRun): Promise<TrainResult> {
  const { log, epochs, pairsPerEpoch, validationPairs, batchSize, seed, baseLr, preset, init, config, shapes, validationShapes, backend, started } = run;

  const model = buildRegistrationModel(config, seed);
  if (init && options.initFrom !== undefined && !options.resume) {
    const start = await loadRegistrationNet(options.initFrom, { backend });
    model.setWeights(start.model.getWeights());
    start.dispose();
    log(`starting from the weights of ${options.initFrom}`);
  }
  const optimizer = tf.train.adam(baseLr);
  const setLr = (lr: number): void => {
    (optimizer as unknown as { learningRate: number }).learningRate = lr;
  };
  const identity = {
    preset: options.preset,
    config,
    seed,
    epochs,
    pairsPerEpoch,
    validationPairs,
    batchSize,
    learningRate: baseLr,
    data: shapes.map((s) => s.record.sha256),
    validationData: validationShapes?.map((s) => s.record.sha256) ?? null,
    initFrom: init?.files.weightsSha256 ?? null,
    selfSupervised: options.selfSupervised ? { weight: options.selfSupervised.weight ?? null, blurMm: options.selfSupervised.blurMm ?? null } : null,
  };
  let epochsDone = 0;
  let history: EpochMetrics[] = [];
  let secondsBefore = 0;
  if (options.resume) {
    if (!(await hasCheckpoint(options.outDir))) throw new TrainOptionsError(`nothing to resume in ${options.outDir} (no checkpoint/ folder)`);
    const state = await loadCheckpoint(options.outDir, model, optimizer, identity);
    ({ epochsDone, history } = state);
    secondsBefore = state.secondsSoFar;
    log(`resuming after epoch ${epochsDone}`);
  }

  const own = await createEngine('cpu');
  const unlabeled = options.selfSupervised ? await prepareSelfSupervised(options.selfSupervised, config, own.engine, (p) => log(`reading ${p} (unlabeled)`)) : undefined;
  const useWorker = options.worker ?? availableParallelism() > 1;
  const synthShapes = shapes.map((s) => s.shape);
  const samples: SampleSource = useWorker ? await workerSamples(synthShapes, preset, config) : inProcessSamples(synthShapes, preset, config, own.engine);
  const valSource: SampleSource = validationShapes
    ? useWorker
      ? await workerSamples(validationShapes.map((s) => s.shape), preset, config)
      : inProcessSamples(validationShapes.map((s) => s.shape), preset, config, own.engine)
    : samples;
  const valCount = validationShapes?.length ?? shapes.length;
  const stepsPerEpoch = Math.ceil(pairsPerEpoch / batchSize);
  const totalSteps = epochs * stepsPerEpoch;
  const epochStartTimes: number[] = [];
  try {
    // Validation pairs are drawn once and reused every epoch. Drawing them takes seconds to tens of seconds (a worker's
    // random deformations), so a cancel is honoured while they are drawn, not only at the first training step.
    const valSamples = await untilCancelled(
      Promise.all(Array.from({ length: validationPairs }, (_, v) => valSource.get(v % valCount, validationSeed(seed, v)))),
      options.signal,
      'drawing validation pairs',
    );
    for (let epoch = epochsDone; epoch < epochs; epoch++) {
      const epochStart = performance.now();
      epochStartTimes.push(epochStart);
      const plan = epochPlan(seed, epoch, pairsPerEpoch, shapes.length);
      // Ask a few batches ahead: the worker draws them in order while we train.
      const pending: Promise<TrainingSample>[] = [];
      const askUpTo = (count: number): void => {
        while (pending.length < Math.min(count, plan.length)) pending.push(samples.get(plan[pending.length].shape, plan[pending.length].seed));
      };
      let lossSum = 0;
      let divergenceSum = 0;
      let lr = baseLr;
      for (let step = 0; step < stepsPerEpoch; step++) {
        throwIfCancelled(options.signal, `training epoch ${epoch + 1}`);
        askUpTo((step + 1 + PREFETCH_BATCHES) * batchSize);
        const batch = await Promise.all(pending.slice(step * batchSize, Math.min(pairsPerEpoch, (step + 1) * batchSize)));
        lr = learningRateAt(baseLr, (epoch * stepsPerEpoch + step) / totalSteps);
        setLr(lr);
        const x = modelInputs(
          batch.map((s) => s.source),
          batch.map((s) => s.target),
          config,
        );
        const gt = flowTargets(
          batch.map((s) => s.flow),
          batch.map((s) => s.weight),
          config,
        );
        // Self-supervision: ∂S/∂(warped points) of one unlabeled pair, from the OT engine, enters as a surrogate term.
        const ss = unlabeled ? await selfSupervisedGradient(model, unlabeled, epoch * stepsPerEpoch + step, own.engine) : undefined;
        if (ss) divergenceSum += ss.divergence;
        const loss = optimizer.minimize(() => {
          const supervised = multiScaleEpe(model.apply(x, { training: true }) as tf.Tensor[], gt.flow, gt.weight, config.levelWeights);
          return ss ? (tf.add(supervised, ss.surrogate()) as tf.Scalar) : supervised;
        }, true)!;
        lossSum += (await loss.data())[0];
        tf.dispose([...x, ...gt.flow, ...gt.weight, loss]);
        ss?.dispose();
        const done = epoch * stepsPerEpoch + step + 1;
        const elapsed = (performance.now() - epochStartTimes[0]) / 1000;
        const remaining = (elapsed / (done - epochsDone * stepsPerEpoch)) * (totalSteps - done);
        options.onProgress?.({ stage: `epoch ${epoch + 1}/${epochs} ETA ${formatDuration(remaining)}`, fraction: done / totalSteps });
      }
      const val = await validate(model, valSamples, config, options.signal, `validating epoch ${epoch + 1}`);
      const metrics: EpochMetrics = {
        epoch: epoch + 1,
        trainLoss: lossSum / stepsPerEpoch,
        learningRate: lr,
        valEpeMm: val.epeMm,
        valIdentityEpeMm: val.identityEpeMm,
        valCentroidEpeMm: val.centroidEpeMm,
        seconds: (performance.now() - epochStart) / 1000,
      };
      if (unlabeled) metrics.unlabeledDivergenceMm2 = divergenceSum / stepsPerEpoch;
      history.push(metrics);
      const validation =
        valSamples.length === 0
          ? 'no validation pairs'
          : `validation EPE ${val.epeMm.toFixed(2)} mm (identity ${val.identityEpeMm.toFixed(2)}, centroids ${val.centroidEpeMm.toFixed(2)}; ` +
            `−${(100 * (1 - val.epeMm / val.identityEpeMm)).toFixed(1)} %)`;
      log(`epoch ${epoch + 1}/${epochs}: loss ${metrics.trainLoss.toFixed(4)}, ${validation}, ${metrics.seconds.toFixed(0)} s`);
      await saveCheckpoint(options.outDir, model, optimizer, {
        epochsDone: epoch + 1,
        history,
        secondsSoFar: secondsBefore + (performance.now() - started) / 1000,
        identity,
      });
    }
  } finally {
    await samples.close();
    if (valSource !== samples) await valSource.close();
    await own.engine.dispose();
  }

  const files = modelFiles(options.outDir);
  await model.save(files);
  const last = history[history.length - 1];
  const seconds = secondsBefore + (performance.now() - started) / 1000;
  const manifest: NetManifest = {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    mongeVersion: MONGE_VERSION,
    preset: options.preset,
    config,
    normalisation: { centre: 'centroid of each cloud’s control points', scaleMm: config.scaleMm },
    inputs: ['xyz'],
    files: { model: MODEL_JSON, weights: WEIGHTS_BIN, weightsSha256: files.weightsSha256!, parameters: model.countParams(), weightBytes: model.countParams() * 4 },
    training: {
      seed,
      epochs,
      pairsPerEpoch,
      validationPairs,
      batchSize,
      learningRate: baseLr,
      backend,
      data: shapes.map((s) => s.record),
      validationData: validationShapes?.map((s) => s.record) ?? [],
      synthPreset: preset,
      ...(init && options.initFrom !== undefined ? { initFrom: { dir: basename(options.initFrom), weightsSha256: init.files.weightsSha256, epochs: init.training.epochs, data: init.training.data } } : {}),
      seconds,
      finishedAt: new Date().toISOString(),
      ...(unlabeled ? { selfSupervised: { pairs: unlabeled.records, weight: unlabeled.weight, blurMm: unlabeled.blurMm } } : {}),
    },
    metrics: {
      epochs: history,
      final: {
        valEpeMm: last?.valEpeMm ?? NaN,
        valIdentityEpeMm: last?.valIdentityEpeMm ?? NaN,
        valCentroidEpeMm: last?.valCentroidEpeMm ?? NaN,
        reduction: last ? 1 - last.valEpeMm / last.valIdentityEpeMm : NaN,
      },
    },
  };
  await writeManifest(options.outDir, manifest);
  if (!options.keepCheckpoint) await removeCheckpoint(options.outDir);
  model.dispose();
  optimizer.dispose();
  return { manifest, seconds };
}

export { formatDuration } from '../../progress/format-duration.ts';
