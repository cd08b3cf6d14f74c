/**
 * Test helpers for the registration network: a tiny config (256 control points, quarter width) that trains and
 * predicts in a fraction of a second, clouds on an analytic ellipsoid, and a saved model folder.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { MONGE_VERSION } from '../../../core/runtime/index.ts';
import { defaultNetConfig, type NetConfig } from '../../../core/registration/net/config.ts';
import { MANIFEST_FORMAT, MANIFEST_VERSION, writeManifest, type NetManifest } from '../../../core/registration/net/manifest.ts';
import { modelFiles } from '../../../core/registration/net/model-files.ts';
import { buildRegistrationModel } from '../../../core/registration/net/model.ts';
import { createRandom, prepareSynthShape, sampleShape, SYNTH_PRESETS, type SynthShape } from '../../../core/registration/synth/index.ts';
import { ellipsoidMesh } from '../synth/shapes.ts';

export function tinyConfig(overrides: Partial<NetConfig> = {}): NetConfig {
  return { ...defaultNetConfig('lung'), levels: [256, 64, 16], poolSize: 512, kFeature: 8, kFlow: 4, kCost: 8, width: 0.25, ...overrides };
}

/** A lung-sized ellipsoid ready for synthetic pairs. */
export function ellipsoidShape(): SynthShape {
  return prepareSynthShape(ellipsoidMesh(150, 100, 130, [0, 20, -60], 24, 48), 'ellipsoid');
}

/** `n` points sampled on the ellipsoid (seeded). */
export function ellipsoidCloud(n: number, seed: number): Float64Array {
  return sampleShape(ellipsoidShape(), n, createRandom(seed));
}

/** Saves `model` (untrained unless given) with a manifest into `dir`. */
export async function saveModelFolder(dir: string, config: NetConfig, model: tfl.LayersModel = buildRegistrationModel(config, 1)): Promise<NetManifest> {
  const files = modelFiles(dir);
  await model.save(files);
  const manifest: NetManifest = {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    mongeVersion: MONGE_VERSION,
    preset: 'lung',
    config,
    normalisation: { centre: 'centroid of each cloud’s control points', scaleMm: config.scaleMm },
    inputs: ['xyz'],
    files: { model: 'model.json', weights: 'weights.bin', weightsSha256: files.weightsSha256!, parameters: model.countParams(), weightBytes: 4 * model.countParams() },
    training: {
      seed: 1,
      epochs: 0,
      pairsPerEpoch: 0,
      validationPairs: 0,
      batchSize: 1,
      learningRate: 0,
      backend: 'none',
      data: [],
      validationData: [],
      synthPreset: SYNTH_PRESETS.lung,
      seconds: 0,
      finishedAt: new Date(0).toISOString(),
    },
    metrics: { epochs: [], final: { valEpeMm: 0, valIdentityEpeMm: 0, valCentroidEpeMm: 0, reduction: 0 } },
  };
  await writeManifest(dir, manifest);
  return manifest;
}
