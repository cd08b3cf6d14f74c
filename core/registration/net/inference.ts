/**
 * The network as step 2 of the pipeline: load a trained model folder, then predict the displacement of every
 * moving point towards the fixed shape (mm, LPS).
 *
 *   const net = await loadRegistrationNet('assets/models/lung');
 *   const { displacementLps, report } = await predictDisplacement(net, movingLps, fixedLps, { engine });
 *
 * Steps: both clouds → pyramids (pyramid.ts: pool, outlier removal, FPS control points, normalisation by each
 * cloud's control centroid and the preset scale, neighbour tables); the network predicts the flow at the moving
 * control points; displacement_j = (c_fixed − c_moving) + scale · flow_j (mm); then Gaussian interpolation to
 * every moving point (interpolate.ts); optionally repeated on the warped moving cloud (`passes`). The report
 * gives the time of each stage and memory figures.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createEngine } from '../../kernels/index.ts';
import type { KernelEngine } from '../../kernels/types.ts';
import { check, InputError } from '../../io/errors.ts';
import { defaultNetBackend, useNetBackend, type NetBackendName } from './backend.ts';
import { modelInputs } from './batch.ts';
import { controlSpacingMm, interpolateDisplacement } from './interpolate.ts';
import './layers/index.ts';
import { readManifest, type NetManifest } from './manifest.ts';
import { MODEL_JSON, modelFiles } from './model-files.ts';
import { inputShapes, MODEL_INPUTS } from './model.ts';
import { buildPyramid } from './pyramid.ts';

export interface RegistrationNet {
  dir: string;
  manifest: NetManifest;
  model: tfl.LayersModel;
  backend: NetBackendName;
  dispose(): void;
}

export interface LoadNetOptions {
  /** tfjs backend (default: 'tensorflow' with tfjs-node-gpu, else 'wasm'; MONGE_NET_BACKEND overrides). */
  backend?: NetBackendName;
}

/** Checks that a loaded model takes the inputs the manifest's config describes. */
function checkInputs(model: tfl.LayersModel, manifest: NetManifest, path: string): void {
  const shapes = inputShapes(manifest.config);
  check(model.inputs.length === MODEL_INPUTS.length, path, 'count-mismatch', `has ${model.inputs.length} inputs, the network has ${MODEL_INPUTS.length}`);
  MODEL_INPUTS.forEach((name, i) => {
    const got = model.inputs[i].shape.slice(1).join('×');
    const want = shapes[name].join('×');
    check(got === want, path, 'count-mismatch', `input ${i} (${name}) is ${got}, but manifest.json's config needs ${want}`);
  });
  check(model.outputs.length === 3, path, 'count-mismatch', `has ${model.outputs.length} outputs, the network has 3`);
}

/** Loads `modelDir` (manifest.json, model.json, weights.bin); every file problem is an InputError naming the file. */
export async function loadRegistrationNet(modelDir: string, options: LoadNetOptions = {}): Promise<RegistrationNet> {
  const manifest = await readManifest(modelDir);
  const backend = options.backend ?? (await defaultNetBackend());
  await useNetBackend(backend);
  const jsonPath = join(modelDir, MODEL_JSON);
  let model: tfl.LayersModel;
  try {
    model = await tfl.loadLayersModel(modelFiles(modelDir, manifest.files.weightsSha256));
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(jsonPath, 'malformed', `does not describe a network that its weights fit: ${(e as Error).message}`);
  }
  checkInputs(model, manifest, jsonPath);
  return { dir: modelDir, manifest, model, backend, dispose: () => model.dispose() };
}

export interface PredictOptions {
  /** Kernel engine for the pyramids and the interpolation (default: a fresh 'auto' engine, disposed after). */
  engine?: KernelEngine;
  /** Seed of the random pools (default 0): predictions are deterministic for a seed. */
  seed?: number;
  /**
   * Passes of the network (default: the manifest's `inference.passes`, else 1): pass k registers the moving cloud
   * warped by passes 1…k−1 to the fixed one and adds its displacement (recurrent refinement).
   */
  passes?: number;
}

export interface NetPredictionReport {
  backend: string;
  movingPoints: number;
  fixedPoints: number;
  controlPoints: number;
  sigmaMm: number;
  passes: number;
  /** Summed over passes. */
  seconds: { prepare: number; network: number; interpolate: number; total: number };
  memory: { tfjsBytesAfterNetwork: number; tfjsTensors: number; rssMb: number };
}

export interface NetPrediction {
  /** Displacement of every moving point (mm, LPS, N×3). */
  displacementLps: Float64Array;
  /** The moving control points and their displacement (mm, LPS), to evaluate the field elsewhere (landmarks, grids). */
  controlPointsLps: Float64Array;
  controlDisplacementLps: Float64Array;
  /** Width of the interpolation kernel (mm). */
  sigmaMm: number;
  report: NetPredictionReport;
}

function checkCloud(points: Float64Array, name: string): void {
  if (points.length % 3 !== 0 || points.length === 0) throw new RangeError(`net: ${name} must hold xyz triples (got ${points.length} values)`);
  for (let i = 0; i < points.length; i++) if (!Number.isFinite(points[i])) throw new RangeError(`net: ${name} point ${Math.floor(i / 3)} is not finite`);
}

/** One pass: displacement of every point of `movingLps` towards `fixedLps`, with stage times (ms). */
async function onePass(net: RegistrationNet, movingLps: Float64Array, fixedLps: Float64Array, engine: KernelEngine, seed: number) {
  const t0 = performance.now();
  const { config } = net.manifest;
  const [moving, fixed] = await Promise.all([buildPyramid(movingLps, config, engine, seed), buildPyramid(fixedLps, config, engine, seed + 1)]);
  const t1 = performance.now();
  await useNetBackend(net.backend);
  const inputs = modelInputs([moving], [fixed], config);
  const outputs = net.model.predict(inputs) as tf.Tensor[];
  const flow = await outputs[0].data();
  const memory = tf.memory();
  tf.dispose([...inputs, ...outputs]);
  const t2 = performance.now();
  const n0 = config.levels[0];
  const controlDisplacement = new Float64Array(3 * n0);
  for (let s = 0; s < n0; s++) {
    for (let d = 0; d < 3; d++) controlDisplacement[3 * s + d] = fixed.centreMm[d] - moving.centreMm[d] + config.scaleMm * flow[3 * s + d];
  }
  const sigmaMm = await controlSpacingMm(engine, moving.controlMm);
  const displacement = await interpolateDisplacement(engine, moving.controlMm, controlDisplacement, sigmaMm, movingLps);
  const t3 = performance.now();
  return { displacement, moving, sigmaMm, memory, ms: [t1 - t0, t2 - t1, t3 - t2] };
}

/** Predicts the displacement of every moving point (mm, LPS) towards the fixed cloud. */
export async function predictDisplacement(net: RegistrationNet, movingLps: Float64Array, fixedLps: Float64Array, options: PredictOptions = {}): Promise<NetPrediction> {
  checkCloud(movingLps, 'moving cloud');
  checkCloud(fixedLps, 'fixed cloud');
  const passes = options.passes ?? net.manifest.inference?.passes ?? 1;
  if (!Number.isInteger(passes) || passes < 1 || passes > 8) throw new RangeError(`net: passes must be an integer in 1…8 (got ${passes})`);
  const t0 = performance.now();
  const own = options.engine ? undefined : await createEngine('auto');
  const engine = options.engine ?? own!.engine;
  try {
    const seed = options.seed ?? 0;
    const total = new Float64Array(movingLps.length);
    const ms = [0, 0, 0];
    let first: Awaited<ReturnType<typeof onePass>> | undefined;
    let memory = tf.memory();
    for (let pass = 0; pass < passes; pass++) {
      const warped = pass === 0 ? movingLps : movingLps.map((v, i) => v + total[i]);
      const r = await onePass(net, warped, fixedLps, engine, seed + 2 * pass);
      for (let i = 0; i < total.length; i++) total[i] += r.displacement[i];
      for (let k = 0; k < 3; k++) ms[k] += r.ms[k];
      first ??= r;
      memory = r.memory;
    }
    // The control points are moving points (the first pass's FPS samples): their total displacement is known.
    const controlIndex = first!.moving.controlIndex;
    const controlDisplacementLps = new Float64Array(3 * controlIndex.length);
    controlIndex.forEach((i, s) => controlDisplacementLps.set(total.subarray(3 * i, 3 * i + 3), 3 * s));
    const totalMs = performance.now() - t0;
    return {
      displacementLps: total,
      controlPointsLps: first!.moving.controlMm,
      controlDisplacementLps,
      sigmaMm: first!.sigmaMm,
      report: {
        backend: tf.getBackend(),
        movingPoints: movingLps.length / 3,
        fixedPoints: fixedLps.length / 3,
        controlPoints: controlIndex.length,
        sigmaMm: first!.sigmaMm,
        passes,
        seconds: { prepare: ms[0] / 1000, network: ms[1] / 1000, interpolate: ms[2] / 1000, total: totalMs / 1000 },
        memory: { tfjsBytesAfterNetwork: memory.numBytes, tfjsTensors: memory.numTensors, rssMb: process.memoryUsage().rss / 2 ** 20 },
      },
    };
  } finally {
    await own?.engine.dispose();
  }
}
