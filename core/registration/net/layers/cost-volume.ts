/**
 * Point cost volume between the (warped) source and the target at one pyramid level, after PointPWC-Net's
 * point-to-patch cost (Wu et al. 2020, "PointPWC-Net: Cost Volume on Point Clouds for (Self-)Supervised Scene
 * Flow Estimation"): for each source point i and its k nearest target points j (searched in the graph, since the
 * source is warped by the coarser flow),
 *   c_ij = MLP([f_i, g_j, y_j − x_i]),   cost_i = max_j c_ij,
 * plus a soft correspondence offset o_i = Σ_j softmax_j(w · c_ij) (y_j − x_i), the attention-weighted vector
 * to the matching target neighbourhood, which gives the flow estimator a direct geometric cue.
 * Inputs: [srcXyz [B,N,3], srcFeat [B,N,Cs], tgtXyz [B,M,3], tgtFeat [B,M,Ct]]; output [B, N, widths.at(-1) + 3].
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerVariable } from '@tensorflow/tfjs-layers';

type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;
import { groupRows, knnIndices, leaky, linear, maxOverNeighbours } from '../graph-ops.ts';
import { addMlpWeights, type AddWeight, type MlpWeights } from './mlp-weights.ts';

type Shape = (number | null)[];

export type CostVolumeArgs = LayerArgs & {
  widths: number[];
  k: number;
  seed: number;
};

export class CostVolume extends tfl.layers.Layer {
  static className = 'MongeCostVolume';
  readonly widths: number[];
  readonly k: number;
  readonly seed: number;
  private mlp?: MlpWeights;
  private score?: LayerVariable;

  constructor(args: CostVolumeArgs) {
    super(args);
    this.widths = args.widths;
    this.k = args.k;
    this.seed = args.seed;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shapes = inputShape as Shape[];
    const cs = shapes[1][2] as number;
    const ct = shapes[3][2] as number;
    const add = this.addWeight.bind(this) as AddWeight;
    this.mlp = addMlpWeights(add, 'mlp', cs + ct + 3, this.widths, this.seed);
    this.score = add('score', [this.widths[this.widths.length - 1], 1], 'float32', tfl.initializers.glorotUniform({ seed: this.seed * 131 + 97 }));
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = (inputShape as Shape[])[0];
    return [s[0], s[1], this.widths[this.widths.length - 1] + 3];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [src, srcFeat, tgt, tgtFeat] = inputs as tf.Tensor[];
      const mlp = this.mlp!;
      const cs = srcFeat.shape[2] as number;
      const ct = tgtFeat.shape[2] as number;
      const idx = knnIndices(src, tgt, this.k);
      // First layer W·[f_i, g_j, y_j − x_i] + b split into a target part (grouped) and a source part.
      const w0 = mlp.kernels[0].read();
      const ws = tf.slice(w0, [0, 0], [cs, -1]);
      const wt = tf.slice(w0, [cs, 0], [ct + 3, -1]);
      const wx = tf.slice(w0, [cs + ct, 0], [3, -1]);
      const tgtPart = linear(tf.concat([tgtFeat, tgt], -1), wt);
      const srcPart = tf.add(tf.sub(linear(srcFeat, ws), linear(src, wx)), mlp.biases[0].read());
      let h = leaky(tf.add(groupRows(tgtPart, idx), tf.expandDims(srcPart, 2)));
      for (let l = 1; l < mlp.kernels.length; l++) h = leaky(linear(h, mlp.kernels[l].read(), mlp.biases[l].read()));
      const cost = maxOverNeighbours(h);
      const attention = tf.softmax(tf.squeeze(linear(h, this.score!.read()), [3]), -1);
      const offsets = tf.sub(groupRows(tgt, idx), tf.expandDims(src, 2));
      const offset = tf.sum(tf.mul(offsets, tf.expandDims(attention, 3)), 2);
      return tf.concat([cost, offset], -1);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), widths: this.widths, k: this.k, seed: this.seed };
  }
}
