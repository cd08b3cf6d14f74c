/**
 * Set abstraction / point convolution (PointNet++, Qi et al. 2017; PointConv as used by PointPWC-Net, Wu et al.
 * 2020): for each query point i with neighbours j ∈ N(i) (indices computed outside the graph),
 *   h_i = max_j MLP([f_j, x_j − x_i])
 * The first MLP layer is linear in [f_j, x_j − x_i], so it is applied BEFORE grouping:
 *   W·[f_j, x_j − x_i] + b = (W_f f_j + W_x x_j) − W_x x_i + b
 * which costs M rows instead of N·k. Inputs: [queryXyz [B,N,3], refXyz [B,M,3], idx [B,N,k] int32,
 * (refFeatures [B,M,C])]; output [B, N, widths.at(-1)]. With `self: true` the query points are the reference
 * points and the inputs are [xyz, idx, (features)] (tfjs-layers' executor miscounts a tensor passed twice to
 * one layer and would dispose it early).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;
import { groupRows, leaky, linear, maxOverNeighbours } from '../graph-ops.ts';
import { addMlpWeights, type AddWeight, type MlpWeights } from './mlp-weights.ts';

type Shape = (number | null)[];

export type SetConvArgs = LayerArgs & {
  widths: number[];
  seed: number;
  self?: boolean;
};

export class SetConv extends tfl.layers.Layer {
  static className = 'MongeSetConv';
  readonly widths: number[];
  readonly seed: number;
  readonly self: boolean;
  private mlp?: MlpWeights;

  constructor(args: SetConvArgs) {
    super(args);
    this.widths = args.widths;
    this.seed = args.seed;
    this.self = args.self ?? false;
  }

  /** [query, ref, idx, features?] whatever the input convention. */
  private unpack<T>(inputs: T[]): [T, T, T, T | undefined] {
    return this.self ? [inputs[0], inputs[0], inputs[1], inputs[2]] : [inputs[0], inputs[1], inputs[2], inputs[3]];
  }

  override build(inputShape: Shape | Shape[]): void {
    const features = this.unpack(inputShape as Shape[])[3];
    const featureWidth = features ? (features[2] as number) : 0;
    this.mlp = addMlpWeights(this.addWeight.bind(this) as AddWeight, 'mlp', featureWidth + 3, this.widths, this.seed);
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const q = (inputShape as Shape[])[0];
    return [q[0], q[1], this.widths[this.widths.length - 1]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [query, ref, idx, features] = this.unpack(inputs as tf.Tensor[]);
      const mlp = this.mlp!;
      const w0 = mlp.kernels[0].read();
      const cin = w0.shape[0];
      const refInput = features ? tf.concat([features, ref], -1) : ref;
      const refPart = linear(refInput, w0);
      const wx = tf.slice(w0, [cin - 3, 0], [3, -1]);
      const queryPart = tf.sub(mlp.biases[0].read(), linear(query, wx));
      let h = leaky(tf.add(groupRows(refPart, idx), tf.expandDims(queryPart, 2)));
      for (let l = 1; l < mlp.kernels.length; l++) h = leaky(linear(h, mlp.kernels[l].read(), mlp.biases[l].read()));
      return maxOverNeighbours(h);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), widths: this.widths, seed: this.seed, self: this.self };
  }
}
