/**
 * Landmark error (target registration error, TRE): the Euclidean distance between corresponding landmarks,
 * and the summary statistics registration papers report.
 *
 * Conventions, chosen so that the DIR-Lab COPDGene reference values are reproduced (Castillo et al., Phys. Med.
 * Biol. 58 (2013) 2861, table of initial landmark errors; `cases.json` of the shared data):
 * - `std` is the POPULATION standard deviation (divide by n). For copd1 it gives 11.418 mm, published 11.42;
 *   the sample SD (n − 1) gives 11.437 and would round to 11.44. The same holds for copd2–5.
 * - `p90` interpolates linearly between order statistics: rank h = (n − 1)·0.9 (0-based), value
 *   x[⌊h⌋] + (h − ⌊h⌋)(x[⌊h⌋+1] − x[⌊h⌋]), numpy's default `percentile(…, method='linear')`.
 * - `median` is the mean of the two middle values when n is even (the same rule at 0.5).
 */

/** Summary of a set of landmark errors, all in mm. */
export interface ErrorSummary {
  n: number;
  mean: number;
  median: number;
  /** Population standard deviation (divides by n). */
  std: number;
  /** 90th percentile, linear interpolation between order statistics. */
  p90: number;
  max: number;
}

/**
 * Per-landmark Euclidean distances between two interleaved xyz arrays (same frame, mm; row k of `aLps` pairs
 * with row k of `bLps`). Throws when the counts differ, naming both.
 */
export function landmarkErrors(aLps: Float64Array, bLps: Float64Array): Float64Array {
  if (aLps.length % 3 !== 0 || bLps.length % 3 !== 0) {
    throw new Error(`landmark arrays must hold xyz triples, got ${aLps.length} and ${bLps.length} numbers`);
  }
  const n = aLps.length / 3;
  if (bLps.length / 3 !== n) throw new Error(`landmark counts differ: ${n} vs ${bLps.length / 3}`);
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const dx = aLps[3 * i] - bLps[3 * i];
    const dy = aLps[3 * i + 1] - bLps[3 * i + 1];
    const dz = aLps[3 * i + 2] - bLps[3 * i + 2];
    d[i] = Math.sqrt(dx * dx + dy * dy + dz * dz);
  }
  return d;
}

/** The q-quantile (0 ≤ q ≤ 1) of ascending `sorted`, linear interpolation between order statistics. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) throw new Error('quantile of an empty set');
  if (!(q >= 0 && q <= 1)) throw new Error(`quantile ${q} outside [0, 1]`);
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** n, mean, median, population SD, 90th percentile and max of `d`. Throws on an empty set or a non-finite value. */
export function summarizeErrors(d: ArrayLike<number>): ErrorSummary {
  const n = d.length;
  if (n === 0) throw new Error('no landmark errors to summarise');
  const sorted = Float64Array.from(d).sort();
  if (!Number.isFinite(sorted[0]) || !Number.isFinite(sorted[n - 1])) throw new Error('landmark errors include non-finite values');
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i];
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (sorted[i] - mean) ** 2;
  return {
    n,
    mean,
    median: quantileSorted(sorted, 0.5),
    std: Math.sqrt(ss / n),
    p90: quantileSorted(sorted, 0.9),
    max: sorted[n - 1],
  };
}
