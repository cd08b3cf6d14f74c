/**
 * looksLikeMask decides whether an image is shown with label colours and warped by nearest neighbour. Checked on
 * synthetic images whose kind is known by construction and on the project's real volumes, whose kind is known from
 * their source: FreeSurfer's T1.mgz (uint8 grey), aseg.mgz and TotalSegmentator's labels, the DIR-Lab lung masks,
 * and a CT (int16 HU, and windowed into uint8, wide or narrow enough to saturate).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { looksLikeMask } from '../../../core/image/index.ts';
import { readImage } from '../../../core/io/images/read-image.ts';
import { mulberry32 } from '../../../core/shape/index.ts';
import { needsSharedData, sharedPath } from '../../support/data.ts';

/** A 40³ image from f(i, j, k), as uint8. */
function volume(f: (i: number, j: number, k: number) => number): Uint8Array {
  const out = new Uint8Array(40 ** 3);
  for (let k = 0; k < 40; k++) for (let j = 0; j < 40; j++) for (let i = 0; i < 40; i++) out[(k * 40 + j) * 40 + i] = f(i, j, k);
  return out;
}

test('looksLikeMask: label maps and binary masks are masks; 8-bit grey images are not', () => {
  const random = mulberry32(7);
  // Ten labelled boxes of 4 voxels along i on a 0 background: piecewise constant.
  assert.equal(looksLikeMask(volume((i, j, k) => (j > 5 && j < 35 && k > 5 && k < 35 ? 1 + Math.floor(i / 4) : 0))), true);
  // A ragged binary mask (every voxel drawn at random): two values are a mask whatever their layout.
  assert.equal(looksLikeMask(volume(() => (random() < 0.5 ? 1 : 0))), true);
  // An 8-bit grey image: a smooth ramp with noise, 0–255 — integer, ≤ 256 values, but varying voxel to voxel.
  assert.equal(looksLikeMask(volume((i, j, k) => Math.min(255, Math.round(3 * i + 2 * j + k + 20 * random())))), false);
  // The same ramp on a background of zeros filling 90 % of the image still varies inside the object.
  assert.equal(looksLikeMask(volume((i, j) => (i < 8 && j < 20 ? Math.min(255, 1 + Math.round(3 * i + 2 * j + 20 * random())) : 0))), false);
  // The ramp clipped so that 60 % of the image saturates at 255 (a narrow window): flat where clipped, varying elsewhere.
  assert.equal(looksLikeMask(volume((i, j, k) => Math.min(255, Math.round(12 * i + 2 * j + k + 20 * random())))), false);
  // Clipped at both ends (36 % of the voxels at 255, 39 % at 0) it is still grey.
  assert.equal(looksLikeMask(volume((i, j, k) => Math.max(0, Math.min(255, Math.round(25 * (i - 17) + j + k + 20 * random()))))), false);
  // Either side of the README's threshold (at least 30 % of the neighbouring pairs equal, not counting pairs both 0
  // or both the smallest or largest value): 252 labels, each pair of a hundred equal or a change, the equal ones in
  // one run per hundred. The smallest (1) and largest (255) values occur once, at the ends, and 0 never, so every
  // pair counts: `equalPer100` equal pairs of every 100, plus the two changes at the ends.
  const labelRuns = (equalPer100: number): Uint8Array => {
    const out = [1, 2];
    let v = 2;
    for (let block = 0; block < 100; block++) {
      for (let e = 0; e < equalPer100; e++) out.push(v);
      for (let c = equalPer100; c < 100; c++) {
        v = v === 251 ? 2 : v + 1;
        out.push(v);
      }
    }
    out.push(255);
    return Uint8Array.from(out);
  };
  assert.equal(looksLikeMask(labelRuns(32)), true, '32 % of the pairs equal (3200 of 10002): a label map');
  assert.equal(looksLikeMask(labelRuns(28)), false, '28 % of the pairs equal (2800 of 10002): a grey image');
  // Non-integers and more than 256 values are grey, as before.
  assert.equal(looksLikeMask(Float32Array.from([0, 0.5, 0.5])), false);
  assert.equal(looksLikeMask(Int16Array.from({ length: 300 }, (_, i) => i)), false);
  assert.equal(looksLikeMask(new Uint8Array(0)), true);
});

test('looksLikeMask on real volumes: T1.mgz and a CT are grey; aseg, TotalSegmentator labels and lung masks are masks', { skip: needsSharedData() }, async () => {
  const kinds: [string[], boolean][] = [
    [['brain', 'mne-sample', 'T1.mgz'], false],
    [['brain', 'mne-sample', 'aseg.mgz'], true],
    [['volumes', 'totalsegmentator', 'example_seg.nii.gz'], true],
    [['volumes', 'totalsegmentator', 'example_ct_sm.nii.gz'], false],
    [['lung', 'dirlab-copd', 'copd1_insp_lungmask.nii.gz'], true],
    [['lung', 'ants-n25', 'N25I_resampledLungMask.nii.gz'], true],
  ];
  for (const [path, isMask] of kinds) {
    const image = await readImage(sharedPath(...path));
    assert.equal(looksLikeMask(image.data), isMask, path.join('/'));
  }
  // The CT windowed into uint8 (−1000 … 1040 HU in steps of 8): 256 values at most, still a grey image.
  const ct = await readImage(sharedPath('volumes', 'totalsegmentator', 'example_ct_sm.nii.gz'));
  const windowed = Uint8Array.from(ct.data, (hu) => Math.max(0, Math.min(255, Math.floor((hu + 1000) / 8))));
  assert.ok(new Set(windowed).size <= 256);
  assert.equal(looksLikeMask(windowed), false);
  // In a lung window (−1000 … −400 HU) 63 % of the voxels saturate at 255: still grey.
  const lungWindow = Uint8Array.from(ct.data, (hu) => Math.max(0, Math.min(255, Math.round(((hu + 1000) / 600) * 255))));
  assert.ok(lungWindow.filter((v) => v === 255).length > 0.6 * lungWindow.length);
  assert.equal(looksLikeMask(lungWindow), false);
});
