/**
 * Gradient of the Sinkhorn divergence S_ε(α, β) with respect to the points and the masses, in closed form by
 * the envelope theorem (Feydy et al. 2019, §3; GeomLoss's custom backward; Séjourné et al. 2019).
 *
 * OT_ε(α, β) is the maximum over (f, g) of the dual objective
 *   D(f, g; a, x, b, y) = ⟨a, φ(f)⟩ + ⟨b, φ(g)⟩ − ε Σ_ij a_i b_j (exp((f_i + g_j − C(x_i, y_j))/ε) − 1),
 * φ(u) = u (balanced) or ρ(1 − e^{−u/ρ}). At the optimum its derivatives are the partial derivatives of D at fixed
 * (f, g). With π the plan and r_i = π1_i / a_i:
 *
 * Masses:   ∂OT_ε(α,β)/∂a_i = φ(f_i) − ε (r_i − m_b).
 *   The symmetric OT_ε(α, α) has a in both slots: ∂/∂a_i = 2 [φ(p_i) − ε (r^aa_i − m_a)]. Hence
 *   ∂S/∂a_i = φ(f_i) − φ(p_i) − ε (r_i − r^aa_i) + ε (m_b − m_a).
 *   At the optimum, unbalanced: r = e^{−f/ρ} and φ(f) = ρ − ρ e^{−f/ρ}, so
 *       ∂S/∂a_i = (ρ + ε)(e^{−p_i/ρ} − e^{−f_i/ρ}) + ε (m_b − m_a).
 *   The factor is ρ + ε (GeomLoss's `UnbalancedWeight.backward`), not the ρ + ε/2 of the value's closed form
 *   (divergence.ts): that closed form equals D only at the optimum and is not stationary in (f, g), so
 *   differentiating it at fixed potentials — the slip — misses the ε/2 carried by the plan-mass term. The last
 *   term ε(m_b − m_a) is the derivative of the −(ε/2)(m_a − m_b)² that GeomLoss's value omits.
 *   Balanced (r = 1, m_a = m_b): ∂S/∂a_i = f_i − p_i, defined up to a constant (only mass-preserving
 *   perturbations are admissible).
 *
 * Points (p = 2, ∂C/∂x_i = x_i − y_j):
 *   ∂OT_ε(α,β)/∂x_i = Σ_j π_ij (x_i − y_j) = a_i r_i (x_i − T_ab(x_i)),  T_ab(x_i) = Σ_j π_ij y_j / Σ_j π_ij,
 *   ∂S/∂x_i = a_i r_i (x_i − T_ab(x_i)) − a_i r^aa_i (x_i − T_aa(x_i))      (= a_i (T_aa − T_ab) when r = 1).
 * With features, only the xyz part moves: the feature coordinates are held fixed and T averages xyz only.
 * For p = 1 the gradient Σ_j π_ij (x_i − y_j)/|x_i − y_j| is not a softmax-weighted mean of per-point values,
 * which the engines do not provide: points gradients are p = 2 only.
 *
 * Everything is verified against finite differences in test/unit/ot/gradient.test.ts.
 */
import type { BlockSparsity, Cloud, CostExponent, KernelEngine } from '../kernels/types.ts';
import { phi } from './divergence.ts';
import type { Masses } from './masses.ts';
import { logWeightsPlus } from './multiscale/truncation.ts';
import { leadingCoordinates, rowMeans } from './weighted-mean.ts';

/** ∂S/∂a (or ∂S/∂b by symmetry). */
export function massGradient(
  a: Masses,
  b: Masses,
  f: Float64Array,
  p: Float64Array,
  ratio: Float64Array,
  ratioSelf: Float64Array,
  eps: number,
  rho: number | null,
): Float64Array {
  const out = new Float64Array(f.length);
  const shift = eps * (b.total - a.total);
  for (let i = 0; i < f.length; i++) {
    out[i] = phi(f[i], rho) - phi(p[i], rho) - eps * (ratio[i] - ratioSelf[i]) + shift;
  }
  return out;
}

/** a_i r_i (x_i − T(x_i)) for the plan of `x` against `source` with potential `sourcePot`; r from the same pass. */
async function pointTerm(
  engine: KernelEngine,
  eps: number,
  p: CostExponent,
  x: Cloud,
  a: Masses,
  f: Float64Array,
  source: Cloud,
  sourceLogW: Float64Array,
  sourcePot: Float64Array,
  sparsity: BlockSparsity | undefined,
): Promise<Float64Array> {
  const n = f.length;
  const h = logWeightsPlus(sourceLogW, sourcePot, eps);
  const { lse, mean } = await rowMeans(engine, eps, p, x, source, h, leadingCoordinates(source, 3), 3, sparsity);
  const out = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) {
    if (!(a.w[i] > 0)) continue;
    const weight = a.w[i] * Math.exp(f[i] / eps + lse[i]);
    for (let c = 0; c < 3; c++) out[3 * i + c] = weight * (x.points[i * x.dim + c] - mean[3 * i + c]);
  }
  return out;
}

/**
 * ∂S/∂x (N × 3): `f` on x against (y, b, g) and `p` on x against itself. Both plans' row masses are recomputed
 * in the same pass as their barycentres, so the two factors are consistent.
 */
export async function pointGradient(
  engine: KernelEngine,
  eps: number,
  p: CostExponent,
  x: Cloud,
  a: Masses,
  f: Float64Array,
  pSelf: Float64Array,
  y: Cloud,
  b: Masses,
  g: Float64Array,
  sparsityXY: BlockSparsity | undefined,
  sparsityXX: BlockSparsity | undefined,
): Promise<Float64Array> {
  if (p !== 2) throw new RangeError('ot: point gradients are available for p = 2 only');
  const cross = await pointTerm(engine, eps, p, x, a, f, y, b.logW, g, sparsityXY);
  const self = await pointTerm(engine, eps, p, x, a, pSelf, x, a.logW, pSelf, sparsityXX);
  for (let k = 0; k < cross.length; k++) cross[k] -= self[k];
  return cross;
}
