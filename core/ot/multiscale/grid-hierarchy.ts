/**
 * Coarse-to-fine clustering for the multiscale solver: an octree of grid cells whose side halves per level
 * (GeomLoss `grid_cluster`, generalised from one coarse level to several, Schmitzer 2019 "Stabilized sparse
 * scaling algorithms for entropy regularized transport problems").
 *
 * Both clouds share one grid (same origin). Points are sorted by (coarsest cell, then Morton code of the finer
 * cells inside it), so that every cell of every level covers a contiguous range of the sorted points, and the
 * cells of level k + 1 inside one cell of level k are contiguous too: that is the layout BlockSparsity needs.
 * Level k's "points" are the mass-weighted centroids of its cells (all coordinates, features included), with
 * the summed masses; the last level is the points themselves (sorted). The grid is laid on xyz only; radii and
 * centroids use every coordinate, so the truncation bounds stay valid for feature-augmented costs.
 */
import type { Cloud } from '../../kernels/types.ts';
import { permuteMasses, type Masses } from '../masses.ts';

export interface ClusterLevel {
  /** Side (mm) of the grid cells whose centroids are this level's points; 0 for the points themselves. */
  cellSize: number;
  x: Cloud;
  y: Cloud;
  a: Masses;
  b: Masses;
  /** This level's x points grouped by the previous (coarser) level's x points (absent on level 0). */
  xStart?: Uint32Array;
  yStart?: Uint32Array;
  /** For each point of the previous level: how far its children on this level lie from it. */
  parentExtentX?: ClusterExtent;
  parentExtentY?: ClusterExtent;
}

/**
 * Extent of clusters around their centroids (K clusters, `dim` coordinates): the largest distance, and the
 * bounding box of the offsets child − centroid (lo ≤ 0 ≤ hi per coordinate, K × dim each). Slightly padded so
 * that float32 rounding never makes a bound optimistic.
 */
export interface ClusterExtent {
  radius: Float64Array;
  lo: Float64Array;
  hi: Float64Array;
}

export interface Hierarchy {
  /** Coarse to fine; the last level holds the (sorted) points. */
  levels: ClusterLevel[];
  /** Sorted position → input index, for x and y. */
  permX: Uint32Array;
  permY: Uint32Array;
}

/** Most cluster levels (Morton bits must fit a double next to the coarse cell id). */
export const MAX_CLUSTER_LEVELS = 12;

/** The single-level hierarchy of a dense solve (no sorting). */
export function denseHierarchy(x: Cloud, y: Cloud, a: Masses, b: Masses): Hierarchy {
  const identity = (n: number): Uint32Array => Uint32Array.from({ length: n }, (_, i) => i);
  return {
    levels: [{ cellSize: 0, x, y, a, b }],
    permX: identity(x.points.length / x.dim),
    permY: identity(y.points.length / y.dim),
  };
}

/** Spreads the low 12 bits of v to every third bit (Morton interleave). */
function spread3(v: number): number {
  let out = 0;
  for (let bit = 0; bit < 12; bit++) if (v & (1 << bit)) out += 2 ** (3 * bit);
  return out;
}

interface SortedCloud {
  perm: Uint32Array;
  /** Per level: cluster start offsets into the sorted points (clusters + 1 entries). */
  starts: Uint32Array[];
}

/**
 * Sorts one cloud by its cell keys (an octree of `levels` depths below cells of side fine·2^(levels−1)) and
 * finds the cluster ranges of the depths in `keep` (0 = coarsest).
 */
function sortByCells(points: Float32Array, dim: number, origin: Float64Array, fine: number, levels: number, grid0: number[], keep: readonly number[]): SortedCloud {
  const n = points.length / dim;
  const shift = levels - 1;
  const keys = new Float64Array(n);
  const perLevel = 8 ** shift;
  const side = 2 ** shift;
  let maxKey = 0;
  for (let i = 0; i < n; i++) {
    const c0 = Math.max(0, Math.floor((points[i * dim] - origin[0]) / fine));
    const c1 = Math.max(0, Math.floor((points[i * dim + 1] - origin[1]) / fine));
    const c2 = Math.max(0, Math.floor((points[i * dim + 2] - origin[2]) / fine));
    const t0 = Math.floor(c0 / side);
    const t1 = Math.floor(c1 / side);
    const t2 = Math.floor(c2 / side);
    const id0 = (t0 * grid0[1] + t1) * grid0[2] + t2;
    keys[i] = id0 * perLevel + spread3(c0 - t0 * side) * 4 + spread3(c1 - t1 * side) * 2 + spread3(c2 - t2 * side);
    if (keys[i] > maxKey) maxKey = keys[i];
  }
  let perm: Uint32Array;
  if (maxKey < 2 ** 43 && n < 2 ** 20) {
    // (key, index) packed in 64 bits and sorted natively: stable order, and far faster than a comparator
    const packed = new BigUint64Array(n);
    for (let i = 0; i < n; i++) packed[i] = (BigInt(keys[i]) << 20n) | BigInt(i);
    packed.sort();
    perm = new Uint32Array(n);
    for (let s = 0; s < n; s++) perm[s] = Number(packed[s] & 0xfffffn);
  } else {
    perm = Uint32Array.from({ length: n }, (_, i) => i).sort((p, q) => keys[p] - keys[q] || p - q);
  }
  const starts: Uint32Array[] = [];
  for (const k of keep) {
    const div = 8 ** (shift - k);
    const list: number[] = [0];
    let prev = Math.floor(keys[perm[0]] / div);
    for (let s = 1; s < n; s++) {
      const id = Math.floor(keys[perm[s]] / div);
      if (id !== prev) {
        list.push(s);
        prev = id;
      }
    }
    list.push(n);
    starts.push(Uint32Array.from(list));
  }
  return { perm, starts };
}

/** Sorted copy of a cloud and its masses. */
function permuteCloud(points: Float32Array, dim: number, perm: Uint32Array): Float32Array {
  const out = new Float32Array(points.length);
  for (let s = 0; s < perm.length; s++) out.set(points.subarray(perm[s] * dim, perm[s] * dim + dim), s * dim);
  return out;
}

/** Mass-weighted centroids (unweighted where a cluster has no mass) and summed masses of contiguous ranges. */
function centroids(points: Float32Array, dim: number, w: Float64Array, starts: Uint32Array): { cloud: Cloud; masses: Masses } {
  const k = starts.length - 1;
  const out = new Float32Array(k * dim);
  const mass = new Float64Array(k);
  const acc = new Float64Array(dim);
  for (let c = 0; c < k; c++) {
    acc.fill(0);
    let total = 0;
    for (let s = starts[c]; s < starts[c + 1]; s++) total += w[s];
    const count = starts[c + 1] - starts[c];
    for (let s = starts[c]; s < starts[c + 1]; s++) {
      const weight = total > 0 ? w[s] / total : 1 / count;
      for (let d = 0; d < dim; d++) acc[d] += weight * points[s * dim + d];
    }
    for (let d = 0; d < dim; d++) out[c * dim + d] = acc[d];
    mass[c] = total;
  }
  let total = 0;
  for (let c = 0; c < k; c++) total += mass[c];
  return { cloud: { points: out, dim }, masses: { w: mass, logW: mass.map(Math.log), total } };
}

/** Children ranges of a coarse level inside a finer level, from the two levels' start offsets into the points. */
function childStarts(coarse: Uint32Array, fine: Uint32Array): Uint32Array {
  const out = new Uint32Array(coarse.length);
  let f = 0;
  for (let c = 0; c < coarse.length; c++) {
    while (fine[f] < coarse[c]) f++;
    out[c] = f;
  }
  return out;
}

/** For each parent point, the extent of its children around it. */
function parentExtents(parents: Cloud, children: Cloud, start: Uint32Array): ClusterExtent {
  const dim = parents.dim;
  const k = start.length - 1;
  const radius = new Float64Array(k);
  const lo = new Float64Array(k * dim);
  const hi = new Float64Array(k * dim);
  for (let c = 0; c < k; c++) {
    let best = 0;
    for (let s = start[c]; s < start[c + 1]; s++) {
      let d2 = 0;
      for (let d = 0; d < dim; d++) {
        const t = children.points[s * dim + d] - parents.points[c * dim + d];
        d2 += t * t;
        if (t < lo[c * dim + d]) lo[c * dim + d] = t;
        if (t > hi[c * dim + d]) hi[c * dim + d] = t;
      }
      if (d2 > best) best = d2;
    }
    // float32 centroids: pad by a relative 1e-6 so rounding never makes the bound optimistic
    const pad = Math.sqrt(best) * 1e-6 + 1e-9;
    radius[c] = Math.sqrt(best) + pad;
    for (let d = 0; d < dim; d++) {
      lo[c * dim + d] -= pad;
      hi[c * dim + d] += pad;
    }
  }
  return { radius, lo, hi };
}

/** Octree depths (0 = coarsest) of cell sizes that shrink by powers of two, or undefined if they do not. */
function octreeDepths(cellSizes: readonly number[]): number[] | undefined {
  const fine = cellSizes[cellSizes.length - 1];
  const depths = cellSizes.map((size) => Math.log2(size / fine));
  const top = Math.round(depths[0]);
  const out: number[] = [];
  for (let k = 0; k < depths.length; k++) {
    const e = Math.round(depths[k]);
    if (!(fine > 0) || Math.abs(depths[k] - e) > 1e-9 || (k > 0 && e >= Math.round(depths[k - 1]))) return undefined;
    out.push(top - e);
  }
  return out;
}

/**
 * Builds the hierarchy for grid cell sizes `cellSizes` (coarse to fine, each a power-of-two fraction of the
 * previous: levels of the octree may be skipped). The result has cellSizes.length cluster levels plus the points.
 */
export function buildHierarchy(x: Cloud, y: Cloud, a: Masses, b: Masses, cellSizes: readonly number[]): Hierarchy {
  const depths = cellSizes.length > 0 ? octreeDepths(cellSizes) : undefined;
  if (!depths) throw new RangeError(`ot: cell sizes ${cellSizes.join(', ')} must shrink by powers of two`);
  const levels = cellSizes.length;
  const octreeLevels = depths[levels - 1] + 1;
  if (octreeLevels > MAX_CLUSTER_LEVELS) throw new RangeError(`ot: ${octreeLevels} octree levels (at most ${MAX_CLUSTER_LEVELS})`);
  const dim = x.dim;
  const fine = cellSizes[levels - 1];
  const origin = new Float64Array(3).fill(Infinity);
  const extent = new Float64Array(3).fill(-Infinity);
  for (const cloud of [x, y]) {
    for (let o = 0; o < cloud.points.length; o += dim) {
      for (let d = 0; d < 3; d++) {
        origin[d] = Math.min(origin[d], cloud.points[o + d]);
        extent[d] = Math.max(extent[d], cloud.points[o + d]);
      }
    }
  }
  const grid0 = [0, 1, 2].map((d) => Math.floor((extent[d] - origin[d]) / (fine * 2 ** (octreeLevels - 1))) + 1);
  const sx = sortByCells(x.points, dim, origin, fine, octreeLevels, grid0, depths);
  const sy = sortByCells(y.points, dim, origin, fine, octreeLevels, grid0, depths);

  const pointsX: Cloud = { points: permuteCloud(x.points, dim, sx.perm), dim };
  const pointsY: Cloud = { points: permuteCloud(y.points, dim, sy.perm), dim };
  const massX = permuteMasses(a, sx.perm);
  const massY = permuteMasses(b, sy.perm);

  const out: ClusterLevel[] = [];
  for (let k = 0; k < levels; k++) {
    const cx = centroids(pointsX.points, dim, massX.w, sx.starts[k]);
    const cy = centroids(pointsY.points, dim, massY.w, sy.starts[k]);
    out.push({ cellSize: cellSizes[k], x: cx.cloud, y: cy.cloud, a: cx.masses, b: cy.masses });
  }
  out.push({ cellSize: 0, x: pointsX, y: pointsY, a: massX, b: massY });
  const identity = (n: number): Uint32Array => Uint32Array.from({ length: n + 1 }, (_, i) => i);
  for (let k = 1; k <= levels; k++) {
    const level = out[k];
    const parent = out[k - 1];
    const finerX = k < levels ? sx.starts[k] : identity(pointsX.points.length / dim);
    const finerY = k < levels ? sy.starts[k] : identity(pointsY.points.length / dim);
    level.xStart = childStarts(sx.starts[k - 1], finerX);
    level.yStart = childStarts(sy.starts[k - 1], finerY);
    level.parentExtentX = parentExtents(parent.x, level.x, level.xStart);
    level.parentExtentY = parentExtents(parent.y, level.y, level.yStart);
  }
  return { levels: out, permX: sx.perm, permY: sy.perm };
}
