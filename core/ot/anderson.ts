/**
 * Anderson acceleration (Anderson 1965, "Iterative procedures for nonlinear integral equations", J. ACM; in the
 * form of Walker & Ni 2011, "Anderson acceleration for fixed-point iterations", SIAM J. Numer. Anal.) of the
 * final Sinkhorn loop. One Gauss–Seidel sweep f ↦ G(f) = λ softmin(λ softmin(f)) is a fixed-point map whose
 * plain iteration crawls at small ε: the marginal error contracts by only 0.9–0.95 per sweep once the blur is
 * at or below the point spacing, because the error lives in smooth modes of the potentials that one softmin
 * moves by a fraction of ε. Anderson mixing combines the last `memory` sweeps, with residuals r = G(f) − f:
 *
 *   γ = argmin_γ ‖r_k − ΔR γ‖²_w,     f_{k+1} = G(f_k) − (ΔF + ΔR) γ
 *
 * where ΔF, ΔR hold the differences of successive iterates and residuals and ‖·‖_w weighs point i by its mass
 * (the marginal error is mass-weighted). It costs O(memory·N) per sweep, nothing next to the two softmins.
 *
 * Safeguards: a sweep whose marginal error is well above the best seen so far restarts the history (and takes
 * the plain step G(f)); an ill-conditioned or wild least-squares solution falls back to the plain step too, so
 * the iteration is never worse than a few plain sweeps.
 */

/** Sweeps remembered. */
const DEFAULT_MEMORY = 6;
/** Restart when the error exceeds the best one by this factor. */
const RESTART_FACTOR = 2;
/** Tikhonov regularisation of the normal equations, relative to their trace. */
const REGULARISATION = 1e-10;
/** Coefficients beyond this size mean a degenerate history: take the plain step. */
const MAX_COEFFICIENT = 1e3;

export class Anderson {
  private dF: Float64Array[] = [];
  private dR: Float64Array[] = [];
  /** Weighted Gram matrix of dR (row-major, `memory` × `memory`, first k×k used), updated incrementally. */
  private gram: Float64Array;
  private prevU: Float64Array | undefined;
  private prevR: Float64Array | undefined;
  private best = Infinity;
  /** Plain steps taken (restarts, degenerate histories), for reports and tests. */
  plainSteps = 0;

  constructor(
    private readonly weights: Float64Array,
    private readonly memory = DEFAULT_MEMORY,
  ) {
    this.gram = new Float64Array(memory * memory);
  }

  private dot(u: Float64Array, v: Float64Array): number {
    const w = this.weights;
    let acc = 0;
    for (let i = 0; i < u.length; i++) acc += w[i] * u[i] * v[i];
    return acc;
  }

  /** The next iterate from the current one `u`, its image `mapped` = G(u), and its marginal error. */
  next(u: Float64Array, mapped: Float64Array, error: number): Float64Array {
    const n = u.length;
    const r = new Float64Array(n);
    for (let i = 0; i < n; i++) r[i] = mapped[i] - u[i];
    if (error > RESTART_FACTOR * this.best) this.restart();
    this.best = Math.min(this.best, error);
    if (this.prevU && this.prevR) {
      const df = new Float64Array(n);
      const dr = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        df[i] = u[i] - this.prevU[i];
        dr[i] = r[i] - this.prevR[i];
      }
      const M = this.memory;
      if (this.dR.length === M) {
        // drop the oldest: shift the Gram matrix up-left by one
        this.dF.shift();
        this.dR.shift();
        for (let a = 0; a + 1 < M; a++) for (let b = 0; b + 1 < M; b++) this.gram[a * M + b] = this.gram[(a + 1) * M + b + 1];
      }
      this.dF.push(df);
      this.dR.push(dr);
      const k = this.dR.length - 1;
      for (let a = 0; a <= k; a++) {
        const v = this.dot(this.dR[a], dr);
        this.gram[a * M + k] = v;
        this.gram[k * M + a] = v;
      }
    }
    this.prevU = u;
    this.prevR = r;
    const k = this.dR.length;
    if (k === 0) return this.plain(mapped);
    // normal equations (ΔRᵀ W ΔR) γ = ΔRᵀ W r
    const M = this.memory;
    const A = new Float64Array(k * k);
    const rhs = new Float64Array(k);
    let trace = 0;
    for (let a = 0; a < k; a++) {
      for (let b = 0; b < k; b++) A[a * k + b] = this.gram[a * M + b];
      rhs[a] = this.dot(this.dR[a], r);
      trace += A[a * k + a];
    }
    if (!(trace > 0)) return this.plain(mapped);
    for (let a = 0; a < k; a++) A[a * k + a] += (REGULARISATION * trace) / k;
    const gamma = solveSymmetric(A, rhs, k);
    if (!gamma || gamma.some((v) => !(Math.abs(v) < MAX_COEFFICIENT))) {
      this.restart();
      return this.plain(mapped);
    }
    const out = Float64Array.from(mapped);
    for (let a = 0; a < k; a++) {
      const c = gamma[a];
      const df = this.dF[a];
      const dr = this.dR[a];
      for (let i = 0; i < n; i++) out[i] -= c * (df[i] + dr[i]);
    }
    return out;
  }

  private plain(mapped: Float64Array): Float64Array {
    this.plainSteps += 1;
    return Float64Array.from(mapped);
  }

  private restart(): void {
    this.dF = [];
    this.dR = [];
    this.prevU = undefined;
    this.prevR = undefined;
    this.best = Infinity;
  }
}

/** Solves the k×k symmetric positive (semi)definite system by Cholesky; undefined if it is not positive. */
function solveSymmetric(A: Float64Array, b: Float64Array, k: number): Float64Array | undefined {
  const Lm = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let acc = A[i * k + j];
      for (let q = 0; q < j; q++) acc -= Lm[i * k + q] * Lm[j * k + q];
      if (i === j) {
        if (!(acc > 0)) return undefined;
        Lm[i * k + i] = Math.sqrt(acc);
      } else {
        Lm[i * k + j] = acc / Lm[j * k + j];
      }
    }
  }
  const y = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let acc = b[i];
    for (let q = 0; q < i; q++) acc -= Lm[i * k + q] * y[q];
    y[i] = acc / Lm[i * k + i];
  }
  const x = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let acc = y[i];
    for (let q = i + 1; q < k; q++) acc -= Lm[q * k + i] * x[q];
    x[i] = acc / Lm[i * k + i];
  }
  return x;
}
