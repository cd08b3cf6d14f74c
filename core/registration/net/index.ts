/**
 * Monge's learned registration step (step 2 of the pipeline): a small PointPWC-like network with optimal-transport
 * matching (model.ts), trained on synthetic deformations of real shapes (train.ts, core/registration/synth), saved
 * as standard tfjs files plus a manifest (model-files.ts, manifest.ts), and run by inference.ts:
 *
 *   const net = await loadRegistrationNet('assets/models/lung');          // InputError naming a bad file
 *   const p = await predictDisplacement(net, movingLps, fixedLps, { engine });
 *   p.displacementLps   // mm, LPS, one vector per moving point
 *   p.report            // backend, seconds per stage, memory
 *   await interpolateDisplacement(engine, p.controlPointsLps, p.controlDisplacementLps, p.sigmaMm, landmarksLps);
 */
export { loadRegistrationNet, predictDisplacement, type LoadNetOptions, type NetPrediction, type NetPredictionReport, type PredictOptions, type RegistrationNet } from './inference.ts';
export { interpolateDisplacement } from './interpolate.ts';
export { trainRegistrationNet, TrainOptionsError, type TrainOptions, type TrainResult } from './train.ts';
export { defaultNetConfig, type NetConfig } from './config.ts';
export { readManifest, type NetManifest } from './manifest.ts';
export { defaultNetBackend, NET_BACKENDS, type NetBackendName } from './backend.ts';
export { parseDataSpec, type TrainingDataSpec } from './training-data.ts';
