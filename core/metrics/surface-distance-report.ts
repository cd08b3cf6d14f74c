/**
 * One plain, JSON-able summary of how far apart two shapes are — what the pipeline's report and the app's metrics
 * table show after a registration (warped moving shape A against fixed shape B):
 * - A→B and B→A: summaries of the absolute directed distances d(a, B), d(b, A) (directed-distance.ts: point-to-
 *   surface when the other shape has triangles, else point-to-point), and of the signed distances (positive outside
 *   the other surface, pseudo-normal sign; only towards a surface);
 * - chamferMm = ½(mean d(a, B) + mean d(b, A)) (chamfer.ts);
 * - hausdorffMm = max of both directed maxima, hausdorff95Mm = max of both directed 95th percentiles (hausdorff.ts).
 * Percentiles interpolate linearly between order statistics (quantileSorted, numpy's default); SDs are population
 * SDs, as in summarizeErrors. All values in mm.
 */
import type { Shape } from '../shape/index.ts';
import { chamferFromDirected } from './chamfer.ts';
import { directedDistances, type DirectedDistances, type DistanceMethod } from './directed-distance.ts';
import { hausdorffFromDirected, percentileHausdorffFromDirected } from './hausdorff.ts';
import { quantileSorted, summarizeErrors } from './landmark-error.ts';

/** Summary of absolute distances, mm. */
export interface AbsoluteDistanceSummary {
  n: number;
  meanMm: number;
  medianMm: number;
  /** Population SD. */
  stdMm: number;
  p95Mm: number;
  maxMm: number;
}

/** Summary of signed distances (positive outside the other surface), mm. */
export interface SignedDistanceSummary {
  n: number;
  meanMm: number;
  medianMm: number;
  /** Population SD. */
  stdMm: number;
  minMm: number;
  /** 5th and 95th percentiles. */
  p5Mm: number;
  p95Mm: number;
  maxMm: number;
  /** Fraction of points with a negative signed distance (inside the other surface). */
  insideFraction: number;
}

/** Distances from the points of one shape to the other. */
export interface DirectedDistanceSummary {
  method: DistanceMethod;
  absolute: AbsoluteDistanceSummary;
  /** Signed distances; null when the other shape has no triangles. */
  signed: SignedDistanceSummary | null;
}

export interface SurfaceDistanceReport {
  aToB: DirectedDistanceSummary;
  bToA: DirectedDistanceSummary;
  chamferMm: number;
  hausdorffMm: number;
  hausdorff95Mm: number;
}

/** Absolute-distance summary (reuses summarizeErrors for n, mean, median, SD and max). */
export function summarizeAbsolute(distanceMm: ArrayLike<number>): AbsoluteDistanceSummary {
  const s = summarizeErrors(distanceMm);
  const sorted = Float64Array.from(distanceMm).sort();
  return { n: s.n, meanMm: s.mean, medianMm: s.median, stdMm: s.std, p95Mm: quantileSorted(sorted, 0.95), maxMm: s.max };
}

/** Signed-distance summary. Throws on an empty set or a non-finite value. */
export function summarizeSigned(signedMm: ArrayLike<number>): SignedDistanceSummary {
  const n = signedMm.length;
  if (n === 0) throw new RangeError('no signed distances to summarise');
  const sorted = Float64Array.from(signedMm).sort();
  if (!Number.isFinite(sorted[0]) || !Number.isFinite(sorted[n - 1])) throw new RangeError('signed distances include non-finite values');
  let sum = 0;
  let inside = 0;
  for (let i = 0; i < n; i++) {
    sum += sorted[i];
    if (sorted[i] < 0) inside++;
  }
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (sorted[i] - mean) ** 2;
  return {
    n,
    meanMm: mean,
    medianMm: quantileSorted(sorted, 0.5),
    stdMm: Math.sqrt(ss / n),
    minMm: sorted[0],
    p5Mm: quantileSorted(sorted, 0.05),
    p95Mm: quantileSorted(sorted, 0.95),
    maxMm: sorted[n - 1],
    insideFraction: inside / n,
  };
}

function summarizeDirected(d: DirectedDistances): DirectedDistanceSummary {
  return { method: d.method, absolute: summarizeAbsolute(d.distanceMm), signed: d.signedDistanceMm ? summarizeSigned(d.signedDistanceMm) : null };
}

/** The distance summary of shapes A and B (both directions, chamfer, Hausdorff, HD95). */
export function surfaceDistanceReport(a: Pick<Shape, 'pointsLps' | 'triangles'>, b: Pick<Shape, 'pointsLps' | 'triangles'>): SurfaceDistanceReport {
  const ab = directedDistances(a, b, { signed: true });
  const ba = directedDistances(b, a, { signed: true });
  return {
    aToB: summarizeDirected(ab),
    bToA: summarizeDirected(ba),
    chamferMm: chamferFromDirected(ab.distanceMm, ba.distanceMm),
    hausdorffMm: hausdorffFromDirected(ab.distanceMm, ba.distanceMm),
    hausdorff95Mm: percentileHausdorffFromDirected(ab.distanceMm, ba.distanceMm, 0.95),
  };
}
