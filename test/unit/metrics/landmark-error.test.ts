import { test } from 'node:test';
import assert from 'node:assert/strict';
import { landmarkErrors, quantileSorted, summarizeErrors } from '../../../core/metrics/landmark-error.ts';

const close = (a: number, b: number, tol = 1e-12): void => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('landmarkErrors: per-pair Euclidean distances (3-4-5 and 1-2-2 triangles)', () => {
  const a = Float64Array.from([0, 0, 0, 1, 1, 1, -5, 2, 7]);
  const b = Float64Array.from([3, 4, 0, 2, 3, 3, -5, 2, 7]);
  assert.deepEqual(Array.from(landmarkErrors(a, b)), [5, 3, 0]);
});

test('landmarkErrors: mismatched counts name both counts', () => {
  assert.throws(() => landmarkErrors(new Float64Array(6), new Float64Array(9)), /landmark counts differ: 2 vs 3/);
  assert.throws(() => landmarkErrors(new Float64Array(4), new Float64Array(3)), /xyz triples, got 4 and 3/);
});

test('summarizeErrors: population SD, numpy-linear p90 and median (hand-computed references)', () => {
  // [1, 2, 3, 4]: mean 2.5, population variance 1.25; p90 rank h = 3·0.9 = 2.7 → 3 + 0.7·(4 − 3) = 3.7.
  const s = summarizeErrors([4, 1, 3, 2]);
  assert.equal(s.n, 4);
  close(s.mean, 2.5);
  close(s.median, 2.5);
  close(s.std, Math.sqrt(1.25));
  close(s.p90, 3.7);
  assert.equal(s.max, 4);
  // numpy.percentile(range(1, 11), 90) = 9.1; median of an odd count is the middle value.
  close(summarizeErrors(Float64Array.from({ length: 10 }, (_, i) => i + 1)).p90, 9.1);
  assert.equal(summarizeErrors([5, 1, 9]).median, 5);
  const one = summarizeErrors([2.5]);
  assert.deepEqual(one, { n: 1, mean: 2.5, median: 2.5, std: 0, p90: 2.5, max: 2.5 });
});

test('summarizeErrors / quantileSorted: empty or non-finite input is refused', () => {
  assert.throws(() => summarizeErrors([]), /no landmark errors/);
  assert.throws(() => summarizeErrors([1, NaN]), /non-finite/);
  assert.throws(() => summarizeErrors([1, Infinity]), /non-finite/);
  assert.throws(() => quantileSorted([1, 2], 1.5), /outside \[0, 1\]/);
  assert.equal(quantileSorted([1, 2, 4], 1), 4);
  assert.equal(quantileSorted([1, 2, 4], 0), 1);
});
