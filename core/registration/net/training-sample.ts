/**
 * One training sample: a synthetic pair (core/registration/synth) turned into network inputs — both pyramids —
 * and the ground-truth flow at the source control points, in the network's normalised units:
 *   flow_i = (u_i − (c_fixed − c_moving)) / scale
 * where u_i is the true displacement (mm) and c the centroids of the control points (the network predicts the
 * displacement relative to the centroid shift; see inference.ts). Also the endpoint errors (mm) of two
 * baselines at the control points, so validation can report reductions: identity (|u_i|) and centroid
 * alignment (|u_i − Δc|).
 */
import type { KernelEngine } from '../../kernels/types.ts';
import { syntheticPair, type SynthPreset, type SynthShape } from '../synth/index.ts';
import type { NetConfig } from './config.ts';
import { buildPyramid, type CloudPyramid } from './pyramid.ts';

export interface TrainingSample {
  source: CloudPyramid;
  target: CloudPyramid;
  /** N0×3 ground-truth flow (normalised). */
  flow: Float32Array;
  /** N0 loss weights: 0 for source outliers. */
  weight: Float32Array;
  /** Mean endpoint error (mm) over inlier control points of the identity and of centroid alignment. */
  identityEpeMm: number;
  centroidEpeMm: number;
}

export async function trainingSample(shape: SynthShape, preset: SynthPreset, config: NetConfig, engine: KernelEngine, seed: number): Promise<TrainingSample> {
  const pair = syntheticPair(shape, preset, seed);
  const source = await buildPyramid(pair.source, config, engine, seed ^ 0x5eed);
  const target = await buildPyramid(pair.target, config, engine, seed ^ 0xfeed);
  const n0 = config.levels[0];
  const shift = [0, 1, 2].map((d) => target.centreMm[d] - source.centreMm[d]);
  const flow = new Float32Array(3 * n0);
  const weight = new Float32Array(n0);
  let identity = 0;
  let centroid = 0;
  let inliers = 0;
  for (let s = 0; s < n0; s++) {
    const i = source.controlIndex[s];
    const u = [pair.displacement[3 * i], pair.displacement[3 * i + 1], pair.displacement[3 * i + 2]];
    for (let d = 0; d < 3; d++) flow[3 * s + d] = (u[d] - shift[d]) / config.scaleMm;
    weight[s] = pair.sourceOutlier[i] ? 0 : 1;
    if (weight[s] > 0) {
      inliers++;
      identity += Math.hypot(u[0], u[1], u[2]);
      centroid += Math.hypot(u[0] - shift[0], u[1] - shift[1], u[2] - shift[2]);
    }
  }
  return { source, target, flow, weight, identityEpeMm: identity / Math.max(1, inliers), centroidEpeMm: centroid / Math.max(1, inliers) };
}
