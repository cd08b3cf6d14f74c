// The network's graph operations against tfjs's own ops and plain-JS references: values and gradients of the
// custom-gradient ops (grouping, matMul, max-pooling, leaky ReLU), the in-graph kNN, and the OT layer on a
// case with a known answer.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { useNetBackend } from '../../../core/registration/net/backend.ts';
import { groupRows, knnIndices, leaky, linear, maxOverNeighbours } from '../../../core/registration/net/graph-ops.ts';
import { blurSchedule, OtFlow } from '../../../core/registration/net/layers/ot-flow.ts';
import { AffineHead } from '../../../core/registration/net/layers/affine-head.ts';
import { GaussianSmooth } from '../../../core/registration/net/layers/gaussian-smooth.ts';
import { createRandom } from '../../../core/registration/synth/random.ts';

before(async () => {
  await useNetBackend('wasm');
});

function randomTensor(shape: number[], seed: number): tf.Tensor {
  const r = createRandom(seed);
  return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r.uniform(-1, 1)), shape);
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

test('groupRows gathers each batch item’s rows, and its gradient sums over repeated indices', () => {
  const params = randomTensor([2, 5, 3], 1);
  const idx = tf.tensor3d(Int32Array.from([0, 4, 4, 1, 2, 2, 3, 0, 0, 0, 1, 4]), [2, 2, 3], 'int32');
  const got = groupRows(params, idx);
  const p = params.arraySync() as number[][][];
  const ix = idx.arraySync() as number[][][];
  const want = tf.tensor4d(ix.map((rows, b) => rows.map((row) => row.map((j) => p[b][j]))));
  assert.ok(maxAbsDiff(got, want) === 0);
  const w = randomTensor([2, 2, 3, 3], 2);
  const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(groupRows(x, idx), w)))(params);
  // Reference: scatter-add of w into the rows it was gathered from.
  const ref = new Float32Array(2 * 5 * 3);
  const wv = w.arraySync() as number[][][][];
  ix.forEach((rows, b) => rows.forEach((row, n) => row.forEach((j, k) => wv[b][n][k].forEach((v, c) => (ref[(b * 5 + j) * 3 + c] += v)))));
  assert.ok(maxAbsDiff(grad, tf.tensor(ref, [2, 5, 3])) < 1e-6);
});

test('knnIndices finds the k nearest reference points of each query', () => {
  const r = createRandom(3);
  const q = Array.from({ length: 2 * 20 * 3 }, () => r.uniform(-1, 1));
  const ref = Array.from({ length: 2 * 30 * 3 }, () => r.uniform(-1, 1));
  const idx = knnIndices(tf.tensor3d(q, [2, 20, 3]), tf.tensor3d(ref, [2, 30, 3]), 4).arraySync() as number[][][];
  for (let b = 0; b < 2; b++) {
    for (let i = 0; i < 20; i++) {
      const d = Array.from({ length: 30 }, (_, j) => [0, 1, 2].reduce((s, c) => s + (q[(b * 20 + i) * 3 + c] - ref[(b * 30 + j) * 3 + c]) ** 2, 0));
      const want = d.map((v, j) => [v, j]).sort((x, y) => x[0] - y[0]).slice(0, 4).map((x) => x[1]).sort((x, y) => x - y);
      assert.deepEqual([...idx[b][i]].sort((x, y) => x - y), want);
    }
  }
});

test('linear, maxOverNeighbours and leaky match tfjs’s ops in value and gradient', () => {
  const x = randomTensor([2, 7, 5, 6], 4);
  const w = randomTensor([6, 4], 5);
  const bias = randomTensor([4], 6);
  const dy = randomTensor([2, 7, 5, 4], 7);
  const ours = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(linear(a, b, bias), dy)))([x, w]);
  const theirs = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.add(tf.reshape(tf.matMul(tf.reshape(a, [-1, 6]), b), [2, 7, 5, 4]), bias), dy)))([x, w]);
  assert.ok(maxAbsDiff(ours[0], theirs[0]) < 1e-5 && maxAbsDiff(ours[1], theirs[1]) < 1e-4);
  const dm = randomTensor([2, 7, 6], 8);
  assert.ok(maxAbsDiff(maxOverNeighbours(x), tf.max(x, 2)) === 0);
  const gm = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(maxOverNeighbours(a), dm)))(x);
  const gmRef = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.max(a, 2), dm)))(x);
  assert.ok(maxAbsDiff(gm, gmRef) < 1e-6);
  const w2 = randomTensor([2, 7, 5, 4], 10);
  const gl = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(leaky(a), w2)))(dy);
  const glRef = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(a, 0.1), w2)))(dy);
  assert.ok(maxAbsDiff(leaky(dy), tf.leakyRelu(dy, 0.1)) === 0 && maxAbsDiff(gl, glRef) < 1e-6);
});

test('the OT layer recovers a translation between two copies of a cloud, with full matched mass', () => {
  const r = createRandom(9);
  const n = 60;
  const pts = Array.from({ length: 3 * n }, () => r.uniform(-1, 1));
  const shift = [0.05, -0.03, 0.02];
  const moved = pts.map((v, i) => v + shift[i % 3]);
  const layer = new OtFlow({ blur: 0.02, reach: 10, diameter: 4, featureWidth: 2 });
  const feats = tf.zeros([1, n, 3]);
  const out = layer.apply([tf.tensor3d(pts, [1, n, 3]), feats, tf.tensor3d(moved, [1, n, 3]), feats]) as tf.Tensor;
  const o = out.arraySync() as number[][][];
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(o[0][i][c] - shift[c]) < 5e-3, `flow ${i},${c}: ${o[0][i][c]}`);
    assert.ok(Math.abs(o[0][i][3]) < 0.05, `log mass ratio ${o[0][i][3]}`);
  }
  assert.deepEqual(blurSchedule(4, 1, 1).map((v) => Number(v.toFixed(6))), [4, 2.828427, 2, 1.414214, 1, 1]);
});

test('the affine head moves every point by M x + t (here set through its last bias), zero before training', () => {
  const layer = new AffineHead({ hidden: 4, seed: 1 });
  const x = tf.tensor3d([[[1, 2, 3], [-1, 0, 2]]]);
  const g = tf.ones([1, 2, 5]);
  assert.ok(maxAbsDiff(layer.apply([x, g]) as tf.Tensor, tf.zeros([1, 2, 3])) === 0);
  const [w1, b1, w2] = layer.getWeights();
  const m = [0.1, 0, 0, 0, 0, -0.2, 0, 0.2, 0];
  const t = [1, 2, 3];
  layer.setWeights([w1, b1, w2, tf.tensor1d([...m, ...t])]);
  const want = [
    [1 * 0.1 + 1, 3 * -0.2 + 2, 2 * 0.2 + 3],
    [-1 * 0.1 + 1, 2 * -0.2 + 2, 0 * 0.2 + 3],
  ];
  assert.ok(maxAbsDiff(layer.apply([x, g]) as tf.Tensor, tf.tensor3d([want])) < 1e-6);
});

test('Gaussian smoothing averages values with kernel × confidence weights', () => {
  const x = tf.tensor3d([[[0, 0, 0], [1, 0, 0], [10, 0, 0]]]);
  const v = tf.tensor3d([[[1], [3], [100]]]);
  const logW = tf.tensor3d([[[0], [Math.log(0.5)], [0]]]);
  const out = (new GaussianSmooth({ sigma: 1 }).apply([x, v, logW]) as tf.Tensor).arraySync() as number[][][];
  // Point 0: weights 1·1 and e^{−1/2}·0.5 (point 2 is 10σ away).
  const w1 = Math.exp(-0.5) * 0.5;
  assert.ok(Math.abs(out[0][0][0] - (1 + 3 * w1) / (1 + w1)) < 1e-5);
  assert.ok(Math.abs(out[0][2][0] - 100) < 1e-5);
});
