/**
 * The working grid of the non-linear steps: axis-aligned, covering the moving clouds where the chain has put them
 * and the fixed clouds, plus the preset's margin, at the preset's spacing — coarsened if needed to stay within a
 * voxel budget (memory and time grow with it).
 */
import { boundsOf } from '../../shape/index.ts';
import { spacingForBudget, workGridAround, type WorkGrid } from '../finetune/work-grid.ts';
import type { ShapeClouds } from './shape-clouds.ts';

/** Largest working grid (voxels): ~4·10⁶ × 3 float64 = 100 MB per field. */
export const WORK_GRID_MAX_VOXELS = 4e6;

/** Bounds of all points of all the clouds. */
export function cloudsBounds(...clouds: ShapeClouds[]): number[] {
  const b = [Infinity, -Infinity, Infinity, -Infinity, Infinity, -Infinity];
  for (const c of clouds) {
    for (const part of [c.surface, c.interior]) {
      if (!part || part.mass.length === 0) continue;
      const pb = boundsOf(part.pointsLps);
      for (let a = 0; a < 3; a++) {
        b[2 * a] = Math.min(b[2 * a], pb[2 * a]);
        b[2 * a + 1] = Math.max(b[2 * a + 1], pb[2 * a + 1]);
      }
    }
  }
  return b;
}

export function workGridOf(moving: ShapeClouds, fixed: ShapeClouds, spacingMm: number, marginMm: number): WorkGrid {
  const bounds = cloudsBounds(moving, fixed);
  const h = spacingForBudget(bounds, marginMm, spacingMm, WORK_GRID_MAX_VOXELS);
  return workGridAround(bounds, h, marginMm, WORK_GRID_MAX_VOXELS * 1.5);
}
