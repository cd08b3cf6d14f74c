/**
 * Optional self-supervised loss on unlabeled real pairs (PointPWC-Net trains self-supervised with Chamfer and
 * smoothness terms; here, as in RobOT, with the debiased Sinkhorn divergence of core/ot): the network warps the
 * moving control points, x_i = m_i + Δc + s·f_i, and the loss λ·S_ε(Σ a_i δ_{x_i}, β_fixed) / s² pulls them onto
 * the fixed shape. S is computed outside the graph by the OT engine, with its gradient ∂S/∂x_i (mm, mass-weighted);
 * the graph gets the surrogate (λ/s)·Σ_i ⟨stop(∂S/∂x_i), f_i⟩, whose gradient in the flow f is exactly that of the
 * loss (∂x/∂f = s). One pair per step, in turn.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { KernelEngine } from '../../kernels/types.ts';
import { sinkhornDivergence } from '../../ot/index.ts';
import { modelInputs } from './batch.ts';
import type { NetConfig } from './config.ts';
import type { TrainingFile } from './manifest.ts';
import { buildPyramid, type CloudPyramid } from './pyramid.ts';
import { loadTrainingShapes, type TrainingDataSpec } from './training-data.ts';

export interface SelfSupervisedOptions {
  pairs: { moving: TrainingDataSpec; fixed: TrainingDataSpec }[];
  /** λ (default 1). */
  weight?: number;
  /** Sinkhorn blur in mm (default 10 % of the preset scale: coarse enough to converge in a few dozen iterations). */
  blurMm?: number;
}

export interface PreparedUnlabeled {
  pairs: { moving: CloudPyramid; fixed: CloudPyramid }[];
  records: { moving: TrainingFile; fixed: TrainingFile }[];
  weight: number;
  blurMm: number;
  config: NetConfig;
}

export async function prepareSelfSupervised(options: SelfSupervisedOptions, config: NetConfig, engine: KernelEngine, onFile?: (path: string) => void): Promise<PreparedUnlabeled> {
  if (options.pairs.length === 0) throw new RangeError('self-supervision needs at least one unlabeled pair');
  const pairs: PreparedUnlabeled['pairs'] = [];
  const records: PreparedUnlabeled['records'] = [];
  for (const [k, p] of options.pairs.entries()) {
    const [moving, fixed] = await loadTrainingShapes([p.moving, p.fixed], onFile);
    pairs.push({
      moving: await buildPyramid(moving.shape.pointsLps, config, engine, 2 * k),
      fixed: await buildPyramid(fixed.shape.pointsLps, config, engine, 2 * k + 1),
    });
    records.push({ moving: moving.record, fixed: fixed.record });
  }
  return { pairs, records, weight: options.weight ?? 1, blurMm: options.blurMm ?? 0.1 * config.scaleMm, config };
}

/** S_ε of pair `step mod count` under the current weights, and the surrogate term for the step's loss. */
export async function selfSupervisedGradient(
  model: tfl.LayersModel,
  prepared: PreparedUnlabeled,
  step: number,
  engine: KernelEngine,
): Promise<{ divergence: number; surrogate: () => tf.Scalar; dispose: () => void }> {
  const { config } = prepared;
  const pair = prepared.pairs[step % prepared.pairs.length];
  const x = modelInputs([pair.moving], [pair.fixed], config);
  const outputs = model.predict(x) as tf.Tensor[];
  const flow = await outputs[0].data();
  tf.dispose(outputs);
  const n0 = config.levels[0];
  const warped = new Float64Array(3 * n0);
  for (let i = 0; i < n0; i++) {
    for (let d = 0; d < 3; d++) warped[3 * i + d] = pair.moving.controlMm[3 * i + d] + pair.fixed.centreMm[d] - pair.moving.centreMm[d] + config.scaleMm * flow[3 * i + d];
  }
  const result = await sinkhornDivergence(engine, warped, pair.fixed.controlMm, { blur: prepared.blurMm, gradient: { x: true }, tol: 1e-2, maxIter: 100 });
  const grad = tf.tensor3d(Float32Array.from(result.gradX!), [1, n0, 3]);
  const factor = prepared.weight / config.scaleMm;
  return {
    divergence: result.value,
    surrogate: () => tf.mul(tf.sum(tf.mul(grad, (model.apply(x, { training: true }) as tf.Tensor[])[0])), factor) as tf.Scalar,
    dispose: () => tf.dispose([...x, grad]),
  };
}
