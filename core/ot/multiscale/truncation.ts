/**
 * Kernel truncation of the multiscale solver (Schmitzer 2019; GeomLoss `kernel_truncation`, Feydy's thesis
 * eq. 3.222–3.224): at temperature ε a pair (i, j) carries the plan weight a_i b_j exp((f_i + g_j − C_ij)/ε), so
 * blocks of pairs where f_i + g_j − C_ij < −τε everywhere can be dropped. GeomLoss tests the block (cluster k,
 * cluster l) with the coarse potentials at the centroids, f_k + g_l − C(c_k, c_l) > −τε. We test an UPPER BOUND of
 * f_i + g_j − C_ij over the whole block instead, so that no significant pair is dropped:
 *
 * p = 2. With f = λ·softmin_ε(g) (λ ≤ 1 the unbalanced damping), f(x) − ½|x|² is concave (minus a log-sum-exp of
 * affine functions of x, times λ, minus (1 − λ)½|x|²), with ∇f(c) = λ(c − T(c)), T the barycentric projection. So
 * is g(y) − ½|y|². Writing x = c + δ, y = c' + η (|δ| ≤ r_k, |η| ≤ r_l) and Φ = f + g − C
 *   = [f(x) − ½|x|²] + [g(y) − ½|y|²] + x·y
 *   ≤ Φ(c, c') + (∇f(c) − c + c')·δ + (∇g(c') − c' + c)·η + δ·η
 *   ≤ Φ(c, c') + sup_δ (u_k + c')·δ + sup_η (w_l + c)·η + sup δ·η,      u_k = ∇f(c) − c,  w_l = ∇g(c') − c',
 * the suprema taken over each cluster's bounding box of offsets (support functions of boxes: exact and cheap;
 * a ball of radius r would give |u_k + c'| r_k + |w_l + c| r_l + r_k r_l, looser for the elongated clusters of
 * vessel trees and thin surfaces).
 * This is the radius-corrected test the task asks for, sharpened: GeomLoss's radius correction C(d − r_k − r_l)
 * ignores how the potentials vary across a cluster (∇f ≈ x − T(x), tens of mm under a large displacement),
 * which this tangent-plane bound accounts for exactly.
 * p = 1. f is λ-Lipschitz, so Φ ≤ f(c) + g(c') + λ(r_k + r_l) − max(0, |c − c'| − r_k − r_l).
 *
 * f(c), g(c') and T are evaluated at the cluster centroids with one extra (small) softmin per potential: the
 * c-transform of the current fine potentials, refreshed at every ε. The bound is exact for exact c-transforms;
 * the solver's final check (sinkhorn.ts) measures the marginals again with a much wider τ and widens τ if the
 * truncation lost mass.
 */
import type { BlockSparsity, Cloud, CostExponent, KernelEngine } from '../../kernels/types.ts';
import type { ClusterExtent } from './grid-hierarchy.ts';
import { rowMeans } from '../weighted-mean.ts';

/** Potentials and gradients at cluster centroids, for the bound. */
export interface ClusterBound {
  centres: Cloud;
  /** λ·softmin at the centroids (the c-transform of the other side's potential). */
  pot: Float64Array;
  /** p = 2: u_k = ∇pot(c_k) − c_k = −λ T(c_k) − (1 − λ) c_k, K × dim. */
  shift?: Float64Array;
  /** How far a cluster's members lie from its centroid (radius and bounding box of the offsets). */
  extent: ClusterExtent;
  /** Cluster masses (a row is guaranteed at least one column of positive mass). */
  mass: Float64Array;
}

/** [0, 1, …, n]: every point its own block. */
export function identityStarts(n: number): Uint32Array {
  return Uint32Array.from({ length: n + 1 }, (_, i) => i);
}

/** Float32 h = log w + pot/ε. */
export function logWeightsPlus(logW: Float64Array, pot: Float64Array, eps: number): Float32Array {
  const h = new Float32Array(logW.length);
  for (let j = 0; j < h.length; j++) h[j] = logW[j] + pot[j] / eps;
  return h;
}

/**
 * c-transform of `sourcePot` at `centres` (λ·softmin), and for p = 2 the shift u = −λT − (1 − λ)c, T computed as
 * the softmax-weighted mean of the source points (all coordinates, in chunks of the engine's value limit).
 */
export async function centroidPotentials(
  engine: KernelEngine,
  eps: number,
  p: CostExponent,
  lam: number,
  centres: Cloud,
  source: Cloud,
  sourceLogW: Float64Array,
  sourcePot: Float64Array,
  sparsity: BlockSparsity | undefined,
): Promise<{ pot: Float64Array; shift?: Float64Array }> {
  const k = centres.points.length / centres.dim;
  const dim = source.dim;
  const h = logWeightsPlus(sourceLogW, sourcePot, eps);
  const pot = new Float64Array(k);
  if (p === 1) {
    const out = new Float32Array(k);
    await engine.softmin(eps, p, centres, source, h, out, sparsity);
    for (let i = 0; i < k; i++) pot[i] = lam * out[i];
    return { pot };
  }
  const { lse, mean } = await rowMeans(engine, eps, p, centres, source, h, source.points, dim, sparsity);
  const shift = new Float64Array(k * dim);
  for (let i = 0; i < k; i++) {
    pot[i] = -lam * eps * lse[i];
    for (let c = 0; c < dim; c++) shift[i * dim + c] = -lam * mean[i * dim + c] - (1 - lam) * centres.points[i * dim + c];
  }
  return { pot, shift };
}

/** Candidate columns per row cluster (CSR); absent = every pair is tested. */
export interface Candidates {
  rowPtr: Uint32Array;
  cols: Uint32Array;
}

/**
 * Candidate pairs of a level's clusters from the kept pairs of their parents (hierarchical pruning, as in
 * Schmitzer's multiscale scheme): a child pair is tested only if its parent pair was kept at the coarser level.
 * `coarse` is the parents' sparsity (rows: parent x clusters, cols: parent y clusters); `xParentStart` /
 * `yParentStart` give each parent's children (the clusters tested here).
 */
export function childCandidates(coarse: BlockSparsity, xParentStart: Uint32Array, yParentStart: Uint32Array): Candidates {
  const kx = xParentStart[xParentStart.length - 1];
  const rowPtr = new Uint32Array(kx + 1);
  for (let P = 0; P + 1 < xParentStart.length; P++) {
    let count = 0;
    for (let b = coarse.rowPtr[P]; b < coarse.rowPtr[P + 1]; b++) count += yParentStart[coarse.cols[b] + 1] - yParentStart[coarse.cols[b]];
    for (let k = xParentStart[P]; k < xParentStart[P + 1]; k++) rowPtr[k + 1] = count;
  }
  for (let k = 0; k < kx; k++) rowPtr[k + 1] += rowPtr[k];
  const cols = new Uint32Array(rowPtr[kx]);
  for (let P = 0; P + 1 < xParentStart.length; P++) {
    for (let k = xParentStart[P]; k < xParentStart[P + 1]; k++) {
      let o = rowPtr[k];
      for (let b = coarse.rowPtr[P]; b < coarse.rowPtr[P + 1]; b++) {
        for (let l = yParentStart[coarse.cols[b]]; l < yParentStart[coarse.cols[b] + 1]; l++) cols[o++] = l;
      }
    }
  }
  return { rowPtr, cols };
}

/**
 * Block sparsity keeping the cluster pairs whose bound exceeds −τε. `xStart`/`yStart` are the ranges of the
 * finer level's points covered by each cluster. Every row keeps at least its best column of positive mass and
 * every column its best row of positive mass, so no softmin row is ever empty.
 */
export function keptBlocks(
  p: CostExponent,
  eps: number,
  tau: number,
  lam: number,
  X: ClusterBound,
  Y: ClusterBound,
  xStart: Uint32Array,
  yStart: Uint32Array,
  candidates?: Candidates,
): BlockSparsity {
  const dim = X.centres.dim;
  const cx = X.centres.points;
  const cy = Y.centres.points;
  const kx = X.pot.length;
  const ky = Y.pot.length;
  const threshold = -tau * eps;
  const rows: number[][] = Array.from({ length: kx }, () => []);
  const colHasMassRow = new Uint8Array(ky);
  const colBest = new Float64Array(ky).fill(-Infinity);
  const colBestRow = new Int32Array(ky).fill(-1);
  const { lo: xlo, hi: xhi } = X.extent;
  const { lo: ylo, hi: yhi } = Y.extent;
  for (let k = 0; k < kx; k++) {
    const fk = X.pot[k];
    const rk = X.extent.radius[k];
    const xo = k * dim;
    let best = -Infinity;
    let bestL = -1;
    let rowHasMass = false;
    const row = rows[k];
    const c0 = candidates ? candidates.rowPtr[k] : 0;
    const c1 = candidates ? candidates.rowPtr[k + 1] : ky;
    for (let c = c0; c < c1; c++) {
      const l = candidates ? candidates.cols[c] : c;
      const yo = l * dim;
      let bound: number;
      if (p === 2) {
        // Φ(c, c') + sup_δ (u_k + c')·δ + sup_η (w_l + c)·η + sup δ·η over the clusters' offset boxes
        let d2 = 0;
        let slack = 0;
        for (let d = 0; d < dim; d++) {
          const a = cx[xo + d];
          const b = cy[yo + d];
          const t = a - b;
          d2 += t * t;
          const xl = xlo[xo + d];
          const xh = xhi[xo + d];
          const yl = ylo[yo + d];
          const yh = yhi[yo + d];
          const tu = X.shift![xo + d] + b;
          slack += tu >= 0 ? tu * xh : tu * xl;
          const tw = Y.shift![yo + d] + a;
          slack += tw >= 0 ? tw * yh : tw * yl;
          slack += Math.max(xl * yl, xh * yh, xl * yh, xh * yl);
        }
        bound = fk + Y.pot[l] - 0.5 * d2 + slack;
      } else {
        let d2 = 0;
        for (let d = 0; d < dim; d++) {
          const t = cx[xo + d] - cy[yo + d];
          d2 += t * t;
        }
        const rl = Y.extent.radius[l];
        bound = fk + Y.pot[l] + lam * (rk + rl) - Math.max(0, Math.sqrt(d2) - rk - rl);
      }
      if (bound > threshold) {
        row.push(l);
        if (X.mass[k] > 0) colHasMassRow[l] = 1;
        if (Y.mass[l] > 0) rowHasMass = true;
      }
      if (Y.mass[l] > 0 && bound > best) {
        best = bound;
        bestL = l;
      }
      if (X.mass[k] > 0 && bound > colBest[l]) {
        colBest[l] = bound;
        colBestRow[l] = k;
      }
    }
    if (!rowHasMass && bestL >= 0) {
      row.push(bestL);
      if (X.mass[k] > 0) colHasMassRow[bestL] = 1;
    }
  }
  // Columns without a positive-mass row: add their best row.
  for (let l = 0; l < ky; l++) {
    const k = colBestRow[l];
    if (k >= 0 && !colHasMassRow[l]) rows[k].push(l);
  }
  return fromRows(rows, xStart, yStart);
}

function fromRows(rows: number[][], xStart: Uint32Array, yStart: Uint32Array): BlockSparsity {
  const rowPtr = new Uint32Array(rows.length + 1);
  let total = 0;
  for (let k = 0; k < rows.length; k++) {
    rows[k].sort((u, v) => u - v);
    total += rows[k].length;
    rowPtr[k + 1] = total;
  }
  const cols = new Uint32Array(total);
  let o = 0;
  for (const row of rows) for (const l of row) cols[o++] = l;
  return { xStart, yStart, rowPtr, cols };
}

/** The same kept pairs seen from y (CSR transpose). */
export function transposeSparsity(s: BlockSparsity): BlockSparsity {
  const kx = s.xStart.length - 1;
  const ky = s.yStart.length - 1;
  const rows: number[][] = Array.from({ length: ky }, () => []);
  for (let k = 0; k < kx; k++) for (let b = s.rowPtr[k]; b < s.rowPtr[k + 1]; b++) rows[s.cols[b]].push(k);
  return fromRows(rows, s.yStart, s.xStart);
}

/** The same kept blocks with each row cluster replaced by a single point (for centroid evaluations). */
export function withPointRows(s: BlockSparsity): BlockSparsity {
  return { xStart: identityStarts(s.xStart.length - 1), yStart: s.yStart, rowPtr: s.rowPtr, cols: s.cols };
}

/** The same kept blocks with each column cluster replaced by a single point (for extrapolation from a coarse level). */
export function withPointColumns(s: BlockSparsity): BlockSparsity {
  return { xStart: s.xStart, yStart: identityStarts(s.yStart.length - 1), rowPtr: s.rowPtr, cols: s.cols };
}

/** Number of (i, j) point pairs a block structure keeps. */
export function keptPairCount(s: BlockSparsity): number {
  let pairs = 0;
  for (let k = 0; k + 1 < s.xStart.length; k++) {
    let cols = 0;
    for (let b = s.rowPtr[k]; b < s.rowPtr[k + 1]; b++) cols += s.yStart[s.cols[b] + 1] - s.yStart[s.cols[b]];
    pairs += cols * (s.xStart[k + 1] - s.xStart[k]);
  }
  return pairs;
}
