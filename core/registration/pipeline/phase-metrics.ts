/**
 * Metrics of one phase of the pipeline (before any step, after each step): landmark error (TRE) when landmarks
 * are given, the surface distance between the warped moving shape and the fixed one (both directions, chamfer,
 * Hausdorff and HD95, signed where the other side is a surface), and the vertex error when the two shapes share a
 * vertex numbering (same vertex count, e.g. FreeSurfer white/pial). Distances are measured from an evenly strided
 * subsample of each shape's vertices (at most SAMPLE_POINTS) to the other shape's full surface, which keeps a
 * phase to a fraction of a second on 10⁵-vertex lung surfaces; the report says how many points were measured.
 */
import { chamferFromDirected } from '../../metrics/chamfer.ts';
import { hausdorffFromDirected, percentileHausdorffFromDirected } from '../../metrics/hausdorff.ts';
import { landmarkErrors, summarizeErrors, type ErrorSummary } from '../../metrics/landmark-error.ts';
import { PointLocator } from '../../metrics/point-to-points.ts';
import { SurfaceLocator } from '../../metrics/point-to-surface.ts';
import { summarizeAbsolute, summarizeSigned, type AbsoluteDistanceSummary, type SignedDistanceSummary } from '../../metrics/surface-distance-report.ts';
import type { Shape } from '../../shape/index.ts';

/** Vertices measured per direction. */
export const SAMPLE_POINTS = 6000;

export interface DirectedSummary {
  method: 'point-to-surface' | 'point-to-point';
  absolute: AbsoluteDistanceSummary;
  signed?: SignedDistanceSummary;
}

export interface SurfaceMetrics {
  movingToFixed: DirectedSummary;
  fixedToMoving: DirectedSummary;
  chamferMm: number;
  hausdorffMm: number;
  hausdorff95Mm: number;
}

export interface PhaseMetrics {
  tre?: ErrorSummary;
  surfaceDistance: SurfaceMetrics;
  vertexError?: ErrorSummary;
}

/** Every k-th vertex, at most `count` (deterministic). */
export function stridedPoints(points: Float64Array, count: number): Float64Array {
  const n = points.length / 3;
  if (n <= count) return points;
  const out = new Float64Array(3 * count);
  const step = n / count;
  for (let k = 0; k < count; k++) out.set(points.subarray(3 * Math.floor(k * step), 3 * Math.floor(k * step) + 3), 3 * k);
  return out;
}

/** A reusable distance target: a surface (triangles) or a point set. */
export class DistanceTarget {
  private constructor(
    private readonly surface?: SurfaceLocator,
    private readonly points?: PointLocator,
  ) {}

  static of(shape: Pick<Shape, 'pointsLps' | 'triangles'>): DistanceTarget {
    return shape.triangles && shape.triangles.length > 0
      ? new DistanceTarget(SurfaceLocator.build({ pointsLps: shape.pointsLps, triangles: shape.triangles }))
      : new DistanceTarget(undefined, PointLocator.build(shape.pointsLps));
  }

  /** The same shape with its points moved (a warped copy, same triangles): the surface's search tree is refitted. */
  moved(pointsLps: Float64Array): DistanceTarget {
    return this.surface ? new DistanceTarget(this.surface.moved(pointsLps)) : new DistanceTarget(undefined, PointLocator.build(pointsLps));
  }

  measure(queryLps: Float64Array): { distanceMm: Float64Array; signedMm?: Float64Array; method: DirectedSummary['method'] } {
    if (this.surface) {
      const r = this.surface.query(queryLps, { signed: true });
      return { distanceMm: r.distanceMm, signedMm: r.signedDistanceMm, method: 'point-to-surface' };
    }
    return { distanceMm: this.points!.query(queryLps).distanceMm, method: 'point-to-point' };
  }
}

function directed(d: ReturnType<DistanceTarget['measure']>): DirectedSummary {
  return d.signedMm ? { method: d.method, absolute: summarizeAbsolute(d.distanceMm), signed: summarizeSigned(d.signedMm) } : { method: d.method, absolute: summarizeAbsolute(d.distanceMm) };
}

/**
 * Surface distances between the warped moving shape and the fixed shape (`fixedTarget` built once; `warpedTarget`,
 * the warped shape's own, e.g. the moving shape's target moved to the warped points).
 */
export function surfaceMetrics(
  warped: Pick<Shape, 'pointsLps' | 'triangles'>,
  fixed: Pick<Shape, 'pointsLps'>,
  fixedTarget: DistanceTarget,
  warpedTarget: DistanceTarget = DistanceTarget.of(warped),
): SurfaceMetrics {
  const ab = fixedTarget.measure(stridedPoints(warped.pointsLps, SAMPLE_POINTS));
  const ba = warpedTarget.measure(stridedPoints(fixed.pointsLps, SAMPLE_POINTS));
  return {
    movingToFixed: directed(ab),
    fixedToMoving: directed(ba),
    chamferMm: chamferFromDirected(ab.distanceMm, ba.distanceMm),
    hausdorffMm: hausdorffFromDirected(ab.distanceMm, ba.distanceMm),
    hausdorff95Mm: percentileHausdorffFromDirected(ab.distanceMm, ba.distanceMm, 0.95),
  };
}

export interface PhaseInputs {
  warpedShape: Shape;
  fixedShape: Shape;
  fixedTarget: DistanceTarget;
  /** The warped shape's distance target, when the caller keeps one (default: built from warpedShape). */
  warpedTarget?: DistanceTarget;
  /** Moving landmarks mapped by the phase's deformation, and the fixed ones. */
  warpedLandmarksLps?: Float64Array;
  fixedLandmarksLps?: Float64Array;
}

/**
 * Two meshes correspond vertex by vertex only when they share one triangulation (FreeSurfer white/pial, a shape and
 * its deformed copy). An equal vertex count alone is not enough: two decimated lung surfaces of 2000 vertices
 * each have unrelated numberings, and a "vertex error" between them would be meaningless.
 */
export function sharesVertexNumbering(a: Shape, b: Shape): boolean {
  const ta = a.triangles;
  const tb = b.triangles;
  if (a.pointsLps.length !== b.pointsLps.length || !ta || !tb || ta.length === 0 || ta.length !== tb.length) return false;
  for (let t = 0; t < ta.length; t++) if (ta[t] !== tb[t]) return false;
  return true;
}

export function phaseMetrics(p: PhaseInputs): PhaseMetrics {
  const out: PhaseMetrics = { surfaceDistance: surfaceMetrics(p.warpedShape, p.fixedShape, p.fixedTarget, p.warpedTarget) };
  if (p.warpedLandmarksLps && p.fixedLandmarksLps) out.tre = summarizeErrors(landmarkErrors(p.warpedLandmarksLps, p.fixedLandmarksLps));
  if (sharesVertexNumbering(p.warpedShape, p.fixedShape)) {
    out.vertexError = summarizeErrors(landmarkErrors(p.warpedShape.pointsLps, p.fixedShape.pointsLps));
  }
  return out;
}
