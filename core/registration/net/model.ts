/**
 * The registration network, a small PointPWC-Net (Wu et al. 2020) on three farthest-point levels
 * (N0 > N1 > N2 points, prefixes of one FPS order, see pyramid.ts):
 *
 *   features   siamese set abstraction: L1 ← L0 xyz, L2 ← L1 features (shared weights for source and target);
 *   level 2    unbalanced optimal transport source↔target (layers/ot-flow.ts, FLOT-style, on coordinates and
 *              learned features) whose flow, Gaussian-smoothed with the matched mass as confidence
 *              (layers/gaussian-smooth.ts; RobOT's match-then-regularise), is the base flow; a cost volume
 *              (kNN in the graph), global context, a learned global affine motion (layers/affine-head.ts: the
 *              rotation OT cannot see) and a flow estimator add learned corrections → flow₂;
 *   level 1    flow₂ and its features upsampled (inverse distance), source warped, OT + smoothing again on the
 *              remaining motion, cost volume, flow estimator → residual → flow₁;
 *   level 0    flow₁ and its features upsampled to the N0 control points, refined point by point → flow₀.
 *
 * Inputs (names in MODEL_INPUTS): normalised xyz of both clouds [B, N0, 3] and the fixed neighbour tables
 * [B, n, k] (int32). Outputs: flows at levels 0, 1, 2 in normalised units ([B, N_l, 3]); flow₀ at the control
 * points is the prediction, the coarser ones are supervised too (multi-scale loss).
 * 144 969 parameters at width 1 (0.58 MB of float32 weights).
 */
import * as tfl from '@tensorflow/tfjs-layers';
import type { NetConfig } from './config.ts';
import { AffineHead, CostVolume, FlowUpsample, GaussianSmooth, GlobalContext, OtFlow, SetConv, TakeChannels, TakePoints } from './layers/index.ts';
import { scaledWidths } from './layers/mlp-weights.ts';

/** Model inputs, in order: both clouds' normalised control points, then the neighbour tables of pyramid.ts. */
export const MODEL_INPUTS = [
  'src',
  'tgt',
  'src_nbr10',
  'src_nbr21',
  'src_nbr11',
  'src_nbr22',
  'src_up01',
  'src_up12',
  'tgt_nbr10',
  'tgt_nbr21',
] as const;

export type ModelInputName = (typeof MODEL_INPUTS)[number];

/** [rows, columns] of each input for a config. */
export function inputShapes(c: NetConfig): Record<ModelInputName, [number, number]> {
  const [n0, n1, n2] = c.levels;
  return {
    src: [n0, 3],
    tgt: [n0, 3],
    src_nbr10: [n1, c.kFeature],
    src_nbr21: [n2, c.kFeature],
    src_nbr11: [n1, c.kFlow],
    src_nbr22: [n2, c.kFlow],
    src_up01: [n0, 3],
    src_up12: [n1, 3],
    tgt_nbr10: [n1, c.kFeature],
    tgt_nbr21: [n2, c.kFeature],
  };
}

/** Builds the (untrained) network; `seed` fixes the initial weights. */
export function buildRegistrationModel(c: NetConfig, seed: number): tfl.LayersModel {
  const shapes = inputShapes(c);
  const inputs = Object.fromEntries(
    MODEL_INPUTS.map((name) => [name, tfl.input({ shape: shapes[name], dtype: name === 'src' || name === 'tgt' ? 'float32' : 'int32', name })]),
  ) as Record<ModelInputName, tfl.SymbolicTensor>;
  const [, n1, n2] = c.levels;
  const w = (widths: number[]): number[] => scaledWidths(widths, c.width);
  let layerSeed = seed * 1000;
  const nextSeed = (): number => ++layerSeed;
  const apply = (layer: tfl.layers.Layer, args: tfl.SymbolicTensor[]): tfl.SymbolicTensor => layer.apply(args) as tfl.SymbolicTensor;
  const dense = (units: number, x: tfl.SymbolicTensor, name: string, small = false): tfl.SymbolicTensor =>
    tfl.layers
      .dense({
        units,
        name,
        kernelInitializer: small ? tfl.initializers.randomNormal({ mean: 0, stddev: 1e-3, seed: nextSeed() }) : tfl.initializers.glorotUniform({ seed: nextSeed() }),
      })
      .apply(x) as tfl.SymbolicTensor;
  const lrelu = (x: tfl.SymbolicTensor): tfl.SymbolicTensor => tfl.layers.leakyReLU({ alpha: 0.1 }).apply(x) as tfl.SymbolicTensor;
  const concat = (xs: tfl.SymbolicTensor[]): tfl.SymbolicTensor => tfl.layers.concatenate({ axis: -1 }).apply(xs) as tfl.SymbolicTensor;
  const add = (a: tfl.SymbolicTensor, b: tfl.SymbolicTensor): tfl.SymbolicTensor => tfl.layers.add().apply([a, b]) as tfl.SymbolicTensor;

  const s0 = inputs.src;
  const t0 = inputs.tgt;
  const take1 = new TakePoints({ count: n1, name: 'take_l1' });
  const take2 = new TakePoints({ count: n2, name: 'take_l2' });
  const s1 = take1.apply(s0) as tfl.SymbolicTensor;
  const t1 = take1.apply(t0) as tfl.SymbolicTensor;
  const s2 = take2.apply(s0) as tfl.SymbolicTensor;
  const t2 = take2.apply(t0) as tfl.SymbolicTensor;

  // Feature pyramid (siamese).
  const sa1 = new SetConv({ widths: w([32, 64]), seed: nextSeed(), name: 'sa1' });
  const sa2 = new SetConv({ widths: w([96, 128]), seed: nextSeed(), name: 'sa2' });
  const fs1 = apply(sa1, [s1, s0, inputs.src_nbr10]);
  const ft1 = apply(sa1, [t1, t0, inputs.tgt_nbr10]);
  const fs2 = apply(sa2, [s2, s1, inputs.src_nbr21, fs1]);
  const ft2 = apply(sa2, [t2, t1, inputs.tgt_nbr21, ft1]);

  // The smoothed OT flow of a level (RobOT's match-then-regularise step) and the OT outputs as features.
  const otStep = (level: number, src: tfl.SymbolicTensor, warped: tfl.SymbolicTensor, fs: tfl.SymbolicTensor, tgt: tfl.SymbolicTensor, ft: tfl.SymbolicTensor) => {
    const blur = level === 2 ? c.ot.blur2 : c.ot.blur1;
    const diameter = level === 2 ? c.ot.diameter2 : c.ot.diameter1;
    const ot = apply(new OtFlow({ blur, reach: c.ot.reach, diameter, featureWidth: 8, name: `ot${level}` }), [warped, fs, tgt, ft]);
    const otFlow = new TakeChannels({ start: 0, count: 3, name: `ot${level}_flow` }).apply(ot) as tfl.SymbolicTensor;
    const otMass = new TakeChannels({ start: 3, count: 1, name: `ot${level}_mass` }).apply(ot) as tfl.SymbolicTensor;
    const smooth = apply(new GaussianSmooth({ sigma: level === 2 ? c.ot.smooth2 : c.ot.smooth1, name: `smooth${level}` }), [src, otFlow, otMass]);
    return { ot, smooth };
  };

  // Level 2: OT matching + smoothing (the base flow), cost volume, global context, flow estimator → residual.
  const l2 = otStep(2, s2, s2, fs2, t2, ft2);
  const cv2 = apply(new CostVolume({ widths: w([64, 64]), k: c.kCost, seed: nextSeed(), name: 'cost2' }), [s2, fs2, t2, ft2]);
  const ctx2 = new GlobalContext({ name: 'context2' }).apply(lrelu(dense(w([64])[0], concat([fs2, cv2, l2.ot, l2.smooth]), 'context2_in'))) as tfl.SymbolicTensor;
  const e2 = apply(new SetConv({ widths: w([128, 64]), seed: nextSeed(), self: true, name: 'flow2_conv' }), [s2, inputs.src_nbr22, concat([fs2, cv2, l2.ot, l2.smooth, ctx2])]);
  const residual2 = dense(3, lrelu(dense(w([32])[0], e2, 'flow2_hidden')), 'flow2_out', true);
  const flow2 = c.affineHead
    ? add(add(l2.smooth, apply(new AffineHead({ hidden: w([64])[0], seed: nextSeed(), name: 'affine2' }), [s2, ctx2])), residual2)
    : add(l2.smooth, residual2);

  // Level 1: upsample, warp, OT matching + smoothing of the remaining motion, cost volume, residual flow.
  const up1 = apply(new FlowUpsample({ name: 'up1_flow' }), [s1, s2, inputs.src_up12, flow2]);
  const upE1 = apply(new FlowUpsample({ name: 'up1_feat' }), [s1, s2, inputs.src_up12, e2]);
  const warped1 = add(s1, up1);
  const l1 = otStep(1, s1, warped1, fs1, t1, ft1);
  const base1 = add(up1, l1.smooth);
  const cv1 = apply(new CostVolume({ widths: w([64, 64]), k: c.kCost, seed: nextSeed(), name: 'cost1' }), [warped1, fs1, t1, ft1]);
  const e1 = apply(new SetConv({ widths: w([96, 64]), seed: nextSeed(), self: true, name: 'flow1_conv' }), [s1, inputs.src_nbr11, concat([fs1, cv1, l1.ot, l1.smooth, up1, upE1])]);
  const flow1 = add(base1, dense(3, lrelu(dense(w([32])[0], e1, 'flow1_hidden')), 'flow1_out', true));

  // Level 0: flow and features upsampled to the control points, refined point by point.
  const up0 = apply(new FlowUpsample({ name: 'up0_flow' }), [s0, s1, inputs.src_up01, flow1]);
  const upE0 = apply(new FlowUpsample({ name: 'up0_feat' }), [s0, s1, inputs.src_up01, e1]);
  const flow0 = add(up0, dense(3, lrelu(dense(w([32])[0], concat([upE0, up0]), 'flow0_hidden')), 'flow0_out', true));

  return tfl.model({ inputs: MODEL_INPUTS.map((name) => inputs[name]), outputs: [flow0, flow1, flow2], name: 'monge_registration' });
}
