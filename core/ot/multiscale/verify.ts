/**
 * The multiscale solver's safety net: every pair (i, j) of the finest level with f_i + g_j − C(x_i, y_j) > −τε,
 * found with bounds that cannot miss one. The truncation (truncation.ts) narrows its candidates from one test
 * to the next with potentials that are still moving — across ε steps, through cluster levels whose cells mix
 * vessels bound for different places (the transport map is not smooth at the cell scale, so a cluster pair
 * far below the threshold can have children far above it), and through the accelerated final loop — so a pair
 * it dropped early may be one a point needs at the end. This search runs with the final potentials and owes
 * nothing to those earlier tests (sinkhorn.ts repeats the final loop when it finds pairs that were missing).
 *
 * Branch and bound over a tree of the columns: the hierarchy's clusters of the column cloud, each a contiguous
 * range of the sorted points. For a node with columns J, bounding box B and an affine fit of g over J whose
 * largest excess is folded into `top` (g_j ≤ top + β·(y_j − c) for j ∈ J), and any x (p = 2):
 *   max_{j ∈ J} f + g_j − ½|x − y_j|²  ≤  f + top + max_{y ∈ B} [β·(y − c) − ½|x − y|²],
 * a concave quadratic whose maximum over the box is separable: y_d = clamp(x_d + β_d, B_d). (p = 1: β = 0 and
 * f + top − dist(x, B).) Nodes whose bound is at most −τε are skipped with all their columns; columns are
 * tested exactly. On lung vessel trees the leaves tested are within 15 % of the pairs found.
 */
import type { Cloud, CostExponent } from '../../kernels/types.ts';
import type { Hierarchy } from './grid-hierarchy.ts';
import type { Candidates } from './truncation.ts';

/**
 * A tree over the columns: node t covers the columns [start, end) and has the children [childBegin, childEnd)
 * (node indices; nodes ≥ `leaves` have the columns themselves as children), a box, and an affine upper bound of
 * the column potential, g_j ≤ top + β·(y_j − c) for every column j of the node.
 */
export interface ColumnTree {
  /** 4 per node: start, end, childBegin, childEnd. */
  nodes: Uint32Array;
  /** 2·dim per node: lo (dim), hi (dim). */
  box: Float64Array;
  /** 1 + 2·dim per node: top, c (dim), β (dim); top = −∞ for a node without a finite potential. */
  fit: Float64Array;
  /** Nodes [0, roots) are the roots. */
  roots: number;
  /** First node whose children are columns. */
  leaves: number;
}

/** Solves the small system A z = b (Gaussian elimination, partial pivoting); zeros when it is singular. */
function solveSmall(A: Float64Array, b: Float64Array, k: number): Float64Array {
  const M = Float64Array.from(A);
  const z = Float64Array.from(b);
  for (let c = 0; c < k; c++) {
    let piv = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(M[r * k + c]) > Math.abs(M[piv * k + c])) piv = r;
    if (!(Math.abs(M[piv * k + c]) > 1e-12)) return new Float64Array(k);
    if (piv !== c) {
      for (let q = 0; q < k; q++) [M[c * k + q], M[piv * k + q]] = [M[piv * k + q], M[c * k + q]];
      [z[c], z[piv]] = [z[piv], z[c]];
    }
    for (let r = c + 1; r < k; r++) {
      const t = M[r * k + c] / M[c * k + c];
      for (let q = c; q < k; q++) M[r * k + q] -= t * M[c * k + q];
      z[r] -= t * z[c];
    }
  }
  for (let r = k - 1; r >= 0; r--) {
    let v = z[r];
    for (let q = r + 1; q < k; q++) v -= M[r * k + q] * z[q];
    z[r] = v / M[r * k + r];
  }
  return z;
}

/**
 * The column tree of one of the hierarchy's clouds (`side`: its x or its y points, `cloud` = that level's points)
 * with the potential `g` on it (−∞ for columns that must never be kept).
 */
export function columnTree(hierarchy: Hierarchy, side: 'x' | 'y', cloud: Cloud, g: ArrayLike<number>, p: CostExponent): ColumnTree {
  const dim = cloud.dim;
  const pts = cloud.points;
  const levels = hierarchy.levels;
  const last = levels.length - 1;
  const startsOf = (k: number): Uint32Array => (side === 'x' ? levels[k].xStart! : levels[k].yStart!);
  // column ranges of each cluster level
  const ranges: Uint32Array[] = new Array<Uint32Array>(last);
  let finer = Uint32Array.from({ length: pts.length / dim + 1 }, (_, i) => i);
  for (let k = last - 1; k >= 0; k--) {
    const childStart = startsOf(k + 1);
    const r = new Uint32Array(childStart.length);
    for (let c = 0; c < childStart.length; c++) r[c] = finer[childStart[c]];
    ranges[k] = r;
    finer = r;
  }
  const offsets = [0];
  for (let k = 0; k < last; k++) offsets.push(offsets[k] + ranges[k].length - 1);
  const count = offsets[last];
  const nodes = new Uint32Array(4 * count);
  const box = new Float64Array(2 * dim * count);
  const fit = new Float64Array((1 + 2 * dim) * count);
  const A = new Float64Array(dim * dim);
  const rhs = new Float64Array(dim);
  const centre = new Float64Array(dim);
  for (let k = 0; k < last; k++) {
    const r = ranges[k];
    const childStart = k + 1 < last ? startsOf(k + 1) : undefined;
    for (let c = 0; c + 1 < r.length; c++) {
      const t = offsets[k] + c;
      const s0 = r[c];
      const s1 = r[c + 1];
      nodes[4 * t] = s0;
      nodes[4 * t + 1] = s1;
      nodes[4 * t + 2] = childStart ? offsets[k + 1] + childStart[c] : 0;
      nodes[4 * t + 3] = childStart ? offsets[k + 1] + childStart[c + 1] : 0;
      const lo = box.subarray(2 * dim * t, 2 * dim * t + dim).fill(Infinity);
      const hi = box.subarray(2 * dim * t + dim, 2 * dim * t + 2 * dim).fill(-Infinity);
      const f = fit.subarray((1 + 2 * dim) * t, (1 + 2 * dim) * (t + 1));
      centre.fill(0);
      let finite = 0;
      let gMean = 0;
      for (let s = s0; s < s1; s++) {
        for (let d = 0; d < dim; d++) {
          const v = pts[s * dim + d];
          if (v < lo[d]) lo[d] = v;
          if (v > hi[d]) hi[d] = v;
        }
        if (g[s] > -Infinity) {
          finite++;
          gMean += g[s];
          for (let d = 0; d < dim; d++) centre[d] += pts[s * dim + d];
        }
      }
      if (finite === 0) {
        f[0] = -Infinity;
        continue;
      }
      gMean /= finite;
      for (let d = 0; d < dim; d++) centre[d] /= finite;
      const beta = f.subarray(1 + dim, 1 + 2 * dim);
      if (p === 2 && finite > dim) {
        // least-squares slope of g over the node's columns
        A.fill(0);
        rhs.fill(0);
        for (let s = s0; s < s1; s++) {
          if (!(g[s] > -Infinity)) continue;
          for (let d = 0; d < dim; d++) {
            const u = pts[s * dim + d] - centre[d];
            rhs[d] += u * (g[s] - gMean);
            for (let e = 0; e < dim; e++) A[d * dim + e] += u * (pts[s * dim + e] - centre[e]);
          }
        }
        for (let d = 0; d < dim; d++) A[d * dim + d] += 1e-9;
        beta.set(solveSmall(A, rhs, dim));
      }
      // top: the largest g_j − β·(y_j − c), padded so float rounding never makes the bound optimistic
      let top = -Infinity;
      for (let s = s0; s < s1; s++) {
        if (!(g[s] > -Infinity)) continue;
        let v = g[s];
        for (let d = 0; d < dim; d++) v -= beta[d] * (pts[s * dim + d] - centre[d]);
        if (v > top) top = v;
      }
      f[0] = top + 1e-6 * (Math.abs(top) + 1);
      f.set(centre, 1);
      // the box is padded too (float32 coordinates)
      for (let d = 0; d < dim; d++) {
        const pad = 1e-6 * (Math.abs(lo[d]) + Math.abs(hi[d]) + 1);
        lo[d] -= pad;
        hi[d] += pad;
      }
    }
  }
  return { nodes, box, fit, roots: offsets.length > 1 ? offsets[1] : 0, leaves: last > 0 ? offsets[last - 1] : 0 };
}

/**
 * All pairs with u_i + v_j − C(x_i, y_j) > −threshold (v_j = −∞ excludes column j), by branch and bound over
 * `tree`: rows and columns ascending.
 */
export function searchPairs(p: CostExponent, x: Cloud, y: Cloud, u: ArrayLike<number>, v: ArrayLike<number>, threshold: number, tree: ColumnTree): Candidates {
  const dim = x.dim;
  const xp = x.points;
  const yp = y.points;
  const n = u.length;
  const fitStride = 1 + 2 * dim;
  const rowPtr = new Uint32Array(n + 1);
  let cols = new Uint32Array(Math.max(16, 16 * n));
  let nnz = 0;
  const stack: number[] = [];
  for (let i = 0; i < n; i++) {
    const ui = u[i];
    const xo = i * dim;
    stack.length = 0;
    for (let t = tree.roots - 1; t >= 0; t--) stack.push(t);
    while (stack.length > 0) {
      const t = stack.pop()!;
      const fo = fitStride * t;
      const bo = 2 * dim * t;
      let bound = ui + tree.fit[fo];
      if (!(bound > -Infinity)) continue;
      if (p === 2) {
        for (let d = 0; d < dim; d++) {
          const xv = xp[xo + d];
          const b = tree.fit[fo + 1 + dim + d];
          let yv = xv + b;
          if (yv < tree.box[bo + d]) yv = tree.box[bo + d];
          else if (yv > tree.box[bo + dim + d]) yv = tree.box[bo + dim + d];
          const w = xv - yv;
          bound += b * (yv - tree.fit[fo + 1 + d]) - 0.5 * w * w;
        }
      } else {
        let d2 = 0;
        for (let d = 0; d < dim; d++) {
          const xv = xp[xo + d];
          const lo = tree.box[bo + d];
          const hi = tree.box[bo + dim + d];
          const w = xv < lo ? lo - xv : xv > hi ? xv - hi : 0;
          d2 += w * w;
        }
        bound -= Math.sqrt(d2);
      }
      if (!(bound > -threshold)) continue;
      if (t < tree.leaves) {
        for (let c = tree.nodes[4 * t + 3] - 1; c >= tree.nodes[4 * t + 2]; c--) stack.push(c);
        continue;
      }
      for (let j = tree.nodes[4 * t]; j < tree.nodes[4 * t + 1]; j++) {
        const vj = v[j];
        if (!(vj > -Infinity)) continue;
        let d2 = 0;
        for (let d = 0; d < dim; d++) {
          const w = xp[xo + d] - yp[j * dim + d];
          d2 += w * w;
        }
        if (ui + vj - (p === 2 ? 0.5 * d2 : Math.sqrt(d2)) > -threshold) {
          if (nnz === cols.length) {
            const grown = new Uint32Array(2 * cols.length);
            grown.set(cols);
            cols = grown;
          }
          cols[nnz++] = j;
        }
      }
    }
    rowPtr[i + 1] = nnz;
  }
  return { rowPtr, cols: cols.slice(0, nnz) };
}
