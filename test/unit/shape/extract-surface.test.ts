import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageLps } from '../../../core/image/index.ts';
import { readImage } from '../../../core/io/images/read-image.ts';
import { EmptyMaskError, extractSurface } from '../../../core/shape/extract-surface.ts';
import { surfaceArea } from '../../../core/shape/mass.ts';
import { connectedComponents, eulerCharacteristic, isClosed, isConsistentlyOriented } from '../../../core/shape/topology.ts';
import { boundsOf } from '../../../core/shape/types.ts';
import { enclosedVolume } from '../../../core/shape/volume.ts';
import { needsSharedData, sharedPath } from '../../support/data.ts';
import { imageFrom, REFLECTED_ROTATION, voxelCentre, type Vec3 } from './synthetic.ts';

const C: Vec3 = [-30, 20, 75];

test('extractSurface: smoothed, decimated mesh Shape with outward normals and area mass', () => {
  const R = 11;
  const image = imageFrom([30, 28, 22], [0.9, 1, 1.2], REFLECTED_ROTATION, C, (p) => (Math.hypot(p[0] - C[0], p[1] - C[1], p[2] - C[2]) <= R ? 4 : 1));
  const s = extractSurface(image, { label: 4, smoothIterations: 10, targetVertices: 800 });
  assert.equal(s.kind, 'mesh');
  assert.equal(s.sourceFrame, 'LPS');
  assert.deepEqual(s.arrays, []);
  const nv = s.pointsLps.length / 3;
  assert.ok(Math.abs(nv - 800) <= 80, `${nv} vertices`);
  const tri = s.triangles ?? new Uint32Array(0);
  assert.equal(isClosed(tri), true);
  assert.equal(isConsistentlyOriented(tri), true);
  assert.equal(eulerCharacteristic(tri), 2);
  assert.equal(s.normalsLps?.length, 3 * nv);
  assert.equal(s.mass?.length, nv);
  let massSum = 0;
  for (const m of s.mass ?? []) massSum += m;
  assert.ok(Math.abs(massSum - surfaceArea(s.pointsLps, tri)) < 1e-6 * massSum);
  // Smoothing brings the staircase's excess area down towards the sphere's 4πR².
  const raw = extractSurface(image, { label: 4 });
  const rawArea = surfaceArea(raw.pointsLps, raw.triangles ?? []);
  const sphereArea = 4 * Math.PI * R * R;
  assert.ok(rawArea - sphereArea > 2 * (massSum - sphereArea) && massSum > sphereArea, `area: raw ${rawArea}, smoothed ${massSum}, sphere ${sphereArea}`);
  const normals = s.normalsLps ?? new Float32Array(0);
  let meanCos = 0;
  for (let v = 0; v < nv; v++) {
    const d = [0, 1, 2].map((c) => s.pointsLps[3 * v + c] - C[c]);
    const cos = (normals[3 * v] * d[0] + normals[3 * v + 1] * d[1] + normals[3 * v + 2] * d[2]) / Math.hypot(d[0], d[1], d[2]);
    assert.ok(cos > 0.5, `vertex ${v}: normal·radial ${cos}`);
    meanCos += cos / nv;
  }
  assert.ok(meanCos > 0.95, `mean normal·radial ${meanCos}`);
  // Foreground (> 0) here is the whole image: a box.
  const box = extractSurface(image);
  assert.equal(isClosed(box.triangles ?? []), true);
  assert.ok(enclosedVolume(box.pointsLps, box.triangles ?? []) > 0.9 * 30 * 28 * 22 * 0.9 * 1.2);
});

test('extractSurface: empty selection and bad options give clear errors', () => {
  const image = imageFrom([5, 5, 5], [1, 1, 1], REFLECTED_ROTATION, C, (p) => p[0] - C[0], Float32Array);
  assert.throws(() => extractSurface(image, { label: 7 }), (e: unknown) => e instanceof EmptyMaskError && e.message === 'no foreground voxels (label 7)');
  assert.throws(() => extractSurface(image, { threshold: 100 }), /^EmptyMaskError: no foreground voxels \(threshold 100\)$/);
  const zeros: ImageLps = { ...image, data: new Uint8Array(125) };
  assert.throws(() => extractSurface(zeros), /no foreground voxels \(value > 0\)/);
  assert.throws(() => extractSurface(image, { label: 1, threshold: 0 }), /either a label or a threshold/);
  assert.throws(() => extractSurface(image, { threshold: 0, targetVertices: 2 }), /target vertex count/);
  assert.throws(() => extractSurface(image, { threshold: 0, smoothIterations: -1 }), /smoothing iterations/);
});

/** LPS bounds of the centres of the voxels with value > 0, straight from the indices and the geometry. */
function foregroundCentreBounds(image: ImageLps): { bounds: number[]; count: number } {
  const [nx, ny, nz] = image.size;
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  let count = 0;
  for (let k = 0, n = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, n++) {
        if (!(image.data[n] > 0)) continue;
        count++;
        const p = voxelCentre(image, i, j, k);
        for (let c = 0; c < 3; c++) {
          lo[c] = Math.min(lo[c], p[c]);
          hi[c] = Math.max(hi[c], p[c]);
        }
      }
    }
  }
  return { bounds: [lo[0], hi[0], lo[1], hi[1], lo[2], hi[2]], count };
}

/** Number of 6-connected components of the voxels > 0 (flood fill), independent of the surface code. */
function voxelComponents6(image: ImageLps): number[] {
  const [nx, ny, nz] = image.size;
  const label = new Int32Array(nx * ny * nz).fill(-1);
  const sizes: number[] = [];
  const stack = new Int32Array(nx * ny * nz);
  for (let s = 0; s < label.length; s++) {
    if (!(image.data[s] > 0) || label[s] >= 0) continue;
    let top = 0;
    stack[top++] = s;
    label[s] = sizes.length;
    let size = 0;
    while (top > 0) {
      const p = stack[--top];
      size++;
      const i = p % nx;
      const j = Math.floor(p / nx) % ny;
      const k = Math.floor(p / (nx * ny));
      const next = [i > 0 ? p - 1 : -1, i < nx - 1 ? p + 1 : -1, j > 0 ? p - nx : -1, j < ny - 1 ? p + nx : -1, k > 0 ? p - nx * ny : -1, k < nz - 1 ? p + nx * ny : -1];
      for (const q of next) {
        if (q >= 0 && image.data[q] > 0 && label[q] < 0) {
          label[q] = sizes.length;
          stack[top++] = q;
        }
      }
    }
    sizes.push(size);
  }
  return sizes.sort((a, b) => b - a);
}

test('real data: copd1 expiration lung mask → closed surface matching the mask', { skip: needsSharedData() }, async () => {
  const image = await readImage(sharedPath('lung/dirlab-copd/copd1_exp_lungmask.nii.gz'));
  const t0 = performance.now();
  const s = extractSurface(image, { label: 1 });
  const ms = performance.now() - t0;
  const tri = s.triangles ?? new Uint32Array(0);
  const nv = s.pointsLps.length / 3;
  const cc = connectedComponents(tri, nv);
  console.log(`copd1 exp: ${nv} vertices, ${tri.length / 3} triangles, ${cc.count} component(s), χ = ${eulerCharacteristic(tri)}, extracted in ${ms.toFixed(0)} ms`);
  assert.ok(ms < 5000, `extraction took ${ms} ms`);
  assert.equal(isClosed(tri), true);
  assert.equal(isConsistentlyOriented(tri), true);
  // The two lungs touch in this mask (one 6-connected voxel component, ~330 voxels across the midline at i = 96),
  // so the surface is ONE closed component, as the voxels are.
  const voxelCc = voxelComponents6(image);
  assert.equal(voxelCc.length, 1);
  assert.equal(cc.count, voxelCc.length);

  const fg = foregroundCentreBounds(image);
  const surface = boundsOf(s.pointsLps);
  const voxel = Math.max(...image.spacingMm);
  for (let b = 0; b < 6; b++) {
    // The surface passes between foreground and background centres: at most one voxel beyond the foreground's, never inside.
    const outward = b % 2 === 0 ? fg.bounds[b] - surface[b] : surface[b] - fg.bounds[b];
    assert.ok(outward >= -1e-6 && outward <= voxel, `bound ${b}: surface ${surface[b]} vs voxel centres ${fg.bounds[b]}`);
  }
  const voxelVolume = fg.count * image.spacingMm[0] * image.spacingMm[1] * image.spacingMm[2];
  const volume = enclosedVolume(s.pointsLps, tri);
  assert.ok(Math.abs(volume / voxelVolume - 1) < 0.01, `volume ${volume} vs ${voxelVolume} mm³`);
});

test('real data: copd2 expiration mask holds two separate lungs → two large closed components', { skip: needsSharedData() }, async () => {
  const image = await readImage(sharedPath('lung/dirlab-copd/copd2_exp_lungmask.nii.gz'));
  const s = extractSurface(image, { label: 1 });
  const tri = s.triangles ?? new Uint32Array(0);
  assert.equal(isClosed(tri), true);
  assert.equal(isConsistentlyOriented(tri), true);
  const cc = connectedComponents(tri, s.pointsLps.length / 3);
  const sizes = [...cc.sizes].sort((a, b) => b - a);
  // Two lungs plus the mask's few isolated specks (a handful of voxels each, 6-connected components too).
  const voxelCc = voxelComponents6(image);
  assert.equal(cc.count, voxelCc.length);
  assert.ok(voxelCc[1] > 0.3 * voxelCc[0] && voxelCc[2] < 10, `voxel components ${voxelCc.slice(0, 4)}`);
  assert.ok(sizes[1] > 0.3 * sizes[0] && sizes[0] + sizes[1] > 0.99 * s.pointsLps.length / 3, `surface components ${sizes}`);
});

test('extract surface: smoothing that melts a thin structure away is reported with the volumes; a ball keeps its volume and no warning', () => {
  const identity = Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  const oneVoxel = imageFrom([9, 9, 9], [1, 1, 1], identity, [0, 0, 0], (p) => (Math.hypot(...p) < 0.5 ? 1 : 0));
  const warnings: string[] = [];
  const raw = extractSurface(oneVoxel);
  const smoothed = extractSurface(oneVoxel, { smoothIterations: 10, onWarning: (w) => warnings.push(w) });
  const before = enclosedVolume(raw.pointsLps, raw.triangles ?? []);
  const after = enclosedVolume(smoothed.pointsLps, smoothed.triangles ?? []);
  assert.ok(after < 0.5 * before, `${before} → ${after} mm³`);
  assert.equal(warnings.length, 1);
  assert.equal(
    warnings[0],
    `smoothing (10 iterations) shrank the surface's enclosed volume by ${(100 * (1 - after / before)).toFixed(0)} % (${before.toPrecision(3)} → ${after.toPrecision(3)} mm³): ` +
      'structures a few voxels across melt away under many iterations; use fewer smoothing iterations',
  );

  // A ball of radius 8 voxels: Taubin's low-pass filter keeps it (volume within 5 % of 4/3 π r³), no warning.
  const ball = imageFrom([24, 24, 24], [1, 1, 1], identity, [0, 0, 0], (p) => (Math.hypot(...p) < 8 ? 1 : 0));
  const quiet: string[] = [];
  const kept = extractSurface(ball, { smoothIterations: 10, onWarning: (w) => quiet.push(w) });
  const volume = enclosedVolume(kept.pointsLps, kept.triangles ?? []);
  assert.ok(Math.abs(volume / ((4 / 3) * Math.PI * 8 ** 3) - 1) < 0.05, `${volume} mm³`);
  assert.equal(quiet.length, 0, quiet.join("; "));
});
