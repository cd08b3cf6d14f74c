/**
 * Automatic choice of the multiscale levels. The finest clusters are a few blurs wide (at the target ε a point's
 * plan spreads over about blur, so clusters of ~2 blur keep the kept blocks few and tight) and hold enough
 * points each for block-sparse reductions to pay (≥ MIN_POINTS_PER_CELL on average); coarser levels double the
 * cell size until the coarsest has at most COARSEST_CLUSTERS clusters (it is solved densely).
 */
import type { Cloud } from '../../kernels/types.ts';
import { MAX_CLUSTER_LEVELS } from './grid-hierarchy.ts';

/** Below this many x·y pairs the dense solver is used when multiscale is 'auto'. */
export const AUTO_MULTISCALE_PAIRS = 1e7;
const MIN_POINTS_PER_CELL = 2;
const COARSEST_CLUSTERS = 64;
const FINEST_CELL_IN_BLURS = 2;

/** Number of occupied grid cells of side h (xyz only). */
function occupiedCells(clouds: readonly Cloud[], h: number): number {
  const cells = new Set<string>();
  for (const c of clouds) {
    for (let o = 0; o < c.points.length; o += c.dim) {
      cells.add(`${Math.floor(c.points[o] / h)},${Math.floor(c.points[o + 1] / h)},${Math.floor(c.points[o + 2] / h)}`);
    }
  }
  return cells.size;
}

/**
 * Cell sizes, coarse to fine (each half the previous), or [] when multiscale cannot pay (the finest useful cell
 * would already be a sizeable fraction of the problem).
 */
export function chooseCellSizes(x: Cloud, y: Cloud, blur: number, diameter: number): number[] {
  const nx = x.points.length / x.dim;
  const ny = y.points.length / y.dim;
  let h = FINEST_CELL_IN_BLURS * blur;
  // Enough points per finest cell (x and y together).
  while (h < diameter / 4 && (nx + ny) / occupiedCells([x, y], h) < 2 * MIN_POINTS_PER_CELL) h *= 2;
  if (h >= diameter / 4) return [];
  const sizes = [h];
  while (sizes.length < MAX_CLUSTER_LEVELS && sizes[0] * 2 < diameter / 2 && occupiedCells([x, y], sizes[0]) > 2 * COARSEST_CLUSTERS) {
    sizes.unshift(sizes[0] * 2);
  }
  return sizes;
}
