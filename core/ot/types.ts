/**
 * Options and results of Monge's optimal-transport solver (GeomLoss conventions, Feydy et al. 2019, "Interpolating
 * between optimal transport and MMD using Sinkhorn divergences", AISTATS; RobOT, Shen, Feydy et al. 2021,
 * "Accurate point cloud registration with robust optimal transport", NeurIPS).
 *
 * Units: points in mm (any consistent length unit works), so blur and reach are lengths in mm, ε = blurᵖ and
 * ρ = reachᵖ are in mmᵖ, and costs are in mmᵖ × mass.
 */
import type { ProgressOptions } from '../progress/index.ts';
import type { CostExponent } from '../kernels/types.ts';

export type { CostExponent } from '../kernels/types.ts';

/** Point coordinates, N×3 row-major (xyz of point i at 3i … 3i+2). */
export type PointArray3 = Float32Array | Float64Array;

/**
 * Per-point features that augment the cost (RobOT): C = ½|x − y|² + Σ_f w_f ½|φ_f(x) − φ_f(y)|² for p = 2 (for
 * p = 1 the augmented distance √(|x − y|² + Σ_f w_f |φ_f(x) − φ_f(y)|²)). Feature f has d_f components per point:
 * `x[f]` holds N·d_f values, `y[f]` M·d_f values (vessel radius d = 1, normals d = 3, curvature d = 1 …).
 */
export interface FeatureOptions {
  x: readonly (Float32Array | Float64Array)[];
  y: readonly (Float32Array | Float64Array)[];
  /** w_f ≥ 0, one per feature, in mmᵖ per (feature unit)ᵖ. */
  weights: readonly number[];
}

/** Common options of solveOT, sinkhornDivergence and match. */
export interface OTOptions extends ProgressOptions {
  /** Masses of the x points (N, ≥ 0); default uniform 1/N. */
  a?: ArrayLike<number>;
  /** Masses of the y points (M, ≥ 0); default uniform 1/M. */
  b?: ArrayLike<number>;
  /** Target blur (mm): ε = blurᵖ. */
  blur: number;
  /** Reach (mm) of the unbalanced problem, ρ = reachᵖ; null or absent = balanced. */
  reach?: number | null;
  /** ε-scaling factor per step (in blur), GeomLoss `scaling`; default 0.5. */
  scaling?: number;
  /** Cost exponent p; default 2. */
  p?: CostExponent;
  /**
   * Relative L1 marginal error Σ|π1 − target| / Σa at which the final fixed-point loop stops (the fraction of
   * mass in the wrong rows); default 1e-3 (see sinkhorn.ts for what it means for the matches).
   */
  tol?: number;
  /** Largest number of fixed-point iterations at the target ε (all runs of the final loop together); default 1000. */
  maxIter?: number;
  /** Feature-augmented cost (RobOT). */
  features?: FeatureOptions;
  /** Coarse-to-fine multiscale solver with kernel truncation; default 'auto' (on for large problems). */
  multiscale?: boolean | 'auto';
  /**
   * Kernel truncation threshold τ (in units of ε) of the multiscale solver at the finest level: pairs with
   * f_i + g_j − C_ij ≤ −τε are dropped; default 8. Cluster levels, which only warm-start the finer ones, keep
   * min(τ, 3) (multiscale/truncation.ts, sinkhorn.ts).
   */
  truncation?: number;
}

/** Diagnostics of a Sinkhorn solve, reported by every entry point. */
export interface SolveDiagnostics {
  /** Symmetric ε-scaling updates plus fixed-point iterations. */
  iterations: number;
  /** Largest relative L1 marginal error ‖π1 − a‖₁/‖a‖₁ of the returned potentials (see sinkhorn.ts). */
  marginalError: number;
  /** The ε values of the annealing schedule, coarse to fine (GeomLoss `epsilon_schedule`). */
  epsilons: number[];
  /**
   * Diameter of the problem (length of the bounding-box diagonal of both clouds, features included), in the
   * input unit. A diameter orders of magnitude away from the expected one (e.g. metres given instead of mm) or a
   * huge diameter / blur ratio is the caller's cue to warn.
   */
  diameter: number;
  /** diameter / blur: the number of "blurs" across the problem; above ~1e5 float32 precision degrades. */
  scaleRatio: number;
  /** Multiscale details when the multiscale solver ran. */
  multiscale?: MultiscaleReport;
}

export interface MultiscaleReport {
  /** Levels, coarse to fine: grid cell size (mm, 0 for the points themselves) and cluster counts. */
  levels: { cellSize: number; nx: number; ny: number }[];
  /** τ of the truncation at the finest level. */
  truncation: number;
  /**
   * Fraction of the N×M pairs kept at the finest level (x↔y) at the end: every pair within τ + margin of the
   * threshold (margin = max(5, log(1/tol))), as found by the final truncation check.
   */
  keptFraction: number;
  /**
   * Times the final loop went on after the truncation check (the marginals measured on every pair within
   * τ + margin were not within tol: pairs the truncation had dropped carried mass).
   */
  widenings: number;
}

/** Result of solveOT: the entropic OT_ε(α, β) between the two clouds (not debiased). */
export interface OTResult extends SolveDiagnostics {
  /** Dual potential on x (N, input order), in mmᵖ. */
  f: Float64Array;
  /** Dual potential on y (M, input order). */
  g: Float64Array;
  /** OT_ε(α, β), see divergence.ts. */
  cost: number;
  /** ⟨π, C⟩, the transport part of the cost (p = 2 only; what POT's sinkhorn2 returns). */
  transportCost?: number;
}

/** Result of sinkhornDivergence: S_ε(α, β) = OT_ε(α, β) − ½OT_ε(α, α) − ½OT_ε(β, β). */
export interface DivergenceResult extends SolveDiagnostics {
  value: number;
  /** ∂S/∂x (N×3, p = 2 only), in mm × mass. */
  gradX?: Float64Array;
  /** ∂S/∂a (N). */
  gradA?: Float64Array;
  /** ∂S/∂y (M×3, p = 2 only). */
  gradY?: Float64Array;
  /** ∂S/∂b (M). */
  gradB?: Float64Array;
}

/** One row of the sparse plan: the k largest π_ij of row i. */
export interface PlanRow {
  index: number;
  columns: Int32Array;
  values: Float64Array;
}

/** Result of match (RobOT): where each x point goes under the entropic plan. */
export interface MatchResult extends SolveDiagnostics {
  /** Barycentric projection ŷ_i = Σ_j π_ij y_j / Σ_j π_ij (N×3, xyz only even with features). */
  matched: Float64Array;
  /** w_i = Σ_j π_ij / a_i: 1 for a fully transported point, → 0 for an outlier (unbalanced). */
  confidence: Float64Array;
  /** argmax_j π_ij (N), when asked for. */
  hardIndex?: Int32Array;
  /** OT_ε(α, β). */
  cost: number;
  /** Potentials (input order). */
  f: Float64Array;
  g: Float64Array;
}
