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
 *       (multiscale: refresh the truncation at every ε; jump to the next finer level when the next blur is
 *        below a fraction of the current cell size, extrapolating every potential with one softmin against the
 *        coarse level)
 *   final extrapolation at the target ε:  f, g ← λ softmin(log b + g/ε), λ softmin(log a + f/ε); same for p, q.
 * Then (our addition) a fixed-point loop at the target ε until the relative L1 marginal error is below `tol`:
 * alternating (Gauss–Seidel) sweeps g ← λ softmin(f), f ← λ softmin(g) for the pair (f, g), accelerated (class
 * Anderson); for the symmetric p and q the averaged map is kept, because the plain map p ← λ softmin(p) has the
 * 2-cycle (p* + c, p* − c) in the balanced case. Multiscale solves end with the truncation check: every pair
 * within τ + margin of the threshold, found with bounds that miss none (multiscale/verify.ts); the marginals
 * are measured on all of them, and the loop runs again on them if they are not within tol.
 *
 * Marginal error. For potentials (f, g) the plan π_ij = a_i b_j exp((f_i + g_j − C_ij)/ε) has row sums
 * π1_i = a_i exp((f_i − f̃_i)/ε) with f̃ = softmin(log b + g/ε); at the optimum π1 = a (balanced) or
 * π1 = a·exp(−f/ρ) (unbalanced, the first-order condition of the ρ KL(π1 | a) penalty). The error is
 * Σ_i |π1_i − target_i| / Σ_i a_i, measured for the rows of (f, g) right after g ← λ softmin(f) (so its columns
 * are exact), and for p and q. The default tolerance 1e-3 (problem.ts) puts 0.1 % of the mass in the wrong
 * rows; on the copd1 vessel trees (60k points, blur 1 mm) the barycentric matches are then within 0.003 mm
 * (median) and 0.03 mm (95th percentile) of a solve converged to 1e-6.
 */
import type { BlockSparsity, Cloud, CostExponent, KernelEngine } from '../kernels/types.ts';
import { throwIfCancelled, type ProgressOptions } from '../progress/index.ts';
import { Anderson } from './anderson.ts';
import { damping } from './cost.ts';
import type { ClusterLevel, Hierarchy } from './multiscale/grid-hierarchy.ts';
import {
  allPairs,
  childCandidates,
  childRowsSparsity,
  identityStarts,
  keptPairCount,
  logWeightsPlus,
  pointSparsity,
  prunePairs,
  transposePairs,
  type Candidates,
  type PrunedPairs,
} from './multiscale/truncation.ts';
import { columnTree, searchPairs } from './multiscale/verify.ts';

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

/** Pair sets of the current level's points, one per transport (x→y rows, y→x rows, and the self ones). */
interface LevelPairs {
  xy?: Candidates;
  yx?: Candidates;
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

/**
 * Jump to the next finer level when the next blur (ε^{1/p}) falls below this fraction of the current cell
 * size. GeomLoss jumps at 1 (clusters as wide as the blur). Later jumps keep the coarse, cheap levels longer: the
 * number of kept pairs per point grows like (blur / cell)^d, and on lung vessel trees 0.35 halves the solve time
 * against 1 with a warm start for the final loop that is as good (its first marginal error is no larger).
 */
const JUMP_BLUR_PER_CELL = 0.35;
/**
 * Truncation τ of the kept pairs on cluster levels (at most τ): their solution only warm-starts the finer
 * levels, and their candidates keep the points' margin (see refreshed), so a tighter τ here only saves work.
 */
const CLUSTER_TRUNCATION = 3;
/** Fixed-point iterations between two truncation refreshes at the target ε. */
const REFRESH_EVERY = 10;
/** Times the final loop may go on after the truncation check (each time on every pair within τ + margin). */
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

export async function sinkhorn(engine: KernelEngine, hierarchy: Hierarchy, s: SinkhornSettings): Promise<SinkhornOutcome> {
  const { p, rho, epsilons, debias, signal, onProgress } = s;
  const levels = hierarchy.levels;
  const last = levels.length - 1;
  const tau = s.truncation;
  // Candidates of the truncation: the pairs within τ + margin (in ε) of its threshold; the final check measures
  // the marginals on all of them.
  const margin = Math.max(5, Math.log(1 / s.tol));
  let li = 0;
  let L = levels[0];
  let sp: Sparsities = {};
  /** Kept pairs, candidates and each transport's best φ per row at the last test, of the current level (li ≥ 1). */
  let kept: LevelPairs = {};
  let cand: LevelPairs = {};
  let best: { xy?: Float32Array; yx?: Float32Array; xx?: Float32Array; yy?: Float32Array } = {};
  let starts = { x: identityStarts(0), y: identityStarts(0) };
  let iterations = 0;
  let fixedIterations = 0;
  const stage = 'sinkhorn';
  const report = (fraction: number): void => onProgress?.({ stage, fraction: Math.min(1, fraction) });

  const soft = (eps: number, lam: number, target: Cloud, source: Cloud, logW: Float64Array, pot: Float64Array, sparsity?: BlockSparsity): Promise<Float64Array> =>
    dampedSoftmin(engine, eps, p, lam, target, source, logW, pot, sparsity);

  /** Sparsities of the current level from its kept pairs. */
  const sparsities = (): Sparsities => {
    const out: Sparsities = { xy: pointSparsity(kept.xy!, starts.x, starts.y), yx: pointSparsity(kept.yx!, starts.y, starts.x) };
    if (debias) {
      out.xx = pointSparsity(kept.xx!, starts.x, starts.x);
      out.yy = pointSparsity(kept.yy!, starts.y, starts.y);
    }
    return out;
  };

  /**
   * The truncation test of one transport (rows X with potential u, columns Y with v), on the engine when it has
   * one (parallel WASM), else in JS (the same test, truncation.ts). Kept: φ > −τ'ε. Candidates: φ > −τ_c ε, or
   * within τ_c ε of the best φ of the pair's row or column at the previous test — which keeps the pairs of a row
   * or a column whose potential is still far from converged (shifted as a whole by many ε).
   */
  const prune = async (
    eps: number,
    tauNow: number,
    tauC: number,
    X: Cloud,
    Y: Cloud,
    u: Float64Array,
    v: Float64Array,
    vMass: Float64Array,
    pairs: Candidates,
    rowReference: Float32Array | undefined,
    columnReference: Float32Array | undefined,
  ): Promise<PrunedPairs> => {
    const vMasked = v.map((value, j) => (vMass[j] > 0 ? value : -Infinity));
    const test = { keepAbove: -tauNow * eps, candidateAbove: -Math.max(tauNow, tauC) * eps, rowReference, columnReference, relativeMargin: tauC * eps };
    return engine.prunePairs
      ? engine.prunePairs(p, X, Y, Float32Array.from(u), Float32Array.from(vMasked), test, pairs)
      : prunePairs(p, X, Y, u, vMasked, test, pairs);
  };

  /**
   * Truncation test of the current level (li ≥ 1) with its potentials, among the level's candidates: on the
   * points at τ' (τ, or τ + margin for the check), on a cluster level at min(τ', CLUSTER_TRUNCATION). The
   * candidates narrow to the pairs within τ' + margin on cluster levels (whose pairs' children become the next
   * level's candidates, so they keep the points' margin); on the points they never narrow: the final loop and
   * its acceleration move potentials by many ε on their way, and the kept pairs are re-selected from them.
   */
  const refreshed = async (eps: number, tauPoints: number): Promise<Sparsities> => {
    const points = li === last;
    const tauNow = points ? tauPoints : Math.min(tauPoints, CLUSTER_TRUNCATION);
    const tauC = tauPoints + margin;
    const xy = await prune(eps, tauNow, tauC, L.x, L.y, f, g, L.b.w, cand.xy!, best.xy, best.yx);
    const yx = await prune(eps, tauNow, tauC, L.y, L.x, g, f, L.a.w, cand.yx!, best.yx, xy.rowMax);
    const nextKept: LevelPairs = { xy: xy.kept, yx: yx.kept };
    const nextCand: LevelPairs = { xy: xy.candidates, yx: yx.candidates };
    const nextBest: typeof best = { xy: xy.rowMax, yx: yx.rowMax };
    if (debias) {
      const xx = await prune(eps, tauNow, tauC, L.x, L.x, pp!, pp!, L.a.w, cand.xx!, best.xx, best.xx);
      const yy = await prune(eps, tauNow, tauC, L.y, L.y, qq!, qq!, L.b.w, cand.yy!, best.yy, best.yy);
      nextKept.xx = xx.kept;
      nextKept.yy = yy.kept;
      nextCand.xx = xx.candidates;
      nextCand.yy = yy.candidates;
      nextBest.xx = xx.rowMax;
      nextBest.yy = yy.rowMax;
    }
    kept = nextKept;
    if (!points) cand = nextCand;
    best = nextBest;
    return sparsities();
  };

  /** Every pair of the finest level within τ' of the threshold, for each transport (multiscale/verify.ts). */
  const completePairs = (eps: number, tauNow: number): LevelPairs => {
    const threshold = tauNow * eps;
    const masked = (pot: Float64Array, w: Float64Array): Float64Array => pot.map((v, j) => (w[j] > 0 ? v : -Infinity));
    const gm = masked(g, L.b.w);
    const xy = searchPairs(p, L.x, L.y, f, gm, threshold, columnTree(hierarchy, 'y', L.y, gm, p));
    const out: LevelPairs = { xy, yx: transposePairs(xy, L.b.w.length) };
    if (debias) {
      const pm = masked(pp!, L.a.w);
      const qm = masked(qq!, L.b.w);
      out.xx = searchPairs(p, L.x, L.x, pp!, pm, threshold, columnTree(hierarchy, 'x', L.x, pm, p));
      out.yy = searchPairs(p, L.y, L.y, qq!, qm, threshold, columnTree(hierarchy, 'y', L.y, qm, p));
    }
    return out;
  };

  /**
   * Moves every potential to the next finer level: extrapolation (one softmin of each potential against the
   * coarse level, over the children of the coarse kept pairs). The children of the coarse candidates are the new
   * level's candidates; until the next truncation test they are also its kept pairs.
   */
  const jump = async (eps: number, lam: number): Promise<void> => {
    const C = levels[li + 1];
    const nx = L.a.w.length;
    const ny = L.b.w.length;
    const dense = li === 0;
    const source = (pairs: Candidates | undefined, n: number, m: number): Candidates => (dense || !pairs ? allPairs(n, m) : pairs);
    const idX = identityStarts(nx);
    const idY = identityStarts(ny);
    const rows = (pairs: Candidates | undefined, childStart: Uint32Array, yStarts: Uint32Array): BlockSparsity | undefined =>
      dense || !pairs ? undefined : childRowsSparsity(pairs, childStart, yStarts);
    const fNew = await soft(eps, lam, C.x, L.y, L.b.logW, g, rows(kept.xy, C.xStart!, idY));
    const gNew = await soft(eps, lam, C.y, L.x, L.a.logW, f, rows(kept.yx, C.yStart!, idX));
    const childCand: LevelPairs = {
      xy: childCandidates(source(cand.xy, nx, ny), C.xStart!, C.yStart!),
      yx: childCandidates(source(cand.yx, ny, nx), C.yStart!, C.xStart!),
    };
    if (debias) {
      const pNew = await soft(eps, lam, C.x, L.x, L.a.logW, pp!, rows(kept.xx, C.xStart!, idX));
      const qNew = await soft(eps, lam, C.y, L.y, L.b.logW, qq!, rows(kept.yy, C.yStart!, idY));
      childCand.xx = childCandidates(source(cand.xx, nx, nx), C.xStart!, C.xStart!);
      childCand.yy = childCandidates(source(cand.yy, ny, ny), C.yStart!, C.yStart!);
      pp = pNew;
      qq = qNew;
    }
    f = fNew;
    g = gNew;
    li += 1;
    L = C;
    starts = { x: identityStarts(L.a.w.length), y: identityStarts(L.b.w.length) };
    cand = childCand;
    kept = childCand;
    best = {};
    sp = sparsities();
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
    if (li > 0) sp = await refreshed(eps, tau);
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
    while (li < last && (i === epsilons.length - 1 || epsilons[i + 1] < (JUMP_BLUR_PER_CELL * L.cellSize) ** p)) await jump(eps, lam);
  }

  const eps = epsilons[epsilons.length - 1];
  lam = damping(eps, rho);

  // Final extrapolation at the target ε (Jacobi, as GeomLoss's last_extrapolation).
  throwIfCancelled(signal, stage);
  if (li > 0) sp = await refreshed(eps, tau);
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
   * Fixed-point loop at the target ε with the working sparsity; returns the last measurement. Each iteration is
   * one Gauss–Seidel sweep g ← λ softmin(f), f̃ ← λ softmin(g), whose row error is measured before f moves on
   * to the accelerated f ← AA(f, f̃) (Anderson); it stops right after a sweep, with g exactly the c-transform
   * of f (exact columns). maxIter caps the iterations of all its runs together.
   */
  const fixedPoint = async (refresh: boolean): Promise<Measured> => {
    const accel = new Anderson(L.a.w);
    for (let it = 0; ; it++) {
      throwIfCancelled(signal, stage);
      if (refresh && li > 0 && it > 0 && it % REFRESH_EVERY === 0) sp = await refreshed(eps, tau);
      const lastChance = fixedIterations + 1 >= s.maxIter;
      g = await soft(eps, lam, L.y, L.x, L.a.logW, f, sp.yx);
      const ft = await soft(eps, lam, L.x, L.y, L.b.logW, g, sp.xy);
      const rx = rowRatios(L.a.w, f, ft, eps, lam, rho);
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
      if (Math.max(...measured.errors) < s.tol || lastChance) return measured;
      f = accel.next(f, ft, rx.error);
      if (debias) {
        pp = average(pp!, pt!);
        qq = average(qq!, qt!);
      }
    }
  };

  let measured = await fixedPoint(true);
  let widenings = 0;
  if (li > 0) {
    // Truncation check (multiscale/verify.ts): with the final potentials, every pair within τ + margin of the
    // threshold, found with bounds that miss none; the marginals are measured on all of them. If they are not
    // within tol, the loop goes on with all of them kept; once the potentials have moved by less than half the
    // margin, the set still holds every pair within τ + margin/2 and no new search is needed.
    for (;;) {
      cand = completePairs(eps, tau + margin);
      best = {};
      sp = await refreshed(eps, tau + margin);
      measured = await measure(sp);
      if (Math.max(...measured.errors) < s.tol || widenings >= MAX_WIDENINGS || fixedIterations >= s.maxIter) break;
      widenings += 1;
      const f0 = f;
      const g0 = g;
      measured = await fixedPoint(false);
      let moved = 0;
      for (let i = 0; i < f.length; i++) moved = Math.max(moved, Math.abs(f[i] - f0[i]));
      let movedG = 0;
      for (let j = 0; j < g.length; j++) movedG = Math.max(movedG, Math.abs(g[j] - g0[j]));
      if (moved + movedG < 0.5 * margin * eps) break;
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
