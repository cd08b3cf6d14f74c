/**
 * Hausdorff distance and its robust 95 % variant between shapes A and B, in mm:
 *   HD(A, B)   = max( max_{a∈A} d(a, B),  max_{b∈B} d(b, A) )
 *   HD95(A, B) = max( P95_{a∈A} d(a, B),  P95_{b∈B} d(b, A) )
 * d is the point-to-surface distance when the other shape has triangles, else point-to-point (directed-
 * distance.ts), evaluated at the vertices / points of each shape — a vertex-sampled Hausdorff distance (the
 * continuous one can be larger, at points inside A's triangles). P95 is the 95th percentile with linear
 * interpolation between order statistics (numpy's default, quantileSorted of landmark-error.ts, the same rule as
 * the landmark p90), so HD95 of a set of n values equals what `numpy.percentile(d, 95)` gives for each direction.
 * HD95 as the max of the two directed percentiles follows the medical segmentation convention (e.g. MONAI's
 * `compute_hausdorff_distance(…, percentile=95)` with `directed=False`).
 */
import type { Shape } from '../shape/index.ts';
import { directedDistances } from './directed-distance.ts';
import { quantileSorted } from './landmark-error.ts';

/** The q-quantile (0 ≤ q ≤ 1) of a set of finite distances, linear interpolation. */
export function directedPercentile(distancesMm: ArrayLike<number>, q: number): number {
  if (distancesMm.length === 0) throw new RangeError('percentile of an empty set');
  const sorted = Float64Array.from(distancesMm).sort();
  if (!Number.isFinite(sorted[0]) || !Number.isFinite(sorted[sorted.length - 1])) throw new RangeError('distances include non-finite values');
  return quantileSorted(sorted, q);
}

/** HD from the two directed distance sets. */
export function hausdorffFromDirected(aToBMm: ArrayLike<number>, bToAMm: ArrayLike<number>): number {
  return Math.max(directedPercentile(aToBMm, 1), directedPercentile(bToAMm, 1));
}

/** HD at percentile q (0.95 for HD95) from the two directed distance sets. */
export function percentileHausdorffFromDirected(aToBMm: ArrayLike<number>, bToAMm: ArrayLike<number>, q = 0.95): number {
  return Math.max(directedPercentile(aToBMm, q), directedPercentile(bToAMm, q));
}

export interface HausdorffDistances {
  hausdorffMm: number;
  hausdorff95Mm: number;
}

/** HD(A, B) and HD95(A, B), mm. */
export function hausdorffDistance(a: Pick<Shape, 'pointsLps' | 'triangles'>, b: Pick<Shape, 'pointsLps' | 'triangles'>): HausdorffDistances {
  const ab = directedDistances(a, b).distanceMm;
  const ba = directedDistances(b, a).distanceMm;
  return { hausdorffMm: hausdorffFromDirected(ab, ba), hausdorff95Mm: percentileHausdorffFromDirected(ab, ba, 0.95) };
}
