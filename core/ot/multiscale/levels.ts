/**
 * Automatic choice of the multiscale levels. The solver works on a level of cell side h while ε ≥ hᵖ (GeomLoss's
 * jump rule), i.e. about three ε steps per level at scaling 0.8, and the finest level — the points — takes over
 * below the finest cell size. The points level is where the work is (N rows × the kept neighbours of each),
 * so the finest clusters are small, FINEST_CELL_IN_BLURS blurs: the points level then sees only the last few ε
 * steps and the final loop, where the kept neighbourhoods are tightest.
 *
 * Levels are the octree of cells halving from there up to one with at most COARSEST_CLUSTERS occupied cells
 * (solved densely). A level that barely merges points — more than MAX_SHRINK times the clusters (or points) of
 * the next finer level kept — is skipped: its ε steps would cost about as much as on the finer level, with a
 * coarser approximation and one more jump. Skipped octree levels are allowed (buildHierarchy).
 */
import type { Cloud } from '../../kernels/types.ts';
import { MAX_CLUSTER_LEVELS } from './grid-hierarchy.ts';

/** Below this many x·y pairs the dense solver is used when multiscale is 'auto'. */
export const AUTO_MULTISCALE_PAIRS = 1e7;
const COARSEST_CLUSTERS = 64;
const FINEST_CELL_IN_BLURS = 2;
/** A level is kept only if it has at most this fraction of the clusters of the next finer kept level. */
const MAX_SHRINK = 0.8;

/** Number of occupied grid cells of side h (xyz only) over both clouds (sorted integer cell keys). */
function occupiedCells(clouds: readonly Cloud[], h: number): number {
  const lo = [Infinity, Infinity, Infinity];
  let total = 0;
  for (const c of clouds) {
    total += c.points.length / c.dim;
    for (let o = 0; o < c.points.length; o += c.dim) for (let d = 0; d < 3; d++) if (c.points[o + d] < lo[d]) lo[d] = c.points[o + d];
  }
  const keys = new Float64Array(total);
  let k = 0;
  for (const c of clouds) {
    for (let o = 0; o < c.points.length; o += c.dim) {
      const i = Math.floor((c.points[o] - lo[0]) / h);
      const j = Math.floor((c.points[o + 1] - lo[1]) / h);
      const l = Math.floor((c.points[o + 2] - lo[2]) / h);
      // exact as long as each index is < 2^17 (the grid has at most diameter / h cells per axis)
      keys[k++] = (i * 131072 + j) * 131072 + l;
    }
  }
  keys.sort();
  let cells = total > 0 ? 1 : 0;
  for (let q = 1; q < total; q++) if (keys[q] !== keys[q - 1]) cells++;
  return cells;
}

/**
 * Cell sizes, coarse to fine (each a power-of-two fraction of the previous), or [] when multiscale cannot pay
 * (the finest useful cell would already be a sizeable fraction of the problem, or no level merges points).
 */
export function chooseCellSizes(x: Cloud, y: Cloud, blur: number, diameter: number): number[] {
  const points = x.points.length / x.dim + y.points.length / y.dim;
  let h = FINEST_CELL_IN_BLURS * blur;
  if (!(h < diameter / 4)) return [];
  // every octree level, fine to coarse, with its occupied cells
  const all: { h: number; cells: number }[] = [];
  for (;;) {
    if (h > diameter / 2 || all.length >= MAX_CLUSTER_LEVELS) break;
    const cells = occupiedCells([x, y], h);
    all.push({ h, cells });
    if (cells <= COARSEST_CLUSTERS) break;
    h *= 2;
  }
  const sizes: number[] = [];
  let finer = points;
  for (const level of all) {
    if (level.cells <= MAX_SHRINK * finer) {
      sizes.unshift(level.h);
      finer = level.cells;
    }
  }
  // the octree spans at most MAX_CLUSTER_LEVELS depths between the coarsest and the finest kept cell
  while (sizes.length > 1 && Math.log2(sizes[0] / sizes[sizes.length - 1]) + 1 > MAX_CLUSTER_LEVELS) sizes.shift();
  return sizes;
}
