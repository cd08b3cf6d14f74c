/**
 * What the engines write where a reduction has no finite term, and the bound every output is clamped to, so
 * that callers never see NaN or ±Infinity (float32 outputs).
 *
 * A softmin row is empty when every pair is masked: all its blocks dropped by the block sparsity, or all h_j
 * = −∞ (zero masses). The exact value would be +∞; 1e30 stands in for it — large enough to dominate any real
 * cost in mm², small enough that dividing it by ε ≥ 1e-8 still fits in float32.
 */

/** softmin of an empty row (the exact value is +∞). */
export const EMPTY_SOFTMIN = 1e30;

/** log-sum-exp of an empty row (the exact value is −∞); its weighted mean is 0. */
export const EMPTY_LSE = -1e30;

/** argmaxScore of a row with no finite score (its index is −1). */
export const EMPTY_SCORE = -1e30;

/** Every softmin / log-sum-exp / mean output is clamped to ±OUTPUT_LIMIT (just under float32's largest). */
export const OUTPUT_LIMIT = 3e38;

/** Clamps a float64 result into ±OUTPUT_LIMIT. */
export function clampOutput(value: number): number {
  return value > OUTPUT_LIMIT ? OUTPUT_LIMIT : value < -OUTPUT_LIMIT ? -OUTPUT_LIMIT : value;
}
