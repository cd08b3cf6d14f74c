// The plain-JS reference engine against closed forms and direct per-pair sums: it is what the other engines
// are tested against, so it is checked independently first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsEngine } from '../../../core/kernels/js-engine.ts';
import { EMPTY_LSE, EMPTY_SOFTMIN } from '../../../core/kernels/output-limits.ts';
import type { Cloud } from '../../../core/kernels/types.ts';
import { assertClose, directLse, keptPredicate, randomCloud, randomPotential, randomSparsity, rng } from './kernel-cases.ts';

const js = new JsEngine();
const cloud = (dim: number, ...coords: number[]): Cloud => ({ points: Float32Array.from(coords), dim });

test('softmin with one y point is C(x, y) − ε·h (p = 2 and p = 1)', async () => {
  const x = cloud(3, 0, 0, 0, 1, 2, 2);
  const y = cloud(3, 1, 0, 0);
  const out = new Float32Array(2);
  await js.softmin(0.5, 2, x, y, Float32Array.of(0.25), out);
  // C = ½|x − y|²: ½·1 and ½·(0 + 4 + 4).
  assertClose(out, [0.5 - 0.5 * 0.25, 4 - 0.5 * 0.25], 1e-7, 'p=2');
  await js.softmin(0.5, 1, x, y, Float32Array.of(0.25), out);
  assertClose(out, [1 - 0.125, Math.sqrt(8) - 0.125], 1e-7, 'p=1');
});

test('softmin of two equidistant points is C − ε(h + log 2), and stays exact for huge score ranges', async () => {
  const x = cloud(1, 0);
  const out = new Float32Array(1);
  await js.softmin(0.1, 2, x, cloud(1, -1, 1), Float32Array.of(2, 2), out);
  assertClose(out, [0.5 - 0.1 * (2 + Math.log(2))], 1e-6, 'equidistant');
  // exp(1e4) overflows float64: only a max-stabilised sum gets −ε·(1e4 + log(1 + e^−1e4)) = −1e3 here.
  await js.softmin(0.1, 2, x, cloud(1, 0, 0), Float32Array.of(1e4, 0), out);
  assertClose(out, [-1000], 1e-6, 'stabilised');
});

test('rows whose terms are all masked give the documented empty values, never NaN or Infinity', async () => {
  const x = cloud(2, 0, 0, 1, 1);
  const y = cloud(2, 0, 1, 1, 0, 2, 2);
  const h = Float32Array.of(-Infinity, -Infinity, -Infinity);
  const out = new Float32Array(2);
  await js.softmin(1, 2, x, y, h, out);
  assert.deepEqual([...out], [EMPTY_SOFTMIN, EMPTY_SOFTMIN].map(Math.fround));
  const lse = new Float32Array(2);
  const mean = new Float32Array(4);
  await js.softminWeighted(1, 2, x, y, h, new Float32Array(6).fill(1), 2, lse, mean);
  assert.deepEqual([...lse], [EMPTY_LSE, EMPTY_LSE].map(Math.fround));
  assert.deepEqual([...mean], [0, 0, 0, 0]);
});

test('softminWeighted: lse and the softmax-weighted mean match a direct computation', async () => {
  const rand = rng(7);
  const x = randomCloud(9, 3, rand);
  const y = randomCloud(31, 3, rand);
  const h = randomPotential(31, rand);
  const v = Float32Array.from({ length: 31 * 2 }, () => rand() * 2 - 1);
  const lse = new Float32Array(9);
  const mean = new Float32Array(18);
  await js.softminWeighted(0.05, 2, x, y, h, v, 2, lse, mean);
  for (let i = 0; i < 9; i++) {
    const l = directLse(0.05, 2, x, y, h, i);
    assertClose([lse[i]], [l], 1e-6, `lse ${i}`);
    const expect = [0, 0];
    for (let j = 0; j < 31; j++) {
      const d2 = (x.points[3 * i] - y.points[3 * j]) ** 2 + (x.points[3 * i + 1] - y.points[3 * j + 1]) ** 2 + (x.points[3 * i + 2] - y.points[3 * j + 2]) ** 2;
      const w = Math.exp(h[j] - d2 / 2 / 0.05 - l);
      expect[0] += w * v[2 * j];
      expect[1] += w * v[2 * j + 1];
    }
    assertClose(mean.subarray(2 * i, 2 * i + 2), expect, 1e-5, `mean ${i}`);
  }
});

test('block-sparse softmin sums exactly the kept blocks', async () => {
  const rand = rng(11);
  const x = randomCloud(40, 2, rand);
  const y = randomCloud(57, 2, rand);
  const h = randomPotential(57, rand);
  const s = randomSparsity(40, 57, 6, 7, 0.4, rand);
  const kept = keptPredicate(s);
  const out = new Float32Array(40);
  await js.softmin(0.02, 1, x, y, h, out, s);
  const expected = Array.from({ length: 40 }, (_, i) => {
    const l = directLse(0.02, 1, x, y, h, i, kept);
    return l === -Infinity ? EMPTY_SOFTMIN : -0.02 * l;
  });
  assertClose(out, expected, 1e-6, 'masked');
});

test('argmaxScore, gaussianSum and knn match direct computations', async () => {
  const x = cloud(1, 0, 3);
  const y = cloud(1, 1, 2.5, -0.5);
  const h = Float32Array.of(0, 0, 0.2);
  const idx = new Int32Array(2);
  const score = new Float32Array(2);
  await js.argmaxScore(1, 2, x, y, h, idx, score);
  // s_0j = h_j − d²/2: [−0.5, −3.125, 0.075]; s_1j: [−2, −0.125, −12.05].
  assert.deepEqual([...idx], [2, 1]);
  assertClose(score, [0.075, -0.125], 1e-6, 'score');

  const out = new Float32Array(2);
  await js.gaussianSum([1, 2], [1, 0.5], x, y, Float32Array.of(1, 2, 3), 1, out);
  const k = (d2: number): number => Math.exp(-d2 / 2) + 0.5 * Math.exp(-d2 / 8);
  assertClose(out, [k(1) + 2 * k(6.25) + 3 * k(0.25), k(4) + 2 * k(0.25) + 3 * k(12.25)], 1e-6, 'gaussian');

  const ni = new Int32Array(4);
  const nd = new Float32Array(4);
  await js.knn(2, x, y, ni, nd);
  assert.deepEqual([...ni], [2, 0, 1, 0]);
  assertClose(nd, [0.25, 1, 0.25, 4], 1e-7, 'knn');
});

test('invalid calls are rejected with a RangeError', async () => {
  const x = cloud(3, 0, 0, 0);
  const out = new Float32Array(1);
  await assert.rejects(js.softmin(0, 2, x, x, new Float32Array(1), out), RangeError);
  await assert.rejects(js.softmin(1, 2, x, cloud(2, 0, 0), new Float32Array(1), out), RangeError);
  await assert.rejects(js.softmin(1, 2, x, x, new Float32Array(2), out), RangeError);
  await assert.rejects(js.knn(2, x, x, new Int32Array(2), new Float32Array(2)), RangeError);
  const bad = { xStart: Uint32Array.of(0, 1), yStart: Uint32Array.of(0, 1), rowPtr: Uint32Array.of(0, 1), cols: Uint32Array.of(3) };
  await assert.rejects(js.softmin(1, 2, x, x, new Float32Array(1), out, bad), RangeError);
});
