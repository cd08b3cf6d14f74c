import { GridSampler } from '../field/grid-sampler.ts';
import { gridOfImage, gridPointsLps, gridVoxelCount } from '../field/grid.ts';
import type { Deformation, GridLps, InversionOptions } from '../field/types.ts';
import type { ImageLps } from '../image/index.ts';
import { throwIfCancelled, type ProgressOptions } from '../progress/index.ts';
import type { ArrayValues } from '../shape/index.ts';

/** 'linear' (trilinear) for grey values, 'nearest' for label maps and masks (labels are never blended). */
export type ImageInterpolation = 'linear' | 'nearest';

export interface WarpImageOptions extends InversionOptions, ProgressOptions {
  /** Default 'linear'. */
  interpolation?: ImageInterpolation;
  /** Voxels per evaluation of the deformation (default 65 536). */
  chunkVoxels?: number;
}

/** The warped image, and how well φ was inverted at its voxels. */
export interface WarpedImage {
  image: ImageLps;
  maxResidualMm: number;
  /** Voxels whose inversion residual stayed above the tolerance. */
  unconverged: number;
  /** Voxels whose source point lies outside the moving image (given 0). */
  outsideMoving: number;
}

function outputArray(moving: ImageLps, interpolation: ImageInterpolation, length: number): ArrayValues {
  if (interpolation === 'nearest') {
    const ctor = moving.data.constructor as new (n: number) => ArrayValues;
    return new ctor(length);
  }
  return moving.data instanceof Float64Array ? new Float64Array(length) : new Float32Array(length);
}

/**
 * Pulls moving values to fixed voxels: out[v] = moving(y_v + T_v), with y_v the LPS centre of fixed voxel v and
 * T_v its displacement; points outside the moving image give 0 (ITK ResampleImageFilter's default pixel value, with
 * ITK's inside rule, see core/field/grid-sampler.ts). Returns how many points fell outside.
 */
function pull(sampler: GridSampler, points: Float64Array, displacements: ArrayLike<number>, interpolation: ImageInterpolation, out: ArrayValues, offset: number): number {
  const comps = sampler.image.components;
  const ci = new Float64Array(3);
  const tmp = new Float64Array(comps);
  const round = !(out instanceof Float32Array || out instanceof Float64Array);
  let outside = 0;
  for (let q = 0; q < points.length / 3; q++) {
    const x = points[3 * q] + displacements[3 * q];
    const y = points[3 * q + 1] + displacements[3 * q + 1];
    const z = points[3 * q + 2] + displacements[3 * q + 2];
    const inside = interpolation === 'nearest' ? sampler.nearest(x, y, z, tmp, 0, 'zero', ci) >= 0 : sampler.linear(x, y, z, tmp, 0, 'zero', ci);
    if (!inside) outside++;
    for (let c = 0; c < comps; c++) out[(offset + q) * comps + c] = round ? Math.round(tmp[c]) : tmp[c];
  }
  return outside;
}

/**
 * Resamples the MOVING image into the FIXED grid through Monge's deformation φ (moving → fixed): each fixed voxel
 * centre y takes the moving value at φ⁻¹(y) = y + T(y) (continuous index in the moving image through its own
 * geometry, core/image/geometry.ts), trilinear or nearest; outside the moving image, 0. This is what ITK's
 * ResampleImageFilter / antsApplyTransforms / Slicer's resampling do with the exported field.
 */
export async function warpImage(moving: ImageLps, fixedGrid: GridLps, deformation: Deformation, options: WarpImageOptions = {}): Promise<WarpedImage> {
  const interpolation = options.interpolation ?? 'linear';
  const sampler = new GridSampler(moving);
  const n = gridVoxelCount(fixedGrid);
  const out = outputArray(moving, interpolation, n * moving.components);
  const chunk = Math.max(1, Math.floor(options.chunkVoxels ?? 65536));
  let maxRes = 0;
  let unconverged = 0;
  let outsideMoving = 0;
  for (let start = 0; start < n; start += chunk) {
    throwIfCancelled(options.signal, 'warp image');
    const count = Math.min(chunk, n - start);
    const points = gridPointsLps(fixedGrid, start, count);
    const inv = await deformation.evaluateInverse(points, options);
    maxRes = Math.max(maxRes, inv.maxResidualMm);
    unconverged += inv.unconverged;
    outsideMoving += pull(sampler, points, inv.displacementsLps, interpolation, out, start);
    options.onProgress?.({ stage: 'warp image', fraction: (start + count) / n });
  }
  return { image: { ...gridOfImage(fixedGrid), components: moving.components, data: out }, maxResidualMm: maxRes, unconverged, outsideMoving };
}

/**
 * The same through a displacement field already sampled in ITK's convention (T on the output grid, e.g. read back
 * from a .nii.gz): the output has the field's grid.
 */
export function resampleThroughField(moving: ImageLps, fieldT: ImageLps, interpolation: ImageInterpolation = 'linear'): ImageLps {
  if (fieldT.components !== 3) throw new RangeError(`resampleThroughField: a 3-component field is needed (got ${fieldT.components})`);
  const n = gridVoxelCount(fieldT);
  const out = outputArray(moving, interpolation, n * moving.components);
  pull(new GridSampler(moving), gridPointsLps(fieldT), fieldT.data, interpolation, out, 0);
  return { ...gridOfImage(fieldT), components: moving.components, data: out };
}
