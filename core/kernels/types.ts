/**
 * Fused reductions over pairs of point clouds, behind one interface. No engine ever holds an N×M matrix:
 * every reduction streams over j for each i (O(N + M) memory; the tfjs engine, O(tile)).
 *
 * Engines: 'cpu' (WASM SIMD on worker threads, cpu-engine.ts), 'tfjs' (dense tfjs tiles, tfjs-engine.ts),
 * 'js' (plain-JS float64 reference, js-engine.ts); index.ts creates one. All agree to 1e-4 relative
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
 * Pairs outside kept blocks count as exp(−∞) = 0.
 */
export interface BlockSparsity {
  xStart: Uint32Array;
  yStart: Uint32Array;
  rowPtr: Uint32Array;
  cols: Uint32Array;
}

/** Engine identifiers, as reported and as chosen with `--engine` / `MONGE_ENGINE`. */
export type EngineName = 'cpu' | 'tfjs' | 'js';

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

  /** Releases workers and memory. */
  dispose(): Promise<void>;
}
