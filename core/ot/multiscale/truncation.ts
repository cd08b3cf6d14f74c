/**
 * Kernel truncation of the multiscale solver (Schmitzer 2019, "Stabilized sparse scaling algorithms for entropy
 * regularized transport problems"; GeomLoss `kernel_truncation`, Feydy's thesis eq. 3.222–3.224): at temperature ε
 * a pair (i, j) carries the plan weight a_i b_j exp((f_i + g_j − C_ij)/ε), so pairs with f_i + g_j − C_ij < −τε
 * hold at most e^{−τ} of their row's mass scale and can be dropped.
 *
 * The test is applied pair by pair to the points of the current level (cluster centroids, or the points
 * themselves at the finest level) with the level's own potentials: exact, not a bound, and it keeps exactly the
 * pairs the threshold asks for. (A block test on cluster pairs with radius or tangent-plane corrections keeps
 * every pair within about 2·(cluster width)·(distance to the target) of the threshold: on lung vessel trees at
 * blur 1 mm that is 6× the needed pairs at the finest level, and the kernels pay for every one.)
 *
 * Which pairs are tested: the candidates, a superset kept from the previous test — the pairs within τ + margin
 * (τ_c) of the threshold, or within τ_c of the best φ of their row or column at the previous test (a row or
 * column whose potential is still far from converged is shifted as a whole, and keeps its pairs) — so each
 * refresh costs about as much as one reduction over the kept pairs, never N·M. When ε decreases, f + g − C
 * decreases on every pair (∂f/∂ε at fixed g is a relative entropy, ≥ 0), so a dropped pair rarely comes back;
 * at a jump to a finer level the candidates are the children of the coarse candidates. Rarely is not never
 * (cluster cells of vessel trees mix branches bound for different places): the solver ends with a search that
 * cannot miss a pair (verify.ts) and iterates again if one was missing.
 *
 * Pair sets are CSR (`Candidates`): row i's columns cols[rowPtr[i] .. rowPtr[i+1]), ascending. Points are sorted
 * along the octree (grid-hierarchy.ts), so the columns of a row form a few contiguous runs that the kernels read
 * as such (core/kernels/types.ts, BlockSparsity with one point per block).
 */
import type { BlockSparsity, Cloud, CostExponent, PruneTest } from '../../kernels/types.ts';

/** Pairs per row (CSR); cols ascending within each row. */
export interface Candidates {
  rowPtr: Uint32Array;
  cols: Uint32Array;
}

/** The pairs kept, the candidates of the next test, and each row's best φ (see prunePairs). */
export interface PrunedPairs {
  kept: Candidates;
  candidates: Candidates;
  rowMax: Float32Array;
}

/** [0, 1, …, n]: every point its own block. */
export function identityStarts(n: number): Uint32Array {
  const out = new Uint32Array(n + 1);
  for (let i = 0; i <= n; i++) out[i] = i;
  return out;
}

/** Float32 h = log w + pot/ε. */
export function logWeightsPlus(logW: Float64Array, pot: Float64Array, eps: number): Float32Array {
  const h = new Float32Array(logW.length);
  for (let j = 0; j < h.length; j++) h[j] = logW[j] + pot[j] / eps;
  return h;
}

/** Every pair of an n × m problem. */
export function allPairs(n: number, m: number): Candidates {
  const rowPtr = new Uint32Array(n + 1);
  const cols = new Uint32Array(n * m);
  for (let i = 0; i < n; i++) {
    rowPtr[i + 1] = (i + 1) * m;
    for (let j = 0; j < m; j++) cols[i * m + j] = j;
  }
  return { rowPtr, cols };
}

/**
 * Candidate pairs of a level's points from the pairs of their parents (hierarchical pruning, as in Schmitzer's
 * multiscale scheme): a child pair is tested only if its parent pair survived at the coarser level. `coarse`
 * holds the parents' pairs (rows: parent x points, cols: parent y points); `xParentStart` / `yParentStart` give
 * each parent's children (contiguous ranges, so the child columns stay ascending).
 */
export function childCandidates(coarse: Candidates, xParentStart: Uint32Array, yParentStart: Uint32Array): Candidates {
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
 * The truncation test `test` (core/kernels PruneTest) over `candidates`, in JS: the reference implementation of
 * the engines' prunePairs, and the fallback of engines without one. With φ_ij = u_i + v_j − C(x_i, y_j) (v_j = −∞
 * for a column of zero mass: it never contributes, exp(−∞) = 0), a pair is kept when φ > keepAbove and stays a
 * candidate when φ > candidateAbove or φ > min(rowReference_i, columnReference_j) − relativeMargin. A row with
 * nothing kept keeps its best finite column, so no reduction row is ever empty while it has a candidate of
 * positive mass. φ in float64; `candidates` is not modified.
 */
export function prunePairs(p: CostExponent, x: Cloud, y: Cloud, u: ArrayLike<number>, v: ArrayLike<number>, test: PruneTest, candidates: Candidates): PrunedPairs {
  const dim = x.dim;
  const xp = x.points;
  const yp = y.points;
  const n = u.length;
  const { keepAbove, candidateAbove } = test;
  const relative = test.relativeMargin ?? 0;
  const rowRef = test.rowReference;
  const colRef = test.columnReference;
  const ptr = candidates.rowPtr;
  const cols = candidates.cols;
  const keptPtr = new Uint32Array(n + 1);
  const candPtr = new Uint32Array(n + 1);
  const keptCols = new Uint32Array(cols.length);
  const candCols = new Uint32Array(cols.length);
  const rowMax = new Float32Array(n);
  const half = p === 2;
  let nk = 0;
  let nc = 0;
  for (let i = 0; i < n; i++) {
    const ui = u[i];
    const refI = rowRef ? rowRef[i] : Infinity;
    const xo = i * dim;
    const k0 = nk;
    const c0 = nc;
    let best = -Infinity;
    let bestJ = -1;
    for (let b = ptr[i]; b < ptr[i + 1]; b++) {
      const j = cols[b];
      const yo = j * dim;
      let d2 = 0;
      for (let d = 0; d < dim; d++) {
        const t = xp[xo + d] - yp[yo + d];
        d2 += t * t;
      }
      const phi = ui + v[j] - (half ? 0.5 * d2 : Math.sqrt(d2));
      if (phi > candidateAbove || phi > Math.min(refI, colRef ? colRef[j] : Infinity) - relative) {
        candCols[nc++] = j;
        if (phi > keepAbove) keptCols[nk++] = j;
      }
      if (phi > best) {
        best = phi;
        bestJ = j;
      }
    }
    if (nk === k0 && bestJ >= 0) {
      keptCols[nk++] = bestJ;
      if (nc === c0) candCols[nc++] = bestJ;
    }
    keptPtr[i + 1] = nk;
    candPtr[i + 1] = nc;
    rowMax[i] = best;
  }
  return {
    kept: { rowPtr: keptPtr, cols: keptCols.slice(0, nk) },
    candidates: { rowPtr: candPtr, cols: candCols.slice(0, nc) },
    rowMax,
  };
}

/** The same pairs seen from the columns (CSR transpose by counting sort; `m` columns; rows stay ascending). */
export function transposePairs(pairs: Candidates, m: number): Candidates {
  const n = pairs.rowPtr.length - 1;
  const rowPtr = new Uint32Array(m + 1);
  for (let b = 0; b < pairs.cols.length; b++) rowPtr[pairs.cols[b] + 1]++;
  for (let j = 0; j < m; j++) rowPtr[j + 1] += rowPtr[j];
  const fill = rowPtr.slice(0, m);
  const cols = new Uint32Array(pairs.cols.length);
  for (let i = 0; i < n; i++) for (let b = pairs.rowPtr[i]; b < pairs.rowPtr[i + 1]; b++) cols[fill[pairs.cols[b]]++] = i;
  return { rowPtr, cols };
}

/** The pairs as a BlockSparsity with one point per block (`xStarts`/`yStarts` from identityStarts). */
export function pointSparsity(pairs: Candidates, xStarts: Uint32Array, yStarts: Uint32Array): BlockSparsity {
  return { xStart: xStarts, yStart: yStarts, rowPtr: pairs.rowPtr, cols: pairs.cols };
}

/**
 * The coarse level's pairs seen from the finer level's x points: row block P of the result is parent P's
 * children (`childStart`), with the parent's columns (coarse y points). Used to extrapolate potentials at a jump.
 */
export function childRowsSparsity(pairs: Candidates, childStart: Uint32Array, yStarts: Uint32Array): BlockSparsity {
  return { xStart: childStart, yStart: yStarts, rowPtr: pairs.rowPtr, cols: pairs.cols };
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
