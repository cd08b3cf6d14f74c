import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jacobianStats } from '../../../core/field/jacobian-stats.ts';
import type { ImageLps } from '../../../core/image/index.ts';
import { axisAlignedImage } from '../../support/image-lps.ts';

function image(values: number[], Data: typeof Float32Array | typeof Uint8Array = Float32Array, over: Partial<ImageLps> = {}): ImageLps {
  return { ...axisAlignedImage([3, 2, 2], [1.5, 1.5, 2], [-10, 20, 5], Data.from(values)), ...over };
}

// 12 voxels; the mask keeps 6 of them: values 1.2, −0.5, 0, 0.8, 1.5, 2.0.
const J = [1.2, 9, -0.5, 0, 7, 0.8, -3, 1.5, 2.0, 5, 5, 5];
const M = [1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 0, 0];

test('jacobianStats inside a mask: min, max, mean, SD and folding count/fraction (hand-computed)', () => {
  const s = jacobianStats(image(J), image(M, Uint8Array));
  const inside = [1.2, -0.5, 0, 0.8, 1.5, 2.0].map((v) => Math.fround(v));
  const mean = inside.reduce((a, b) => a + b, 0) / 6;
  assert.equal(s.voxels, 6);
  assert.equal(s.min, Math.fround(-0.5));
  assert.equal(s.max, 2);
  assert.ok(Math.abs(s.mean - mean) < 1e-12 && Math.abs(mean - 5 / 6) < 1e-6);
  assert.ok(Math.abs(s.std - Math.sqrt(inside.reduce((a, v) => a + (v - mean) ** 2, 0) / 6)) < 1e-12);
  assert.equal(s.nonPositiveCount, 2); // −0.5 and 0 (J ≤ 0)
  assert.equal(s.nonPositiveFraction, 2 / 6);
  // Without a mask every voxel counts: −3, −0.5 and 0 are ≤ 0; max 9.
  const all = jacobianStats(image(J));
  assert.equal(all.voxels, 12);
  assert.equal(all.min, -3);
  assert.equal(all.max, 9);
  assert.equal(all.nonPositiveCount, 3);
  assert.equal(all.nonPositiveFraction, 0.25);
});

test('jacobianStats refuses a mask on another grid, vector images, empty masks and non-finite values', () => {
  assert.throws(() => jacobianStats(image(J), image(M, Uint8Array, { size: [2, 3, 2] })), /mask size 2×3×2 differs/);
  assert.throws(() => jacobianStats(image(J), image(M, Uint8Array, { originLps: [-10, 20, 5.5] })), /not on the image's voxel grid/);
  assert.throws(() => jacobianStats(image(J), image(M, Uint8Array, { spacingMm: [1.5, 1.5, 2.1] })), /not on the image's voxel grid/);
  // A sub-0.01-voxel origin difference (float32 header rounding) is accepted.
  assert.equal(jacobianStats(image(J), image(M, Uint8Array, { originLps: [-10.0001, 20, 5] })).voxels, 6);
  assert.throws(() => jacobianStats({ ...image([...J, ...J, ...J]), components: 3 }), /1 component/);
  assert.throws(() => jacobianStats(image(J), image(new Array(12).fill(0), Uint8Array)), /mask selects no voxels/);
  const withNaN = [...J];
  withNaN[3] = NaN;
  assert.throws(() => jacobianStats(image(withNaN), image(M, Uint8Array)), /voxel 3 is not finite/);
  // NaN outside the mask is never looked at.
  const nanOutside = [...J];
  nanOutside[1] = NaN;
  assert.equal(jacobianStats(image(nanOutside), image(M, Uint8Array)).voxels, 6);
});
