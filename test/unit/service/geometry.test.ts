import { test } from 'node:test';
import assert from 'node:assert/strict';
import { indexToLps, looksLikeMask, type ImageLps } from '../../../core/image/index.ts';
import { LinearSampler } from '../../../main/service/image-sampler.ts';
import { axisPermutation, densestIndices, extractSlices, lpsLetter } from '../../../main/service/slices.ts';
import { strideFor, subsampleImage } from '../../../main/service/subsample-image.ts';
import { sliceContour } from '../../../renderer/src/contour.ts';
import { imageFrom, PROPER_ROTATION } from '../shape/synthetic.ts';

test('slices: a rotated, flipped grid is laid out by its closest anatomical axes, and pixels land on their voxels', () => {
  // Index axes permuted and flipped: i → −z (inferior), j → +x (left), k → −y (anterior), slightly rotated.
  const d = Float64Array.from([0, 0.999, 0.04, 0.03, 0, -0.999, -0.999, 0.03, 0]);
  const image: ImageLps = imageFrom([12, 10, 8], [1.5, 1, 2], d, [5, -3, 40], (p) => Math.round(p[0] * 3 + p[1] * 7 + p[2] * 11));
  assert.deepEqual(axisPermutation(d), [1, 2, 0]);
  const slices = extractSlices(image, [3, 4, 5]);
  assert.deepEqual(slices.map((s) => [s.orientation, s.axis, s.index]), [['axial', 0, 3], ['coronal', 2, 5], ['sagittal', 1, 4]]);
  assert.deepEqual(slices.map((s) => s.edgeLabels), [
    { left: 'R', right: 'L', top: 'A', bottom: 'P' },
    { left: 'R', right: 'L', top: 'S', bottom: 'I' },
    { left: 'A', right: 'P', top: 'S', bottom: 'I' },
  ]);
  for (const s of slices) {
    for (const [c, r] of [[0, 0], [s.width - 1, 0], [2, s.height - 1], [s.width - 1, s.height - 1]]) {
      const p = [0, 1, 2].map((a) => s.originLps[a] + c * s.uStepLps[a] + r * s.vStepLps[a]);
      // The voxel whose centre is at p: find it by searching the grid (independent of the slice code).
      let best = -1;
      let bestD = Infinity;
      for (let k = 0; k < 8; k++) for (let j = 0; j < 10; j++) for (let i = 0; i < 12; i++) {
        const q = indexToLps(image, [i, j, k]);
        const dd = Math.hypot(q[0] - p[0], q[1] - p[1], q[2] - p[2]);
        if (dd < bestD) [bestD, best] = [dd, (k * 10 + j) * 12 + i];
      }
      assert.ok(bestD < 1e-9, `${s.orientation} (${c}, ${r}) is a voxel centre`);
      assert.equal(s.values[r * s.width + c], image.data[best]);
    }
  }
  assert.equal(lpsLetter([0.1, -0.9, 0.2]), 'A');
  assert.equal(lpsLetter([-1, 0, 0]), 'R');
});

test('masks: detection, densest slices, subsampling keeps the geometry', () => {
  assert.equal(looksLikeMask(Uint8Array.from([0, 1, 1, 0])), true);
  assert.equal(looksLikeMask(Float32Array.from([0, 0.5])), false);
  assert.equal(looksLikeMask(Int16Array.from({ length: 300 }, (_, i) => i)), false);
  const identity = Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  // Centred at 0: voxel (i, j, k) is at (i − 4.5, 2(j − 4), 3(k − 3.5)); the box i ≥ 6, j ≤ 4, 3 ≤ k ≤ 6.
  const image = imageFrom([10, 9, 8], [1, 2, 3], identity, [0, 0, 0], (p) => (p[0] >= 1.5 && p[1] <= 0 && p[2] >= -1.5 && p[2] <= 7.5 ? 1 : 0));
  // Ties keep the centre slice when it is among the densest (j = 4, k = 4), else the first densest (i = 6).
  assert.deepEqual(densestIndices(image), [6, 4, 4]);
  assert.equal(strideFor([192, 192, 208], 2_000_000), 2);
  assert.equal(strideFor([10, 10, 10], 2_000_000), 1);
  const half = subsampleImage(image, 2);
  assert.deepEqual(half.size, [5, 5, 4]);
  assert.deepEqual(half.spacingMm, [2, 4, 6]);
  // Voxel (i, j, k) of the result is voxel (2i, 2j, 2k) of the input, at the same LPS point.
  for (const [i, j, k] of [[0, 0, 0], [3, 2, 1], [4, 4, 3]]) {
    assert.deepEqual(indexToLps(half, [i, j, k]), indexToLps(image, [2 * i, 2 * j, 2 * k]));
    assert.equal(half.data[(k * 5 + j) * 5 + i], image.data[(2 * k * 9 + 2 * j) * 10 + 2 * i]);
  }
});

test('linear sampler: reproduces a linear function exactly inside, and its outside value beyond', () => {
  const image = imageFrom([6, 5, 4], [1.2, 0.8, 2], PROPER_ROTATION, [10, -5, 3], (p) => 2 * p[0] - p[1] + 0.5 * p[2] + 7, Float32Array);
  const sampler = new LinearSampler(image, -1);
  const out = new Float64Array(1);
  for (const ijk of [[1.5, 2.25, 1.75], [0, 0, 0], [5, 4, 3], [2.9, 0.1, 2.5]] as const) {
    const p = indexToLps(image, ijk);
    assert.equal(sampler.sampleInto(p[0], p[1], p[2], out), true);
    assert.ok(Math.abs(out[0] - (2 * p[0] - p[1] + 0.5 * p[2] + 7)) < 1e-4, `${out[0]}`);
  }
  const far = indexToLps(image, [7, 0, 0]);
  assert.equal(sampler.sampleInto(far[0], far[1], far[2], out), false);
  assert.equal(out[0], -1);
});

test('contour: a cube cut through its middle gives a closed square of the right size in pixels', () => {
  // Cube [0, 10]³ as 12 triangles.
  const v = [[0, 0, 0], [10, 0, 0], [10, 10, 0], [0, 10, 0], [0, 0, 10], [10, 0, 10], [10, 10, 10], [0, 10, 10]].flat();
  const t = [0, 2, 1, 0, 3, 2, 4, 5, 6, 4, 6, 7, 0, 1, 5, 0, 5, 4, 1, 2, 6, 1, 6, 5, 2, 3, 7, 2, 7, 6, 3, 0, 4, 3, 4, 7];
  // An axial slice at z = 5: pixel (c, r) at (c·0.5, r·0.5, 5).
  const seg = sliceContour(Float32Array.from(v), Uint32Array.from(t), { originLps: [0, 0, 5], uStepLps: [0.5, 0, 0], vStepLps: [0, 0.5, 0] });
  assert.equal(seg.length, 8 * 4, 'the 8 side triangles are cut once each');
  for (let i = 0; i < seg.length; i += 2) {
    const onEdge = [seg[i], seg[i + 1]].some((x) => Math.abs(x) < 1e-5 || Math.abs(x - 20) < 1e-5);
    assert.ok(onEdge && seg[i] >= -1e-5 && seg[i] <= 20 + 1e-5, `(${seg[i]}, ${seg[i + 1]}) on the square's border`);
  }
  // Total length: the perimeter, 4 × 20 pixels.
  let length = 0;
  for (let i = 0; i < seg.length; i += 4) length += Math.hypot(seg[i + 2] - seg[i], seg[i + 3] - seg[i + 1]);
  assert.ok(Math.abs(length - 80) < 1e-4);
  // A slice beside the cube cuts nothing.
  assert.equal(sliceContour(Float32Array.from(v), Uint32Array.from(t), { originLps: [0, 0, 12], uStepLps: [1, 0, 0], vStepLps: [0, 1, 0] }).length, 0);
});
