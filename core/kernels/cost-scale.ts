/**
 * The scale λ of the cost term in the float32 engines' scores h_j − λ·c(x_i, y_j): c = |x − y|², λ = 1/(2ε) for
 * p = 2; c = |x − y|, λ = 1/ε for p = 1 (types.ts's C/ε). Capped at float32's largest value: an infinite scale
 * (ε that underflows) would make ∞·0 = NaN for coincident points.
 */
import type { CostExponent } from './types.ts';

/** float32's largest finite value. */
export const FLOAT32_MAX = 3.4028234663852886e38;

export function costScale(p: CostExponent, eps: number): number {
  return Math.min(p === 2 ? 0.5 / eps : 1 / eps, FLOAT32_MAX);
}
