/**
 * Ground cost of the transport problem, GeomLoss conventions (Feydy et al. 2019):
 *   p = 2: C(x, y) = ½ |x − y|²        p = 1: C(x, y) = |x − y|
 * and the scales derived from user-facing lengths: ε = blurᵖ (entropic temperature), ρ = reachᵖ (marginal
 * penalty of the unbalanced problem). The kernel engines evaluate C themselves; this file holds the scalar
 * forms for the JS-side bookkeeping (cluster bounds, sparse plan rows).
 */
import type { CostExponent } from '../kernels/types.ts';

/** C as a function of the distance d ≥ 0. */
export function costOfDistance(p: CostExponent, d: number): number {
  return p === 2 ? 0.5 * d * d : d;
}

/** C as a function of the squared distance. */
export function costOfDistance2(p: CostExponent, d2: number): number {
  return p === 2 ? 0.5 * d2 : Math.sqrt(d2);
}

/** ε = blurᵖ. */
export function epsilonOfBlur(blur: number, p: CostExponent): number {
  return p === 2 ? blur * blur : blur;
}

/** ρ = reachᵖ, or null (balanced) for a null/undefined/infinite reach. */
export function rhoOfReach(reach: number | null | undefined, p: CostExponent): number | null {
  if (reach === null || reach === undefined || reach === Infinity) return null;
  return p === 2 ? reach * reach : reach;
}

/**
 * Damping of the unbalanced softmin updates, GeomLoss `dampening`: λ = 1 / (1 + ε/ρ) (λ = 1 balanced). It is the
 * exponent ρ/(ρ + ε) of Chizat et al.'s scaling algorithm (2018, "Scaling algorithms for unbalanced optimal
 * transport problems") written on log-domain potentials.
 */
export function damping(eps: number, rho: number | null): number {
  return rho === null ? 1 : 1 / (1 + eps / rho);
}
