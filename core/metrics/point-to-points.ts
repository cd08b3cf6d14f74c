/**
 * Point-to-point distance, the fallback of point-to-surface distances when B is a point set (vessel centrelines,
 * landmark clouds) rather than a surface:
 *   d(p, B) = min_j |p − b_j|
 * Exact, in float64, with the same AABB tree as the surface search (aabb-tree.ts; single points as zero-size
 * boxes), queries visited in Z-order (morton-order.ts) and each seeded with the previous answer. Ties go to the smaller index. The kernel engines' `knn` computes
 * the same in float32 and asynchronously; a metric should not depend on the engine, so it is not used here.
 */
import { AabbTree, type NearestHit, type PrimitiveDistance } from './aabb-tree.ts';
import { mortonOrder } from './morton-order.ts';

/** Per-query nearest points, in query order. */
export interface PointToPointsResult {
  /** min_j |p − b_j|, mm. */
  distanceMm: Float64Array;
  /** The nearest b_j, mm, LPS, interleaved xyz. */
  closestLps: Float64Array;
  /** Its index j. */
  pointIndex: Uint32Array;
}

class PointMetric implements PrimitiveDistance {
  constructor(private readonly points: ArrayLike<number>) {}

  distance2(j: number, px: number, py: number, pz: number): number {
    const q = this.points;
    const dx = px - q[3 * j];
    const dy = py - q[3 * j + 1];
    const dz = pz - q[3 * j + 2];
    return dx * dx + dy * dy + dz * dz;
  }
}

/** A point set prepared for repeated nearest-point queries. */
export class PointLocator {
  private readonly metric: PointMetric;
  private readonly hit: NearestHit = { index: -1, distance2: Infinity };

  private constructor(
    readonly pointsLps: ArrayLike<number>,
    readonly tree: AabbTree,
  ) {
    this.metric = new PointMetric(pointsLps);
  }

  /** Validates (whole triples, ≥ 1 point, finite) and builds the tree. */
  static build(pointsLps: ArrayLike<number>): PointLocator {
    if (pointsLps.length % 3 !== 0) throw new RangeError(`points must be xyz triples, got ${pointsLps.length} numbers`);
    if (pointsLps.length === 0) throw new RangeError('point set is empty');
    const n = pointsLps.length / 3;
    const boxes = new Float64Array(6 * n);
    for (let j = 0; j < n; j++) {
      for (let c = 0; c < 3; c++) {
        boxes[6 * j + c] = pointsLps[3 * j + c];
        boxes[6 * j + 3 + c] = pointsLps[3 * j + c];
      }
    }
    return new PointLocator(pointsLps, AabbTree.build(boxes, 8));
  }

  /** Index of the point nearest to (px, py, pz) (`hint` only speeds the search) and its squared distance. */
  nearest(px: number, py: number, pz: number, hint = -1): NearestHit {
    return this.tree.nearest(px, py, pz, this.metric, this.hit, hint);
  }

  /** Nearest points of every point of interleaved `queryLps`. */
  query(queryLps: ArrayLike<number>): PointToPointsResult {
    if (queryLps.length % 3 !== 0) throw new RangeError(`query points must be xyz triples, got ${queryLps.length} numbers`);
    const n = queryLps.length / 3;
    const distanceMm = new Float64Array(n);
    const closestLps = new Float64Array(3 * n);
    const pointIndex = new Uint32Array(n);
    const q = this.pointsLps;
    let hint = -1;
    const visit = mortonOrder(queryLps);
    for (let v = 0; v < n; v++) {
      const i = visit[v];
      const px = queryLps[3 * i];
      const py = queryLps[3 * i + 1];
      const pz = queryLps[3 * i + 2];
      if (!(Number.isFinite(px) && Number.isFinite(py) && Number.isFinite(pz))) throw new RangeError(`query point ${i} is not finite`);
      const j = this.nearest(px, py, pz, hint).index;
      hint = j;
      const cx = q[3 * j];
      const cy = q[3 * j + 1];
      const cz = q[3 * j + 2];
      distanceMm[i] = Math.hypot(px - cx, py - cy, pz - cz);
      closestLps[3 * i] = cx;
      closestLps[3 * i + 1] = cy;
      closestLps[3 * i + 2] = cz;
      pointIndex[i] = j;
    }
    return { distanceMm, closestLps, pointIndex };
  }
}

/** Nearest point of `targetLps` to every point of `queryLps` (builds a PointLocator; reuse one for many queries). */
export function pointToPointsDistance(queryLps: ArrayLike<number>, targetLps: ArrayLike<number>): PointToPointsResult {
  return PointLocator.build(targetLps).query(queryLps);
}
