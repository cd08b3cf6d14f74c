/**
 * Monge's optimal-transport solver: entropic OT, debiased Sinkhorn divergences with closed-form gradients, and
 * RobOT matching, on any KernelEngine (core/kernels). Conventions are GeomLoss's (Feydy et al. 2019): cost
 * C = ½|x − y|² (p = 2) or |x − y| (p = 1), ε = blurᵖ, ρ = reachᵖ (reach null → balanced), masses a, b (uniform by
 * default; free totals in the unbalanced case).
 *
 *   solveOT(engine, x, y, { blur })            → OT_ε(α, β), potentials f, g
 *   sinkhornDivergence(engine, x, y, { blur }) → S_ε(α, β) and optionally ∂S/∂x, ∂S/∂a (∂S/∂y, ∂S/∂b)
 *   match(engine, x, y, { blur, reach })       → barycentric matches ŷ_i, confidences, hard matches
 *   planRows(x, y, solved, options, rows, k)   → the k largest plan entries of chosen rows
 *
 * x and y are N×3 / M×3 row-major coordinates in mm (any unit: blur and reach are in the same unit). Every
 * result reports `diameter` and `scaleRatio` (diameter / blur) so that callers can warn about points in metres,
 * clouds far apart or a blur too small for float32.
 */
import type { KernelEngine } from '../kernels/types.ts';
import { epsilonOfBlur } from './cost.ts';
import { entropicCost, selfEntropicCost } from './divergence.ts';
import { augmentedClouds } from './features.ts';
import { massGradient, pointGradient } from './gradient.ts';
import { resolveMasses } from './masses.ts';
import { barycentricMatch, hardMatches, planRowsOf } from './matching.ts';
import { logWeightsPlus } from './multiscale/truncation.ts';
import { solveProblem, toInputOrder, type SolvedProblem } from './problem.ts';
import type { DivergenceResult, MatchResult, OTOptions, OTResult, PlanRow, PointArray3 } from './types.ts';
import { rowMeans } from './weighted-mean.ts';

export type * from './types.ts';
export { epsilonSchedule, diameterOf } from './epsilon-schedule.ts';

export interface SolveOTOptions extends OTOptions {
  /** Also compute ⟨π, C⟩ (p = 2). */
  transportCost?: boolean;
}

export interface DivergenceOptions extends OTOptions {
  /** true = ∂S/∂x and ∂S/∂a; or pick any of x, a, y, b. */
  gradient?: boolean | { x?: boolean; a?: boolean; y?: boolean; b?: boolean };
}

export interface MatchOptions extends OTOptions {
  /** Also compute argmax_j π_ij (dense: O(N·M) time). */
  hard?: boolean;
}

/** ⟨π, C⟩ = Σ_i a_i r_i E_i[½|x_i − y|²], from the row means of (y, |y|²) (p = 2). */
async function transportCostOf(engine: KernelEngine, s: SolvedProblem): Promise<number> {
  const { level, eps, f, g, sparsity } = s.outcome;
  const { x, y } = level;
  const dim = x.dim;
  const m = g.length;
  const v = new Float32Array(m * (dim + 1));
  for (let j = 0; j < m; j++) {
    let sq = 0;
    for (let d = 0; d < dim; d++) {
      const t = y.points[j * dim + d];
      v[j * (dim + 1) + d] = t;
      sq += t * t;
    }
    v[j * (dim + 1) + dim] = sq;
  }
  const { lse, mean } = await rowMeans(engine, eps, 2, x, y, logWeightsPlus(level.b.logW, g, eps), v, dim + 1, sparsity.xy);
  let total = 0;
  for (let i = 0; i < f.length; i++) {
    if (!(level.a.w[i] > 0)) continue;
    let xx = 0;
    let xy = 0;
    for (let d = 0; d < dim; d++) {
      const t = x.points[i * dim + d];
      xx += t * t;
      xy += t * mean[i * (dim + 1) + d];
    }
    const expected = 0.5 * xx - xy + 0.5 * mean[i * (dim + 1) + dim];
    total += level.a.w[i] * Math.exp(f[i] / eps + lse[i]) * expected;
  }
  return total;
}

/** Entropic OT_ε(α, β) (not debiased) and its potentials. */
export async function solveOT(engine: KernelEngine, x: PointArray3, y: PointArray3, options: SolveOTOptions): Promise<OTResult> {
  const s = await solveProblem(engine, x, y, options, false);
  const o = s.outcome;
  const result: OTResult = {
    ...s.diagnostics,
    f: toInputOrder(o.f, s.hierarchy.permX),
    g: toInputOrder(o.g, s.hierarchy.permY),
    cost: entropicCost(o.level.a, o.level.b, o.f, o.g, o.ratioX, o.eps, s.rho),
  };
  if (options.transportCost) {
    if (s.p !== 2) throw new RangeError('ot: the transport cost ⟨π, C⟩ is available for p = 2 only');
    result.transportCost = await transportCostOf(engine, s);
  }
  return result;
}

/** Debiased Sinkhorn divergence S_ε(α, β) = OT_ε(α,β) − ½OT_ε(α,α) − ½OT_ε(β,β), with optional gradients. */
export async function sinkhornDivergence(engine: KernelEngine, x: PointArray3, y: PointArray3, options: DivergenceOptions): Promise<DivergenceResult> {
  const want = options.gradient === true ? { x: true, a: true } : options.gradient || {};
  const s = await solveProblem(engine, x, y, options, true);
  const o = s.outcome;
  const L = o.level;
  const { eps } = o;
  const pSelf = o.p!;
  const qSelf = o.q!;
  const value =
    entropicCost(L.a, L.b, o.f, o.g, o.ratioX, eps, s.rho) -
    0.5 * selfEntropicCost(L.a, pSelf, o.ratioXX!, eps, s.rho) -
    0.5 * selfEntropicCost(L.b, qSelf, o.ratioYY!, eps, s.rho);
  const result: DivergenceResult = { ...s.diagnostics, value };
  const { permX, permY } = s.hierarchy;
  if (want.a) result.gradA = toInputOrder(massGradient(L.a, L.b, o.f, pSelf, o.ratioX, o.ratioXX!, eps, s.rho), permX);
  if (want.b) result.gradB = toInputOrder(massGradient(L.b, L.a, o.g, qSelf, o.ratioY, o.ratioYY!, eps, s.rho), permY);
  if (want.x) {
    const gx = await pointGradient(engine, eps, s.p, L.x, L.a, o.f, pSelf, L.y, L.b, o.g, o.sparsity.xy, o.sparsity.xx);
    result.gradX = toInputOrder(gx, permX, 3);
  }
  if (want.y) {
    const gy = await pointGradient(engine, eps, s.p, L.y, L.b, o.g, qSelf, L.x, L.a, o.f, o.sparsity.yx, o.sparsity.yy);
    result.gradY = toInputOrder(gy, permY, 3);
  }
  return result;
}

/** RobOT matching: barycentric projection of every x point onto y, its confidence, optionally hard matches. */
export async function match(engine: KernelEngine, x: PointArray3, y: PointArray3, options: MatchOptions): Promise<MatchResult> {
  const s = await solveProblem(engine, x, y, options, false);
  const o = s.outcome;
  const L = o.level;
  const { permX, permY } = s.hierarchy;
  const bm = await barycentricMatch(engine, o.eps, s.p, L.x, L.y, L.b, o.f, o.g, o.sparsity.xy);
  const centre = s.clouds.centre;
  for (let i = 0; i < bm.confidence.length; i++) for (let c = 0; c < 3; c++) bm.matched[3 * i + c] += centre[c];
  const result: MatchResult = {
    ...s.diagnostics,
    matched: toInputOrder(bm.matched, permX, 3),
    confidence: toInputOrder(bm.confidence, permX),
    cost: entropicCost(L.a, L.b, o.f, o.g, o.ratioX, o.eps, s.rho),
    f: toInputOrder(o.f, permX),
    g: toInputOrder(o.g, permY),
  };
  if (options.hard) {
    const sortedIndex = await hardMatches(engine, o.eps, s.p, L.x, L.y, L.b, o.g);
    const hardIndex = new Int32Array(sortedIndex.length);
    for (let k = 0; k < sortedIndex.length; k++) hardIndex[permX[k]] = sortedIndex[k] < 0 ? -1 : permY[sortedIndex[k]];
    result.hardIndex = hardIndex;
  }
  return result;
}

/**
 * The k largest entries π_ij of the requested rows (input indices), from potentials returned by solveOT or
 * match with the same x, y and options (masses, blur, p, features).
 */
export function planRows(
  x: PointArray3,
  y: PointArray3,
  potentials: { f: Float64Array; g: Float64Array },
  options: Pick<OTOptions, 'a' | 'b' | 'blur' | 'p' | 'features'>,
  rows: ArrayLike<number>,
  k: number,
): PlanRow[] {
  const p = options.p ?? 2;
  const clouds = augmentedClouds(x, y, options.features);
  const a = resolveMasses(options.a, clouds.n, 'a');
  const b = resolveMasses(options.b, clouds.m, 'b');
  if (potentials.f.length !== clouds.n || potentials.g.length !== clouds.m) throw new RangeError('ot: potentials do not match the clouds');
  return planRowsOf(rows, k, epsilonOfBlur(options.blur, p), p, clouds.x, clouds.y, a, b, potentials.f, potentials.g);
}
