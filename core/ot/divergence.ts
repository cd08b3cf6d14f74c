/**
 * Entropic OT cost and debiased Sinkhorn divergence from solved potentials.
 *
 * Primal (GeomLoss / Séjourné et al. 2019, "Sinkhorn divergences for unbalanced optimal transport"):
 *   OT_ε(α, β) = min_π ⟨π, C⟩ + ε KL(π | a⊗b) + ρ KL(π1 | a) + ρ KL(πᵀ1 | b)
 * with the generalised KL(p | q) = Σ p log(p/q) − p + q; balanced: π1 = a, πᵀ1 = b instead of the ρ terms.
 * Dual: with φ(u) = u (balanced) or φ(u) = ρ(1 − e^{−u/ρ}) (= −φ*(−u) for the entropy ρ KL),
 *   OT_ε(α, β) = max_{f,g} ⟨a, φ(f)⟩ + ⟨b, φ(g)⟩ − ε ⟨a⊗b, exp((f ⊕ g − C)/ε) − 1⟩
 *             = ⟨a, φ(f)⟩ + ⟨b, φ(g)⟩ − ε (m(π) − m_a m_b)                     (★)
 * where m(π) is the total mass of the plan π_ij = a_i b_j exp((f_i + g_j − C_ij)/ε). We evaluate (★) with m(π)
 * measured on the actual plan (Σ a_i · π1_i/a_i, sinkhorn.ts); (★) is then the dual objective itself, which is
 * stationary at the optimum, so its error is second order in the potentials' error.
 *
 * At the optimum, π1 = a·e^{−f/ρ} and πᵀ1 = b·e^{−g/ρ}; splitting m(π) = ½⟨a, e^{−f/ρ}⟩ + ½⟨b, e^{−g/ρ}⟩ gives the
 * closed form of GeomLoss's `sinkhorn_cost` (debias=False):
 *   OT_ε = (ρ + ε/2) [⟨a, 1 − e^{−f/ρ}⟩ + ⟨b, 1 − e^{−g/ρ}⟩] − (ε/2)(m_a + m_b) + ε m_a m_b
 * — the factor ρ + ε/2 of GeomLoss's `UnbalancedWeight.forward` is right for the VALUE; its mass terms are
 * dropped by GeomLoss. For the divergence they leave
 *   S_ε = (ρ + ε/2) [⟨a, e^{−p/ρ} − e^{−f/ρ}⟩ + ⟨b, e^{−q/ρ} − e^{−g/ρ}⟩] − (ε/2)(m_a − m_b)²
 * (Séjourné et al., Prop. 12; GeomLoss omits the last term). Balanced (m_a = m_b = 1): OT_ε = ⟨a, f⟩ + ⟨b, g⟩ and
 * S_ε = ⟨a, f − p⟩ + ⟨b, g − q⟩ (Feydy's thesis eq. 3.207, 3.209).
 */
import type { Masses } from './masses.ts';

/** φ(u) of the dual objective. */
export function phi(u: number, rho: number | null): number {
  return rho === null ? u : rho * -Math.expm1(-u / rho);
}

/** Plan mass m(π) = Σ a_i (π1_i / a_i). */
export function planMass(a: Masses, ratio: Float64Array): number {
  let m = 0;
  for (let i = 0; i < ratio.length; i++) if (a.w[i] > 0) m += a.w[i] * ratio[i];
  return m;
}

function sumPhi(w: Float64Array, u: Float64Array, rho: number | null): number {
  let acc = 0;
  for (let i = 0; i < u.length; i++) if (w[i] > 0) acc += w[i] * phi(u[i], rho);
  return acc;
}

/** OT_ε(α, β) by (★). `ratioX` = π1/a of the plan of (f, g). */
export function entropicCost(a: Masses, b: Masses, f: Float64Array, g: Float64Array, ratioX: Float64Array, eps: number, rho: number | null): number {
  return sumPhi(a.w, f, rho) + sumPhi(b.w, g, rho) - eps * (planMass(a, ratioX) - a.total * b.total);
}

/** OT_ε(α, α) by (★) with f = g = p (the symmetric solution). */
export function selfEntropicCost(a: Masses, p: Float64Array, ratio: Float64Array, eps: number, rho: number | null): number {
  return 2 * sumPhi(a.w, p, rho) - eps * (planMass(a, ratio) - a.total * a.total);
}
