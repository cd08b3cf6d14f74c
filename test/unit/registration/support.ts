/** Shapes and volumes with a known motion for the registration tests (built from core/samples/synthetic-lung.ts). */
import { GridSampler } from '../../../core/field/grid-sampler.ts';
import { gridPointsLps } from '../../../core/field/grid.ts';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageLps } from '../../../core/image/index.ts';
import { writeImage } from '../../../core/io/images/write-image.ts';
import { trainResidualPrior, type PriorSettings, type ResidualPrior } from '../../../core/registration/prior/index.ts';
import { applyBreathing, syntheticLungMask } from '../../../core/samples/index.ts';

/**
 * The synthetic lung mask as the FIXED (inspiration) volume, and the MOVING (expiration) volume whose voxel x is
 * inside exactly when breathing(x) is inside the fixed mask: the true moving → fixed map is then `applyBreathing`,
 * known everywhere.
 */
export function breathingMaskPair(): { moving: ImageLps; fixed: ImageLps } {
  const fixed = syntheticLungMask();
  const sampler = new GridSampler(fixed);
  const points = applyBreathing(gridPointsLps(fixed));
  const data = new Uint8Array(fixed.data.length);
  const v = new Float64Array(1);
  const ci = new Float64Array(3);
  for (let q = 0; q < data.length; q++) {
    sampler.nearest(points[3 * q], points[3 * q + 1], points[3 * q + 2], v, 0, 'zero', ci);
    data[q] = v[0] > 0 ? 1 : 0;
  }
  return { moving: { ...fixed, size: [...fixed.size], spacingMm: [...fixed.spacingMm], originLps: [...fixed.originLps], directionLps: Float64Array.from(fixed.directionLps), data }, fixed };
}

/** Voxel centres (LPS) where `mask` is set, every `stride`-th one. */
export function maskPoints(mask: ImageLps, stride: number): Float64Array {
  const all = gridPointsLps(mask);
  const out: number[] = [];
  let k = 0;
  for (let q = 0; q < mask.data.length; q++) {
    if (!mask.data[q]) continue;
    if (k++ % stride === 0) out.push(all[3 * q], all[3 * q + 1], all[3 * q + 2]);
  }
  return Float64Array.from(out);
}

/** A landmark CSV (x,y,z header, LPS) of interleaved points. */
export function pointsCsv(points: Float64Array): string {
  const rows = ['x,y,z'];
  for (let i = 0; i < points.length; i += 3) rows.push(`${points[i]},${points[i + 1]},${points[i + 2]}`);
  return `${rows.join('\n')}\n`;
}

/**
 * The breathing mask pair written into `dir` as moving.nii.gz / fixed.nii.gz, with landmarks (every 97th moving
 * mask voxel, moving.csv) and where the known motion takes them (fixed.csv).
 */
export async function writeBreathingCase(dir: string): Promise<{ pair: { moving: ImageLps; fixed: ImageLps }; movingLandmarks: Float64Array }> {
  const pair = breathingMaskPair();
  await writeImage(join(dir, 'moving.nii.gz'), pair.moving);
  await writeImage(join(dir, 'fixed.nii.gz'), pair.fixed);
  const movingLandmarks = maskPoints(pair.moving, 97);
  await writeFile(join(dir, 'moving.csv'), pointsCsv(movingLandmarks));
  await writeFile(join(dir, 'fixed.csv'), pointsCsv(applyBreathing(movingLandmarks)));
  return { pair, movingLandmarks };
}

/** n³ points on a regular lattice of [−h, h]³ (interleaved xyz, x slowest). */
export function lattice(n: number, halfWidth = 1): Float64Array {
  const at = (i: number): number => -halfWidth + (2 * halfWidth * i) / (n - 1);
  const p: number[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) p.push(at(i), at(j), at(k));
  return Float64Array.from(p);
}

/**
 * A residual prior learned from cases (one per name) whose residual is r everywhere on `points`, in a unit frame
 * (centroid 0, spread 1 mm): with fade 0 its correction is α·s ⊙ r wherever the kernel reaches.
 */
export function constantResidualPrior(r: readonly [number, number, number], points: Float64Array, settings: PriorSettings, names: readonly string[] = ['c']): ResidualPrior {
  const fixedMoments = { centreLps: [0, 0, 0] as [number, number, number], spreadMm: [1, 1, 1] as [number, number, number] };
  const truthLps = points.map((v, i) => v + r[i % 3]);
  return trainResidualPrior(names.map((name) => ({ name, fixedMoments, warpedLps: points, truthLps })), settings);
}
