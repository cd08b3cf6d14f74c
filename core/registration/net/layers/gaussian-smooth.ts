/**
 * Gaussian smoothing of per-point values over a cloud (normalised Nadaraya–Watson regression with per-point
 * confidences), the regulariser of OT matches in RobOT-style registration (Shen et al. 2021): matches of
 * independent samplings are noisy point by point but right on average, and the deformations are smooth.
 *   v̄_i = Σ_j k_ij w_j v_j / Σ_j k_ij w_j,   k_ij = exp(−|x_i − x_j|² / 2σ²)
 * Dense over the level's points (a few hundred). Inputs: [xyz [B,N,3], values [B,N,C], logWeight [B,N,1]]
 * (weights w = exp(min(0, logWeight)), e.g. the OT layer's matched-mass ratio); output [B, N, C].
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

type Shape = (number | null)[];
type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

export type GaussianSmoothArgs = LayerArgs & { sigma: number };

export class GaussianSmooth extends tfl.layers.Layer {
  static className = 'MongeGaussianSmooth';
  readonly sigma: number;

  constructor(args: GaussianSmoothArgs) {
    super(args);
    this.sigma = args.sigma;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return (inputShape as Shape[])[1];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [x, v, logW] = inputs as tf.Tensor[];
      const [b, n] = x.shape as number[];
      const xx = tf.sum(tf.square(x), -1, true);
      const d2 = tf.relu(tf.sub(tf.add(xx, tf.reshape(xx, [b, 1, n])), tf.mul(tf.matMul(x as tf.Tensor3D, x as tf.Tensor3D, false, true), 2)));
      // log k_ij + log w_j, then a softmax over j: the normalised weights.
      const logits = tf.add(tf.div(d2, -2 * this.sigma * this.sigma), tf.reshape(tf.minimum(logW, 0), [b, 1, n]));
      return tf.matMul(tf.softmax(logits, -1) as tf.Tensor3D, v as tf.Tensor3D);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), sigma: this.sigma };
  }
}
