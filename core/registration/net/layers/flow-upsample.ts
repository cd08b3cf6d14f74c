/**
 * Coarse-to-fine interpolation of per-point values (flow, flow features) by inverse-distance weights over the
 * 3 nearest coarse points (PointNet++ feature propagation, Qi et al. 2017):
 *   v_i = Σ_j w_ij v_j / Σ_j w_ij,   w_ij = 1 / (|x_i − x_j| + δ)
 * Inputs: [fineXyz [B,Nf,3], coarseXyz [B,Nc,3], idx [B,Nf,3] int32, values [B,Nc,C]]; output [B, Nf, C].
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { groupRows } from '../graph-ops.ts';

type Shape = (number | null)[];

/** δ in normalised units (the preset scale is ~100 mm, so 1e-3 ≈ 0.1 mm). */
const DELTA = 1e-3;

export class FlowUpsample extends tfl.layers.Layer {
  static className = 'MongeFlowUpsample';

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = inputShape as Shape[];
    return [s[0][0], s[0][1], s[3][2]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [fine, coarse, idx, values] = inputs as tf.Tensor[];
      const near = groupRows(coarse, idx);
      const dist = tf.sqrt(tf.add(tf.sum(tf.square(tf.sub(near, tf.expandDims(fine, 2))), -1), 1e-12));
      const w = tf.div(tf.scalar(1), tf.add(dist, DELTA));
      const wn = tf.div(w, tf.sum(w, -1, true));
      return tf.sum(tf.mul(groupRows(values, idx), tf.expandDims(wn, 3)), 2);
    });
  }
}
