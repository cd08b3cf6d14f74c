/**
 * Directed distance from the points of shape A to shape B, the building block of chamfer and Hausdorff distances:
 *   d(a, B) = distance from a to the triangle surface of B   when B has triangles (point-to-surface.ts)
 *   d(a, B) = distance from a to the nearest point of B       when B is a point set (point-to-points.ts)
 * A contributes its vertices / points only (its triangles, if any, are not sampled further).
 */
import type { Shape } from '../shape/index.ts';
import { PointLocator } from './point-to-points.ts';
import { SurfaceLocator } from './point-to-surface.ts';

/** How d(a, B) was measured. */
export type DistanceMethod = 'point-to-surface' | 'point-to-point';

export interface DirectedDistances {
  method: DistanceMethod;
  /** d(a_i, B) for every point a_i of A, mm. */
  distanceMm: Float64Array;
  /** Signed d(a_i, B), positive outside B; only for 'point-to-surface' and when asked for. */
  signedDistanceMm?: Float64Array;
}

export interface DirectedDistanceOptions {
  /** Compute signed distances too (surfaces only). Default false. */
  signed?: boolean;
}

/** True when `shape` has at least one triangle, so distances to it are point-to-surface. */
export function hasTriangles<S extends Pick<Shape, 'triangles'>>(shape: S): shape is S & { triangles: Uint32Array } {
  return shape.triangles !== undefined && shape.triangles.length > 0;
}

/** d(a, B) for every point a of `from`, measured to `to` (its surface, or its points when it has no triangles). */
export function directedDistances(from: Pick<Shape, 'pointsLps'>, to: Pick<Shape, 'pointsLps' | 'triangles'>, options: DirectedDistanceOptions = {}): DirectedDistances {
  if (from.pointsLps.length === 0) throw new RangeError('directed distance: the first shape has no points');
  if (hasTriangles(to)) {
    const r = SurfaceLocator.build({ pointsLps: to.pointsLps, triangles: to.triangles }).query(from.pointsLps, { signed: options.signed });
    return r.signedDistanceMm
      ? { method: 'point-to-surface', distanceMm: r.distanceMm, signedDistanceMm: r.signedDistanceMm }
      : { method: 'point-to-surface', distanceMm: r.distanceMm };
  }
  return { method: 'point-to-point', distanceMm: PointLocator.build(to.pointsLps).query(from.pointsLps).distanceMm };
}
