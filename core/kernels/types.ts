/**
 * Fused reductions over pairs of point clouds, behind one interface. No engine ever holds an N×M matrix:
 * every reduction streams over j for each i (O(N + M) memory; the tfjs engine, O(tile)).
 *
 * Engines: 'cpu' (WASM SIMD on worker threads, cpu-engine.ts), 'webgpu' (WGSL compute shaders, webgpu-engine.ts),
 * 'tfjs' (dense tfjs tiles, tfjs-engine.ts), 'js' (plain-JS float64 reference, js-engine.ts); index.ts creates one. All agree to 1e-4 relative
 * (test/unit/kernels). Array sizes are checked exactly (RangeError otherwise): x has N·dim values, y M·dim,
 * h M, per-point values v are row-major M×vdim (v[j·vdim + c]), and outputs are N, N×vdim or N×k, row-major.
 * Outputs never hold NaN or ±Infinity: see output-limits.ts for the values of empty rows and the clamp.
 *
 * Point clouds are float32, row-major, `dim` coordinates per point (3 for xyz; more when the cost is augmented
 * with weighted features, see core/ot). Costs (GeomLoss conventions):
 *   p = 2: C(x, y) = ½ |x − y|²        p = 1: C(x, y) = |x − y|
 */

/** Exponent of the ground cost. */
export type CostExponent = 1 | 2;

/** A float32 point cloud: `points[i * dim + d]`. */
export interface Cloud {
  points: Float32Array;
  dim: number;
}

/**
 * Block sparsity for multiscale (kernel truncation, Schmitzer 2019 / GeomLoss): both clouds are sorted by
 * cluster; x-cluster k covers x rows [xStart[k], xStart[k+1]) and y-cluster l covers y rows
 * [yStart[l], yStart[l+1]). For x-cluster k, the kept y-clusters are cols[rowPtr[k] .. rowPtr[k+1]).
 * Pairs outside kept blocks count as exp(−∞) = 0. Cols are ascending within a row (runs of consecutive clusters
 * are then read as one contiguous range). A structure must not be mutated once passed to an engine: engines
 * remember that it was validated and how many pairs it keeps (build a new one instead).
 */
export interface BlockSparsity {
  xStart: Uint32Array;
  yStart: Uint32Array;
  rowPtr: Uint32Array;
  cols: Uint32Array;
}

/** Pairs per row (CSR): row i's columns are cols[rowPtr[i] .. rowPtr[i+1]), ascending. */
export interface PairList {
  rowPtr: Uint32Array;
  cols: Uint32Array;
}

/**
 * A truncation test on φ_ij = u_i + v_j − C(x_i, y_j): keep a pair when φ > keepAbove; leave it a candidate when
 * φ > candidateAbove (≤ keepAbove) or φ > min(rowReference_i, columnReference_j) − relativeMargin. The relative
 * part (references: typically the best φ of each row and column at the previous test; +∞ or absent = none) is
 * invariant to a shift of a whole row or column, so a potential that is still far from converged does not
 * drop the pairs it will need.
 */
export interface PruneTest {
  keepAbove: number;
  candidateAbove: number;
  rowReference?: Float32Array;
  columnReference?: Float32Array;
  relativeMargin?: number;
}

/** Result of a truncation test: the pairs kept, the pairs left as candidates (a superset), each row's best φ. */
export interface PrunedPairList {
  kept: PairList;
  candidates: PairList;
  /** max_j φ_ij over the tested pairs of row i (−∞ for none). */
  rowMax: Float32Array;
}

/** Engine identifiers, as reported and as chosen with `--engine` / `MONGE_ENGINE`. */
export type EngineName = 'cpu' | 'webgpu' | 'tfjs' | 'js';

export interface KernelEngine {
  readonly name: EngineName;
  /** Threads (CPU) or backend name (tfjs) in use, for reports. */
  readonly threads: number;
  readonly backend: string;

  /**
   * Soft-min (log-sum-exp) reduction, the Sinkhorn update (Feydy et al. 2019, eq. for the "softmin"):
   *   out_i = −ε · log Σ_j exp( h_j − C(x_i, y_j) / ε )
   * where h_j = log b_j + g_j / ε carries the weights and the dual potential (h_j = −∞ for a zero mass). Rows
   * with no finite term give out_i = +large finite (EMPTY_SOFTMIN = 1e30; no NaN, no Inf). With `sparsity`,
   * only kept blocks are summed.
   */
  softmin(eps: number, p: CostExponent, x: Cloud, y: Cloud, h: Float32Array, out: Float32Array, sparsity?: BlockSparsity): Promise<void>;

  /**
   * Soft-min together with the softmax-weighted mean of per-point values v_j (the barycentric projection of the
   * entropic plan, RobOT): with s_ij = h_j − C(x_i, y_j)/ε,
   *   outLse_i      = log Σ_j exp(s_ij)                      (so softmin = −ε · outLse)
   *   outMean_i,c   = Σ_j exp(s_ij − outLse_i) · v_j,c        (c < vdim ≤ 16)
   * Rows with no finite term: outLse_i = EMPTY_LSE (−1e30), outMean_i = 0.
   */
  softminWeighted(
    eps: number,
    p: CostExponent,
    x: Cloud,
    y: Cloud,
    h: Float32Array,
    v: Float32Array,
    vdim: number,
    outLse: Float32Array,
    outMean: Float32Array,
    sparsity?: BlockSparsity,
  ): Promise<void>;

  /**
   * Arg-max of s_ij = h_j − C(x_i, y_j)/ε over j (hard matches), and the max value. Ties: the first j ('cpu',
   * 'js'). Rows with no finite score: index −1, score EMPTY_SCORE (−1e30).
   */
  argmaxScore(eps: number, p: CostExponent, x: Cloud, y: Cloud, h: Float32Array, outIndex: Int32Array, outScore: Float32Array): Promise<void>;

  /**
   * Weighted Gaussian kernel sum (kernel smoothing, splines):
   *   out_i,c = Σ_j exp( −|x_i − y_j|² / (2σ²) ) · v_j,c      (c < vdim)
   * With several σ (multi-Gaussian) the kernels are summed with `scaleWeights`.
   */
  gaussianSum(sigmas: readonly number[], scaleWeights: readonly number[], x: Cloud, y: Cloud, v: Float32Array, vdim: number, out: Float32Array): Promise<void>;

  /**
   * k nearest neighbours of each x_i among y (squared distances ascending): indices and distances², N×k.
   * Needs 1 ≤ k ≤ min(64, M). Ties: the smaller index first ('cpu', 'js').
   */
  knn(k: number, x: Cloud, y: Cloud, outIndex: Int32Array, outDist2: Float32Array): Promise<void>;

  /**
   * Optional (core/ot falls back to its own loop, multiscale/truncation.ts, which runs the same test): the
   * kernel truncation test `test` (see PruneTest) over candidate pairs, with φ_ij = u_i + v_j − C(x_i, y_j)
   * (v_j = −∞ for a column that must never be kept, e.g. of zero mass). A row with nothing kept keeps its best
   * finite column (and has it as a candidate). Columns stay ascending; `pairs` is not modified.
   */
  prunePairs?(p: CostExponent, x: Cloud, y: Cloud, u: Float32Array, v: Float32Array, test: PruneTest, pairs: PairList): Promise<PrunedPairList>;

  /** Releases workers and memory. */
  dispose(): Promise<void>;
}
