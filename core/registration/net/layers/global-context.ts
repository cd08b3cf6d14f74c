/**
 * Global context: the maximum of each channel over all points of a cloud, repeated for every point
 * ([B, N, C] → [B, N, C]), as PointNet's global feature (Qi et al. 2017). At the coarsest level it lets each
 * point's flow estimate see the whole shape (e.g. a rotation).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

type Shape = (number | null)[];

export class GlobalContext extends tfl.layers.Layer {
  static className = 'MongeGlobalContext';

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return inputShape as Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const g = tf.max(x, 1, true);
      return tf.tile(g, [1, x.shape[1] as number, 1]);
    });
  }
}
