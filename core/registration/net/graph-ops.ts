/**
 * Point-cloud operations inside the tfjs graph, on batched tensors [B, N, C]:
 *   groupRows   — gather the rows of each query's neighbours, [B, M, C] × [B, N, k] → [B, N, k, C]. Built on
 *                 gatherND (tfjs-backend-wasm's GatherV2 is an order of magnitude slower) with its gradient
 *                 written as a scatterND (which accumulates duplicates), since tfjs registers no GatherNd gradient
 *                 and the wasm backend has no UnsortedSegmentSum for GatherV2's.
 *   knnIndices  — brute-force k nearest neighbours (squared distances by one matMul, then topk); integer
 *                 indices carry no gradient, so the search itself never enters backpropagation.
 *   linear      — x·W + b on the last axis of any rank.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Global row numbers b·M + idx of a [B, N, k] local index tensor, flattened to [B·N·k, 1]. */
function flatIndices(idx: tf.Tensor, m: number): tf.Tensor2D {
  const b = idx.shape[0];
  const offsets = tf.reshape(tf.mul(tf.range(0, b, 1, 'int32'), tf.scalar(m, 'int32')), [b, ...idx.shape.slice(1).map(() => 1)]);
  return tf.reshape(tf.add(idx, offsets), [-1, 1]) as tf.Tensor2D;
}

/** Rows of `params` [B, M, C] at `idx` [B, N, k] (int32, local to each batch item) → [B, N, k, C]. */
export function groupRows(params: tf.Tensor, idx: tf.Tensor): tf.Tensor4D {
  const [b, m, c] = params.shape;
  const [, n, k] = idx.shape;
  const flatIdx = flatIndices(idx, m);
  const gather = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const p = args[0] as tf.Tensor;
    // The index tensor may be disposed (tidy) before backpropagation: save() keeps a copy for the gradient.
    (args[1] as tf.GradSaveFunc)([flatIdx]);
    const value = tf.reshape(tf.gatherND(tf.reshape(p, [b * m, c]), flatIdx), [b, n, k, c]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.reshape(tf.scatterND(saved[0], tf.reshape(dy, [b * n * k, c]), [b * m, c]), [b, m, c]),
    };
  });
  return gather(params) as tf.Tensor4D;
}

/** Indices [B, N, k] (int32) of the k nearest rows of `ref` [B, M, 3] for each row of `query` [B, N, 3]. */
export function knnIndices(query: tf.Tensor, ref: tf.Tensor, k: number): tf.Tensor3D {
  return tf.tidy(() => {
    const [b, m] = ref.shape as number[];
    const qq = tf.sum(tf.square(query), -1, true);
    const rr = tf.reshape(tf.sum(tf.square(ref), -1), [b, 1, m]);
    const cross = tf.matMul(query as tf.Tensor3D, ref as tf.Tensor3D, false, true);
    const negDist = tf.sub(tf.mul(cross, tf.scalar(2)), tf.add(qq, rr));
    return tf.topk(negDist, k, false).indices as tf.Tensor3D;
  });
}

/**
 * x · W (x [rows, in], W [in, out]) with a gradient that never asks tfjs-backend-wasm for a transposed matMul,
 * which runs 5–10× slower than the plain one there: dx = dy · (Wᵀ materialised), dW = (dyᵀ · x)ᵀ.
 */
const matMul2d = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor2D;
  const w = args[1] as tf.Tensor2D;
  (args[2] as tf.GradSaveFunc)([x, w]);
  return {
    value: tf.matMul(x, w),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as tf.Tensor2D[];
      const dy2 = dy as tf.Tensor2D;
      return [tf.matMul(dy2, tf.transpose(ws)), tf.transpose(tf.matMul(tf.transpose(dy2), xs))];
    },
  };
});

/** x · W + b over the last axis (x of any rank ≥ 2). */
export function linear(x: tf.Tensor, w: tf.Tensor, bias?: tf.Tensor): tf.Tensor {
  const shape = x.shape;
  const cin = shape[shape.length - 1];
  const y = matMul2d(tf.reshape(x, [-1, cin]), w);
  return tf.reshape(bias ? tf.add(y, bias) : y, [...shape.slice(0, -1), w.shape[1] as number]);
}

/**
 * Leaky ReLU with the slope PointPWC-Net uses (0.1); its gradient dy · (0.1 + 0.9·step(x)) avoids the slower
 * select-based one of tfjs.
 */
export const leaky = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor;
  (args[1] as tf.GradSaveFunc)([x]);
  return {
    value: tf.leakyRelu(x, 0.1),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, tf.add(tf.mul(tf.step(saved[0]), 0.9), 0.1)),
  };
}) as (x: tf.Tensor) => tf.Tensor;

/**
 * max over the neighbour axis: [B, N, k, C] → [B, N, C] (max-pooling of a set). The gradient routes dy to the
 * maxima through the mask 1 − step(max − x) built from broadcast subtraction; tfjs's own (a broadcast Equal)
 * is ~10× slower on the wasm backend.
 */
export const maxOverNeighbours = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor;
  const m = tf.max(x, 2);
  (args[1] as tf.GradSaveFunc)([x, m]);
  return {
    value: m,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ms] = saved;
      const mask = tf.sub(1, tf.step(tf.sub(tf.expandDims(ms, 2), xs)));
      return tf.mul(mask, tf.expandDims(dy, 2));
    },
  };
}) as (x: tf.Tensor) => tf.Tensor;

/**
 * log Σ exp over `axis` (kept as size 1), with the gradient written as dy · softmax(x): tfjs's logSumExp also
 * differentiates through its internal max (a broadcast Equal), ~10× slower on the wasm backend and exactly zero.
 */
export function logSumExpKeep(x: tf.Tensor, axis: number): tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor;
    const value = tf.tidy(() => {
      const m = tf.max(input, axis, true);
      return tf.add(tf.log(tf.sum(tf.exp(tf.sub(input, m)), axis, true)), m);
    });
    (args[1] as tf.GradSaveFunc)([input, value]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(tf.exp(tf.sub(saved[0], saved[1])), dy),
    };
  });
  return op(x);
}
