import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diameterOf, epsilonSchedule } from '../../../core/ot/epsilon-schedule.ts';

function assertClose(actual: number[], expected: number[]): void {
  assert.equal(actual.length, expected.length, `${actual} vs ${expected}`);
  actual.forEach((v, k) => assert.ok(Math.abs(v - expected[k]) <= 1e-12 * Math.abs(expected[k]), `ε[${k}] = ${v}, expected ${expected[k]}`));
}

test('ε schedule is GeomLoss epsilon_schedule: [diamᵖ] + exp(arange(p log diam, p log blur, p log scaling)) + [blurᵖ]', () => {
  // p = 2, diameter 10, blur 0.1, scaling 0.5: arange(4.605, −4.605, −1.386) has ceil(6.64) = 7 terms 100·¼ᵏ.
  assertClose(epsilonSchedule(2, 10, 0.1, 0.5), [100, 100, 25, 6.25, 1.5625, 0.390625, 0.09765625, 0.0244140625, 0.01]);
  // p = 1, diameter 8, blur 1: arange(log 8, 0, −log 2) = log 8, log 4, log 2 (0 excluded).
  assertClose(epsilonSchedule(1, 8, 1, 0.5), [8, 8, 4, 2, 1]);
  // scaling 0.9 descends more slowly: ε_{k+1}/ε_k = 0.81 after the repeated first value
  const slow = epsilonSchedule(2, 10, 1, 0.9);
  for (let k = 2; k < slow.length - 1; k++) assert.ok(Math.abs(slow[k] / slow[k - 1] - 0.81) < 1e-12);
  assert.equal(slow.at(-1), 1);
});

test('ε schedule of a problem smaller than its blur is just the target', () => {
  assertClose(epsilonSchedule(2, 0.5, 2, 0.5), [4, 4]);
  assertClose(epsilonSchedule(2, 0, 2, 0.5), [4, 4]);
});

test('ε schedule rejects a bad blur or scaling', () => {
  assert.throws(() => epsilonSchedule(2, 10, 0, 0.5), RangeError);
  assert.throws(() => epsilonSchedule(2, 10, Number.NaN, 0.5), RangeError);
  assert.throws(() => epsilonSchedule(2, 10, 1, 1), RangeError);
  assert.throws(() => epsilonSchedule(2, 10, 1, 0), RangeError);
});

test('diameter is the diagonal of the joint bounding box (GeomLoss max_diameter)', () => {
  const x = Float32Array.of(0, 0, 0, 1, 2, 0);
  const y = Float32Array.of(-3, 1, 4, 0, 0, 1);
  // box [−3, 1] × [0, 2] × [0, 4] → √(16 + 4 + 16)
  assert.ok(Math.abs(diameterOf(x, y, 3) - 6) < 1e-12);
  assert.equal(diameterOf(Float32Array.of(1, 2, 3), Float32Array.of(1, 2, 3), 3), 0);
});
