import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AffineDeformation } from '../../../core/field/affine.ts';
import { gridPointsLps } from '../../../core/field/grid.ts';
import { affineFromParts } from '../../../core/field/matrix4.ts';
import { sampleOnGrid } from '../../../core/field/sample-on-grid.ts';
import { indexToLpsLinear, type ImageLps } from '../../../core/image/index.ts';
import { resampleThroughField, warpImage } from '../../../core/warp/warp-image.ts';
import { rotation3 } from '../field/support.ts';

/** An oblique, anisotropic grid: a translation along LPS axes is a fractional shift along every index axis. */
const GEOMETRY = { size: [30, 28, 26] as [number, number, number], spacingMm: [1.5, 2, 1.25] as [number, number, number], originLps: [-20, 30, -12] as [number, number, number], directionLps: Float64Array.from(rotation3(25, 15)) };

function translation(t: number[]): AffineDeformation {
  return new AffineDeformation(affineFromParts([1, 0, 0, 0, 1, 0, 0, 0, 1], t));
}

/** Weighted centroid (LPS) of an image: weights = w(value). */
function centroid(image: ImageLps, weight: (v: number) => number): { c: number[]; mass: number } {
  const p = gridPointsLps(image);
  const c = [0, 0, 0];
  let mass = 0;
  for (let v = 0; v < image.data.length; v++) {
    const w = weight(image.data[v]);
    mass += w;
    for (let a = 0; a < 3; a++) c[a] += w * p[3 * v + a];
  }
  return { c: c.map((x) => x / mass), mass };
}

test('label map, nearest: warping by a known translation moves each label centroid by exactly that translation', async () => {
  const [nx, ny, nz] = GEOMETRY.size;
  const labels = new Uint8Array(nx * ny * nz);
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const v = i + nx * (j + ny * k);
        if (i >= 8 && i < 17 && j >= 9 && j < 15 && k >= 7 && k < 18) labels[v] = 3;
        else if ((i - 20) ** 2 + (j - 18) ** 2 + (k - 12) ** 2 <= 9) labels[v] = 5;
      }
    }
  }
  const moving: ImageLps = { ...GEOMETRY, components: 1, data: labels };
  // A translation that is a whole number of voxels along each index axis: t = D·diag(s)·(3, −2, 4).
  const m = indexToLpsLinear(GEOMETRY);
  const shift = [3, -2, 4];
  const t = [0, 1, 2].map((r) => m[3 * r] * shift[0] + m[3 * r + 1] * shift[1] + m[3 * r + 2] * shift[2]);
  const { image } = await warpImage(moving, GEOMETRY, translation(t), { interpolation: 'nearest' });
  assert.ok(image.data instanceof Uint8Array, 'labels keep their type');
  for (const label of [3, 5]) {
    const before = centroid(moving, (v) => (v === label ? 1 : 0));
    const after = centroid(image, (v) => (v === label ? 1 : 0));
    assert.equal(after.mass, before.mass, `label ${label}: voxel count`);
    for (let a = 0; a < 3; a++) assert.ok(Math.abs(after.c[a] - before.c[a] - t[a]) < 1e-9, `label ${label} axis ${a}: moved ${after.c[a] - before.c[a]} vs ${t[a]}`);
  }
  assert.ok(image.data.every((v) => v === 0 || v === 3 || v === 5), 'no blended labels');
});

test('grey image, trilinear: a fractional translation moves the intensity centroid by exactly that translation', async () => {
  const p = gridPointsLps(GEOMETRY);
  const n = p.length / 3;
  const centre = [0, 0, 0];
  const m = indexToLpsLinear(GEOMETRY);
  for (let r = 0; r < 3; r++) centre[r] = GEOMETRY.originLps[r] + m[3 * r] * 14.5 + m[3 * r + 1] * 13.5 + m[3 * r + 2] * 12.5;
  const grey = new Float32Array(n);
  for (let v = 0; v < n; v++) {
    const d2 = (p[3 * v] - centre[0]) ** 2 + (p[3 * v + 1] - centre[1]) ** 2 + (p[3 * v + 2] - centre[2]) ** 2;
    grey[v] = 1000 * Math.exp(-d2 / (2 * 2.5 * 2.5));
  }
  const moving: ImageLps = { ...GEOMETRY, components: 1, data: grey };
  const t = [1.37, -2.21, 0.83];
  const def = translation(t);
  const { image } = await warpImage(moving, GEOMETRY, def);
  assert.ok(image.data instanceof Float32Array);
  const before = centroid(moving, (v) => v);
  const after = centroid(image, (v) => v);
  // Linear interpolation preserves the sum and shifts the first moment by exactly the sub-voxel offset.
  assert.ok(Math.abs(after.mass / before.mass - 1) < 1e-5, `mass ratio ${after.mass / before.mass}`);
  for (let a = 0; a < 3; a++) assert.ok(Math.abs(after.c[a] - before.c[a] - t[a]) < 1e-3, `axis ${a}: moved ${after.c[a] - before.c[a]} vs ${t[a]}`);
  // The same through a sampled ITK-convention field on the fixed grid.
  const field = await sampleOnGrid(def, GEOMETRY);
  const viaField = resampleThroughField(moving, field.image);
  let worst = 0;
  for (let v = 0; v < n; v++) worst = Math.max(worst, Math.abs(viaField.data[v] - image.data[v]));
  assert.ok(worst < 1e-2, `field vs deformation: ${worst}`);
  // Outside the moving image: 0.
  const far = await warpImage(moving, GEOMETRY, translation([500, 0, 0]));
  assert.ok(far.image.data.every((v) => v === 0));
});
