/**
 * Log-domain symmetric Sinkhorn with ε-scaling, GeomLoss's `sinkhorn_loop` (Feydy et al. 2019, "Interpolating
 * between optimal transport and MMD using Sinkhorn divergences", and Feydy's PhD thesis §3.3), on top of a
 * KernelEngine, optionally multiscale (coarse-to-fine with kernel truncation, multiscale/*).
 *
 * Potentials: f on x and g on y for OT_ε(α, β); p (x↔x) and q (y↔y) for the debiasing terms OT_ε(α, α),
 * OT_ε(β, β). With softmin_ε(y → x)[h](x_i) = −ε log Σ_j exp(h_j − C(x_i, y_j)/ε) and λ = 1/(1 + ε/ρ) (1 when
 * balanced), GeomLoss's loop is:
 *   init at ε_0:   f = λ softmin(log b),  g = λ softmin(log a),  p = λ softmin(log a),  q = λ softmin(log b)
 *   for ε in ε_list:
 *       f, g ← ½(f + λ softmin(log b + g/ε)), ½(g + λ softmin(log a + f/ε))     (symmetric, averaged updates)
 *       p, q ← ½(p + λ softmin(log a + p/ε)), ½(q + λ softmin(log b + q/ε))
 *       (multiscale: refresh the truncation at every ε; jump to the next finer level when the next ε is below
 *        the current cluster size ᵖ, extrapolating every potential with one softmin against the coarse level)
 *   final extrapolation at the target ε:  f, g ← λ softmin(log b + g/ε), λ softmin(log a + f/ε); same for p, q.
 * Then (our addition) a fixed-point loop at the target ε until the relative L1 marginal error is below `tol`:
 * alternating (Gauss–Seidel) updates g ← λ softmin(f), f ← λ softmin(g) for the pair (f, g), over-relaxed once
 * they are seen to crawl (class Relaxation); for the symmetric p and q the averaged map is kept, because the
 * plain map p ← λ softmin(p) has the 2-cycle (p* + c, p* − c) in the balanced case.
 *
 * Marginal error. For potentials (f, g) the plan π_ij = a_i b_j exp((f_i + g_j − C_ij)/ε) has row sums
 * π1_i = a_i exp((f_i − f̃_i)/ε) with f̃ = softmin(log b + g/ε); at the optimum π1 = a (balanced) or
 * π1 = a·exp(−f/ρ) (unbalanced, the first-order condition of the ρ KL(π1 | a) penalty). The error is
 * Σ_i |π1_i − target_i| / Σ_i a_i, measured for the rows of (f, g) right after g ← λ softmin(f) (so its columns
 * are exact), and for p and q.
 */
import type { BlockSparsity, Cloud, CostExponent, KernelEngine } from '../kernels/types.ts';
import { throwIfCancelled, type ProgressOptions } from '../progress/index.ts';
import { damping } from './cost.ts';
import type { ClusterExtent, ClusterLevel, Hierarchy } from './multiscale/grid-hierarchy.ts';
import {
  centroidPotentials,
  childCandidates,
  keptBlocks,
  keptPairCount,
  logWeightsPlus,
  transposeSparsity,
  withPointColumns,
  withPointRows,
  type Candidates,
  type ClusterBound,
} from './multiscale/truncation.ts';

export interface SinkhornSettings extends ProgressOptions {
  p: CostExponent;
  rho: number | null;
  /** The ε schedule (epsilon-schedule.ts); the last value is the target. */
  epsilons: readonly number[];
  tol: number;
  maxIter: number;
  /** Also solve the symmetric problems OT(α, α), OT(β, β) (for the Sinkhorn divergence). */
  debias: boolean;
  /** Kernel truncation τ (multiscale only). */
  truncation: number;
}

/** Candidate cluster pairs of the current level, from the kept pairs of the coarser one (absent = all pairs). */
interface LevelCandidates {
  xy?: Candidates;
  xx?: Candidates;
  yy?: Candidates;
}

/** Block sparsities of the four transports (absent = dense). */
export interface Sparsities {
  xy?: BlockSparsity;
  yx?: BlockSparsity;
  xx?: BlockSparsity;
  yy?: BlockSparsity;
}

/** Solved potentials at the finest level (sorted order when multiscale) and what the cost and gradients need. */
export interface SinkhornOutcome {
  level: ClusterLevel;
  eps: number;
  lam: number;
  f: Float64Array;
  g: Float64Array;
  p?: Float64Array;
  q?: Float64Array;
  /** Row sums of the plans over the masses: π1/a for (f, g), πᵀ1/b, and for the self plans. */
  ratioX: Float64Array;
  ratioY: Float64Array;
  ratioXX?: Float64Array;
  ratioYY?: Float64Array;
  sparsity: Sparsities;
  iterations: number;
  marginalError: number;
  truncation: number;
  widenings: number;
  keptFraction: number;
}

/** Fixed-point iterations between two truncation refreshes at the target ε. */
const REFRESH_EVERY = 10;
/** Under over-relaxation, a plain confirmation step is tried when the row error is below CONFIRM_FACTOR·tol … */
const CONFIRM_FACTOR = 5;
/** … at most once every CONFIRM_EVERY iterations. */
const CONFIRM_EVERY = 5;
/** Times the truncation may be widened before falling back to the dense kernel. */
const MAX_WIDENINGS = 3;

/** λ·softmin_ε(source → target)[log w + pot/ε], in float64. */
async function dampedSoftmin(
  engine: KernelEngine,
  eps: number,
  p: CostExponent,
  lam: number,
  target: Cloud,
  source: Cloud,
  sourceLogW: Float64Array,
  sourcePot: Float64Array,
  sparsity: BlockSparsity | undefined,
): Promise<Float64Array> {
  const n = target.points.length / target.dim;
  const out = new Float32Array(n);
  await engine.softmin(eps, p, target, source, logWeightsPlus(sourceLogW, sourcePot, eps), out, sparsity);
  const res = new Float64Array(n);
  for (let i = 0; i < n; i++) res[i] = lam * out[i];
  return res;
}

/**
 * π1/a = exp((u − ũ)/ε) for the potential u and its damped update λũ (`updated`), and the relative L1 error
 * against the optimality target (1, or exp(−u/ρ) unbalanced).
 */
export function rowRatios(w: Float64Array, u: Float64Array, updated: Float64Array, eps: number, lam: number, rho: number | null): { ratio: Float64Array; error: number } {
  const ratio = new Float64Array(u.length);
  let err = 0;
  let total = 0;
  for (let i = 0; i < u.length; i++) {
    const r = Math.exp((u[i] - updated[i] / lam) / eps);
    ratio[i] = r;
    if (w[i] > 0) {
      const target = rho === null ? 1 : Math.exp(-u[i] / rho);
      err += w[i] * Math.abs(r - target);
      total += w[i];
    }
  }
  return { ratio, error: err / total };
}

function average(u: Float64Array, v: Float64Array): Float64Array {
  const out = new Float64Array(u.length);
  for (let i = 0; i < u.length; i++) out[i] = 0.5 * (u[i] + v[i]);
  return out;
}

function bound(centres: Cloud, c: { pot: Float64Array; shift?: Float64Array }, extent: ClusterExtent, mass: Float64Array): ClusterBound {
  return { centres, pot: c.pot, shift: c.shift, extent, mass };
}

/**
 * Over-relaxation of the final fixed-point loop (Thibault et al. 2021, "Overrelaxed Sinkhorn–Knopp algorithm for
 * regularized optimal transport"; Lehmann et al. 2022, "A note on overrelaxation in the Sinkhorn algorithm"):
 * u ← (1 − ω) u + ω λ softmin(…) in the log domain. Plain Sinkhorn (ω = 1) contracts the marginal error by a
 * factor θ per iteration, painfully close to 1 at small ε (θ ≈ 0.98–0.999 once blur is below the point spacing).
 * Near the fixed point the iteration is a linear two-block Gauss–Seidel sweep, for which Young's SOR theory gives
 * the rate ρ(ω) of the relaxed sweep through (ρ + ω − 1)² = ρ ω² θ and the optimal ω = 2 / (1 + √(1 − θ)). We
 * measure ρ over steady windows, infer θ, and move ω up to the optimum; ω is halved back towards 1 whenever the
 * error grows.
 */
class Relaxation {
  omega = 1;
  private history: number[] = [];
  private best = Infinity;

  blend(u: Float64Array, update: Float64Array): Float64Array {
    const w = this.omega;
    const out = new Float64Array(u.length);
    for (let i = 0; i < u.length; i++) out[i] = (1 - w) * u[i] + w * update[i];
    return out;
  }

  observe(error: number): void {
    const h = this.history;
    h.push(error);
    if (error < this.best) this.best = error;
    if (this.omega > 1 && error > 2 * this.best) {
      this.omega = 1 + 0.5 * (this.omega - 1);
      if (this.omega < 1.05) this.omega = 1;
      this.restart(error);
      return;
    }
    const window = 5;
    if (h.length <= 2 * window) return;
    const rate = (h[h.length - 1] / h[h.length - 1 - window]) ** (1 / window);
    const before = (h[h.length - 1 - window] / h[h.length - 1 - 2 * window]) ** (1 / window);
    if (!(rate < 1 && Math.abs(rate - before) < 0.02)) return;
    const w = this.omega;
    const theta = (rate + w - 1) ** 2 / (rate * w * w);
    if (!(theta > 0.5 && theta < 1)) return;
    const optimal = Math.min(1.95, 2 / (1 + Math.sqrt(1 - theta)));
    if (optimal > w + 0.02) {
      this.omega = optimal;
      this.restart(error);
    }
  }

  private restart(error: number): void {
    this.history = [error];
    this.best = error;
  }
}

export async function sinkhorn(engine: KernelEngine, hierarchy: Hierarchy, s: SinkhornSettings): Promise<SinkhornOutcome> {
  const { p, rho, epsilons, debias, signal, onProgress } = s;
  const levels = hierarchy.levels;
  const last = levels.length - 1;
  let li = 0;
  let L = levels[0];
  let sp: Sparsities = {};
  let cand: LevelCandidates = {};
  let tau = s.truncation;
  let iterations = 0;
  let fixedIterations = 0;
  const stage = 'sinkhorn';
  const report = (fraction: number): void => onProgress?.({ stage, fraction: Math.min(1, fraction) });

  const soft = (eps: number, lam: number, target: Cloud, source: Cloud, logW: Float64Array, pot: Float64Array, sparsity?: BlockSparsity): Promise<Float64Array> =>
    dampedSoftmin(engine, eps, p, lam, target, source, logW, pot, sparsity);

  /**
   * Truncation of the current level (li ≥ 1) from c-transforms at the parent centroids, at threshold τ'; among
   * the level's candidate pairs, or among all pairs when `allPairs` (the final check, after a widening).
   */
  const refreshed = async (eps: number, lam: number, tauNow: number, allPairs = false): Promise<Sparsities> => {
    const c: LevelCandidates = allPairs ? {} : cand;
    const P = levels[li - 1];
    const fx = await centroidPotentials(engine, eps, p, lam, P.x, L.y, L.b.logW, g, sp.xy && withPointRows(sp.xy));
    const gy = await centroidPotentials(engine, eps, p, lam, P.y, L.x, L.a.logW, f, sp.yx && withPointRows(sp.yx));
    const X = bound(P.x, fx, L.parentExtentX!, P.a.w);
    const Y = bound(P.y, gy, L.parentExtentY!, P.b.w);
    const xy = keptBlocks(p, eps, tauNow, lam, X, Y, L.xStart!, L.yStart!, c.xy);
    const out: Sparsities = { xy, yx: transposeSparsity(xy) };
    if (debias) {
      const px = await centroidPotentials(engine, eps, p, lam, P.x, L.x, L.a.logW, pp!, sp.xx && withPointRows(sp.xx));
      const qy = await centroidPotentials(engine, eps, p, lam, P.y, L.y, L.b.logW, qq!, sp.yy && withPointRows(sp.yy));
      const PX = bound(P.x, px, L.parentExtentX!, P.a.w);
      const QY = bound(P.y, qy, L.parentExtentY!, P.b.w);
      out.xx = keptBlocks(p, eps, tauNow, lam, PX, PX, L.xStart!, L.xStart!, c.xx);
      out.yy = keptBlocks(p, eps, tauNow, lam, QY, QY, L.yStart!, L.yStart!, c.yy);
    }
    return out;
  };

  /** Moves every potential to the next finer level (kernel truncation + extrapolation). */
  const jump = async (eps: number, lam: number): Promise<void> => {
    const C = levels[li + 1];
    // candidate pairs of the new level's blocks (this level's points): children of this level's kept blocks
    const nextCand: LevelCandidates =
      li === 0
        ? {}
        : {
            xy: sp.xy && childCandidates(sp.xy, L.xStart!, L.yStart!),
            xx: sp.xx && childCandidates(sp.xx, L.xStart!, L.xStart!),
            yy: sp.yy && childCandidates(sp.yy, L.yStart!, L.yStart!),
          };
    const fx = await centroidPotentials(engine, eps, p, lam, L.x, L.y, L.b.logW, g, sp.xy);
    const gy = await centroidPotentials(engine, eps, p, lam, L.y, L.x, L.a.logW, f, sp.yx);
    const xy = keptBlocks(p, eps, tau, lam, bound(L.x, fx, C.parentExtentX!, L.a.w), bound(L.y, gy, C.parentExtentY!, L.b.w), C.xStart!, C.yStart!, nextCand.xy);
    const next: Sparsities = { xy, yx: transposeSparsity(xy) };
    const fNew = await soft(eps, lam, C.x, L.y, L.b.logW, g, withPointColumns(next.xy!));
    const gNew = await soft(eps, lam, C.y, L.x, L.a.logW, f, withPointColumns(next.yx!));
    if (debias) {
      const px = await centroidPotentials(engine, eps, p, lam, L.x, L.x, L.a.logW, pp!, sp.xx);
      const qy = await centroidPotentials(engine, eps, p, lam, L.y, L.y, L.b.logW, qq!, sp.yy);
      const PX = bound(L.x, px, C.parentExtentX!, L.a.w);
      const QY = bound(L.y, qy, C.parentExtentY!, L.b.w);
      next.xx = keptBlocks(p, eps, tau, lam, PX, PX, C.xStart!, C.xStart!, nextCand.xx);
      next.yy = keptBlocks(p, eps, tau, lam, QY, QY, C.yStart!, C.yStart!, nextCand.yy);
      pp = await soft(eps, lam, C.x, L.x, L.a.logW, pp!, withPointColumns(next.xx));
      qq = await soft(eps, lam, C.y, L.y, L.b.logW, qq!, withPointColumns(next.yy));
    }
    f = fNew;
    g = gNew;
    sp = next;
    cand = nextCand;
    li += 1;
    L = C;
  };

  // Initialisation at ε_0 (GeomLoss): softmins of the bare log-masses.
  const eps0 = epsilons[0];
  let lam = damping(eps0, rho);
  const zerosX = new Float64Array(L.a.w.length);
  const zerosY = new Float64Array(L.b.w.length);
  let f = await soft(eps0, lam, L.x, L.y, L.b.logW, zerosY);
  let g = await soft(eps0, lam, L.y, L.x, L.a.logW, zerosX);
  let pp = debias ? await soft(eps0, lam, L.x, L.x, L.a.logW, zerosX) : undefined;
  let qq = debias ? await soft(eps0, lam, L.y, L.y, L.b.logW, zerosY) : undefined;

  // ε-scaling with symmetric averaged updates.
  for (let i = 0; i < epsilons.length; i++) {
    throwIfCancelled(signal, stage);
    const eps = epsilons[i];
    lam = damping(eps, rho);
    if (li > 0) sp = await refreshed(eps, lam, tau);
    const ft = await soft(eps, lam, L.x, L.y, L.b.logW, g, sp.xy);
    const gt = await soft(eps, lam, L.y, L.x, L.a.logW, f, sp.yx);
    f = average(f, ft);
    g = average(g, gt);
    if (debias) {
      const pt = await soft(eps, lam, L.x, L.x, L.a.logW, pp!, sp.xx);
      const qt = await soft(eps, lam, L.y, L.y, L.b.logW, qq!, sp.yy);
      pp = average(pp!, pt);
      qq = average(qq!, qt);
    }
    iterations += 1;
    report((0.7 * (i + 1)) / epsilons.length);
    while (li < last && (i === epsilons.length - 1 || epsilons[i + 1] < L.cellSize ** p)) await jump(eps, lam);
  }

  const eps = epsilons[epsilons.length - 1];
  lam = damping(eps, rho);

  // Final extrapolation at the target ε (Jacobi, as GeomLoss's last_extrapolation).
  throwIfCancelled(signal, stage);
  if (li > 0) sp = await refreshed(eps, lam, tau);
  {
    const fNew = await soft(eps, lam, L.x, L.y, L.b.logW, g, sp.xy);
    const gNew = await soft(eps, lam, L.y, L.x, L.a.logW, f, sp.yx);
    f = fNew;
    g = gNew;
    if (debias) {
      const pNew = await soft(eps, lam, L.x, L.x, L.a.logW, pp!, sp.xx);
      const qNew = await soft(eps, lam, L.y, L.y, L.b.logW, qq!, sp.yy);
      pp = pNew;
      qq = qNew;
    }
  }

  interface Measured {
    ratioX: Float64Array;
    ratioY: Float64Array;
    ratioXX?: Float64Array;
    ratioYY?: Float64Array;
    /** Row error of (f, g), and of p and q. */
    errors: number[];
  }

  /** One measurement of (f, g, p, q) with sparsities `m` (g is taken as given: its columns may not be exact). */
  const measure = async (m: Sparsities): Promise<Measured> => {
    const ft = await soft(eps, lam, L.x, L.y, L.b.logW, g, m.xy);
    const gt = await soft(eps, lam, L.y, L.x, L.a.logW, f, m.yx);
    const rx = rowRatios(L.a.w, f, ft, eps, lam, rho);
    const ry = rowRatios(L.b.w, g, gt, eps, lam, rho);
    const out: Measured = { ratioX: rx.ratio, ratioY: ry.ratio, errors: [rx.error, ry.error] };
    if (debias) {
      const pt = await soft(eps, lam, L.x, L.x, L.a.logW, pp!, m.xx);
      const qt = await soft(eps, lam, L.y, L.y, L.b.logW, qq!, m.yy);
      const rp = rowRatios(L.a.w, pp!, pt, eps, lam, rho);
      const rq = rowRatios(L.b.w, qq!, qt, eps, lam, rho);
      out.ratioXX = rp.ratio;
      out.ratioYY = rq.ratio;
      out.errors.push(rp.error, rq.error);
    }
    return out;
  };

  /**
   * Fixed-point loop at the target ε with the working sparsity; returns the last measurement. The pair (f, g)
   * is over-relaxed once the plain iteration is seen to crawl (see Relaxation); the loop only stops on a plain
   * step (g ← λ softmin(f), so the columns are exact).
   */
  const fixedPoint = async (refresh: boolean): Promise<Measured> => {
    const relax = new Relaxation();
    let nextConfirm = 0;
    for (let it = 0; ; it++) {
      throwIfCancelled(signal, stage);
      if (refresh && li > 0 && it > 0 && it % REFRESH_EVERY === 0) sp = await refreshed(eps, lam, tau);
      const lastChance = it + 1 >= s.maxIter;
      const gt = await soft(eps, lam, L.y, L.x, L.a.logW, f, sp.yx);
      let plain = relax.omega === 1 || lastChance;
      g = plain ? gt : relax.blend(g, gt);
      let ft = await soft(eps, lam, L.x, L.y, L.b.logW, g, sp.xy);
      let rx = rowRatios(L.a.w, f, ft, eps, lam, rho);
      if (!plain && rx.error < CONFIRM_FACTOR * s.tol && it >= nextConfirm) {
        // maybe converged under over-relaxation: try a plain step (exact columns); keep it if it is better
        const ftPlain = await soft(eps, lam, L.x, L.y, L.b.logW, gt, sp.xy);
        const rxPlain = rowRatios(L.a.w, f, ftPlain, eps, lam, rho);
        nextConfirm = it + CONFIRM_EVERY;
        if (rxPlain.error < s.tol) {
          g = gt;
          ft = ftPlain;
          rx = rxPlain;
          plain = true;
        }
      }
      const ratioY = new Float64Array(g.length);
      for (let j = 0; j < g.length; j++) ratioY[j] = rho === null ? 1 : Math.exp(-g[j] / rho);
      const measured: Measured = { ratioX: rx.ratio, ratioY, errors: [rx.error] };
      let pt: Float64Array | undefined;
      let qt: Float64Array | undefined;
      if (debias) {
        pt = await soft(eps, lam, L.x, L.x, L.a.logW, pp!, sp.xx);
        qt = await soft(eps, lam, L.y, L.y, L.b.logW, qq!, sp.yy);
        const rp = rowRatios(L.a.w, pp!, pt, eps, lam, rho);
        const rq = rowRatios(L.b.w, qq!, qt, eps, lam, rho);
        measured.ratioXX = rp.ratio;
        measured.ratioYY = rq.ratio;
        measured.errors.push(rp.error, rq.error);
      }
      iterations += 1;
      fixedIterations += 1;
      report(0.7 + (0.3 * Math.min(fixedIterations, s.maxIter)) / s.maxIter);
      if (plain && (Math.max(...measured.errors) < s.tol || lastChance)) return measured;
      relax.observe(rx.error);
      f = relax.omega === 1 ? ft : relax.blend(f, ft);
      if (debias) {
        pp = average(pp!, pt!);
        qq = average(qq!, qt!);
      }
    }
  };

  let measured = await fixedPoint(true);
  let widenings = 0;
  if (li > 0) {
    // Truncation check: measure again with a much wider kernel; if the truncation moved the marginals by more
    // than tol/2, widen τ and redo the last ε.
    for (;;) {
      const wideTau = tau + Math.max(5, Math.log(1 / s.tol));
      const wide = await refreshed(eps, lam, wideTau, true);
      const check = await measure(wide);
      const tight = Math.max(...measured.errors);
      const widened = Math.max(...check.errors);
      if (widened - tight <= 0.5 * s.tol) {
        sp = wide;
        measured = check;
        if (widened >= s.tol) measured = await fixedPoint(false);
        break;
      }
      widenings += 1;
      if (widenings > MAX_WIDENINGS) {
        sp = {};
        measured = await fixedPoint(false);
        break;
      }
      tau = wideTau;
      cand = {};
      sp = await refreshed(eps, lam, tau);
      measured = await fixedPoint(true);
    }
  }
  report(1);

  const n = L.a.w.length;
  const m = L.b.w.length;
  return {
    level: L,
    eps,
    lam,
    f,
    g,
    p: pp,
    q: qq,
    ratioX: measured.ratioX,
    ratioY: measured.ratioY,
    ratioXX: measured.ratioXX,
    ratioYY: measured.ratioYY,
    sparsity: sp,
    iterations,
    marginalError: Math.max(...measured.errors),
    truncation: tau,
    widenings,
    keptFraction: sp.xy ? keptPairCount(sp.xy) / (n * m) : 1,
  };
}
