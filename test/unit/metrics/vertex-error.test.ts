import { test } from 'node:test';
import assert from 'node:assert/strict';
import { vertexError } from '../../../core/metrics/vertex-error.ts';

test('vertexError: per-vertex |a_i − b_i| and its summary (hand-computed)', () => {
  // Displacements (3,4,0) → 5, (0,0,0) → 0, (1,2,2) → 3, (0,0,-4) → 4: sorted [0, 3, 4, 5].
  const a = { pointsLps: Float64Array.from([0, 0, 0, 1, 1, 1, 2, 2, 2, 5, 5, 5]) };
  const b = { pointsLps: Float64Array.from([3, 4, 0, 1, 1, 1, 3, 4, 4, 5, 5, 1]) };
  const e = vertexError(a, b);
  assert.deepEqual(Array.from(e.perVertexMm), [5, 0, 3, 4]);
  assert.equal(e.summary.n, 4);
  assert.equal(e.summary.mean, 3);
  assert.equal(e.summary.median, 3.5);
  assert.equal(e.summary.max, 5);
  assert.ok(Math.abs(e.summary.std - Math.sqrt((4 + 9 + 0 + 1) / 4)) < 1e-15);
  // p90: rank 2.7 → 4 + 0.7 · (5 − 4) = 4.7.
  assert.ok(Math.abs(e.summary.p90 - 4.7) < 1e-12);
});

test('vertexError: different vertex counts are refused, naming both', () => {
  assert.throws(() => vertexError({ pointsLps: new Float64Array(6) }, { pointsLps: new Float64Array(9) }), /2 vs 3 vertices/);
});
