/**
 * Supervised loss: multi-scale endpoint error (PointPWC-Net's multi-scale supervision): at each level l,
 * the weighted mean over source points of |f̂_i − f_i| (Euclidean, in normalised units; smoothed by 1e-8 under
 * the root so the gradient is finite at zero), summed with the level weights α_l. Weights are 0 for source
 * outliers (nothing corresponds to them).
 */
import * as tf from '@tensorflow/tfjs-core';

export function multiScaleEpe(predicted: tf.Tensor[], truth: tf.Tensor[], weight: tf.Tensor[], levelWeights: readonly number[]): tf.Scalar {
  return tf.tidy(() => {
    let total: tf.Tensor = tf.scalar(0);
    for (let l = 0; l < predicted.length; l++) {
      if (!(levelWeights[l] > 0)) continue;
      const err = tf.sqrt(tf.add(tf.sum(tf.square(tf.sub(predicted[l], truth[l])), -1), 1e-8));
      const mean = tf.div(tf.sum(tf.mul(err, weight[l])), tf.maximum(tf.sum(weight[l]), 1));
      total = tf.add(total, tf.mul(mean, levelWeights[l]));
    }
    return total as tf.Scalar;
  });
}

/** Weighted mean endpoint error of one level (no smoothing), for metrics. */
export function meanEpe(predicted: tf.Tensor, truth: tf.Tensor, weight: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const err = tf.sqrt(tf.sum(tf.square(tf.sub(predicted, truth)), -1));
    return tf.div(tf.sum(tf.mul(err, weight)), tf.maximum(tf.sum(weight), 1)) as tf.Scalar;
  });
}
