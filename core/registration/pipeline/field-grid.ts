/**
 * The grid the displacement field is exported on (ITK's resampling convention: fixed space). When the fixed input
 * is an image, its own grid — what Slicer, ANTs and ITK resample onto — or, when a field spacing is asked for, the
 * same box and orientation re-sampled at that spacing; otherwise an axis-aligned box around the fixed shape with a
 * margin, at the field spacing.
 */
import { gridAroundBounds, gridOfImage } from '../../field/grid.ts';
import type { GridLps } from '../../field/types.ts';
import { boundsOf } from '../../shape/types.ts';
import type { PreparedInput } from './inputs.ts';

export interface FieldGrid {
  grid: GridLps;
  source: 'fixed image grid' | 'fixed image box' | 'fixed shape box';
}

/** The fixed image's box (first to last voxel centre) at a new spacing, same origin and direction. */
export function regridImageBox(grid: GridLps, spacingMm: number): GridLps {
  const size: [number, number, number] = [0, 1, 2].map((a) => Math.max(1, Math.round(((grid.size[a] - 1) * grid.spacingMm[a]) / spacingMm) + 1)) as [number, number, number];
  return { size, spacingMm: [spacingMm, spacingMm, spacingMm], originLps: [...grid.originLps], directionLps: Float64Array.from(grid.directionLps) };
}

export function fieldGridOf(fixed: PreparedInput, spacingMm: number | undefined, defaultSpacingMm: number, marginMm: number): FieldGrid {
  if (fixed.image) {
    if (spacingMm === undefined) return { grid: gridOfImage(fixed.image), source: 'fixed image grid' };
    return { grid: regridImageBox(fixed.image, spacingMm), source: 'fixed image box' };
  }
  return { grid: gridAroundBounds(boundsOf(fixed.shape.pointsLps), spacingMm ?? defaultSpacingMm, marginMm), source: 'fixed shape box' };
}
