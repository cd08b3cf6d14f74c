/**
 * Exact closest point on a triangle to a point, and which feature of the triangle it lies on (Ericson, Real-Time
 * Collision Detection, 2005, §5.1.5 "Closest point on triangle to point").
 *
 * With ab = b − a, ac = c − a and p the query, the Voronoi regions of the triangle's features are tested in turn
 * using only dot products:
 *   d1 = ab·(p − a), d2 = ac·(p − a), d3 = ab·(p − b), d4 = ac·(p − b), d5 = ab·(p − c), d6 = ac·(p − c)
 *   vertex a:  d1 ≤ 0 and d2 ≤ 0                                    → a
 *   vertex b:  d3 ≥ 0 and d4 ≤ d3                                   → b
 *   edge ab:   vc = d1·d4 − d3·d2 ≤ 0, d1 ≥ 0, d3 ≤ 0               → a + d1/(d1 − d3) · ab
 *   vertex c:  d6 ≥ 0 and d5 ≤ d6                                   → c
 *   edge ac:   vb = d5·d2 − d1·d6 ≤ 0, d2 ≥ 0, d6 ≤ 0               → a + d2/(d2 − d6) · ac
 *   edge bc:   va = d3·d6 − d5·d4 ≤ 0, d4 − d3 ≥ 0, d5 − d6 ≥ 0     → b + (d4 − d3)/((d4 − d3) + (d5 − d6)) · (c − b)
 *   face:      otherwise                                            → a + vb/(va+vb+vc) · ab + vc/(va+vb+vc) · ac
 * (va, vb, vc are the unnormalised barycentric coordinates of the projection of p.)
 *
 * The feature matters for the SIGN of a distance: the pseudo-normal to use is the one of the feature that holds
 * the closest point (Bærentzen & Aanæs 2005; see pseudo-normals.ts).
 *
 * Degenerate triangles (coincident or collinear corners) would divide 0 by 0 in the edge or face branches; there
 * the closest point is taken on the three sides as segments instead, so the result is always finite.
 */

/** Which feature of triangle (a, b, c) holds the closest point. */
export const TriangleFeature = {
  face: 0,
  vertexA: 1,
  vertexB: 2,
  vertexC: 3,
  edgeAB: 4,
  edgeBC: 5,
  edgeCA: 6,
} as const;
export type TriangleFeature = (typeof TriangleFeature)[keyof typeof TriangleFeature];

/** Corner (0, 1, 2) of a vertex feature, or −1. */
export function featureCorner(feature: TriangleFeature): number {
  return feature >= 1 && feature <= 3 ? feature - 1 : -1;
}

/** Side (0 = ab, 1 = bc, 2 = ca, i.e. corner s to corner s + 1) of an edge feature, or −1. */
export function featureSide(feature: TriangleFeature): number {
  return feature >= 4 ? feature - 4 : -1;
}

/**
 * Closest point of the triangle with corners `xyz[3·ia …]`, `xyz[3·ib …]`, `xyz[3·ic …]` to (px, py, pz).
 * Writes the point into out[0..2] and returns the feature holding it. Allocation-free (hot loop of every query).
 */
export function closestPointOnTriangle(
  px: number,
  py: number,
  pz: number,
  xyz: ArrayLike<number>,
  ia: number,
  ib: number,
  ic: number,
  out: Float64Array,
): TriangleFeature {
  const ax = xyz[3 * ia];
  const ay = xyz[3 * ia + 1];
  const az = xyz[3 * ia + 2];
  const bx = xyz[3 * ib];
  const by = xyz[3 * ib + 1];
  const bz = xyz[3 * ib + 2];
  const cx = xyz[3 * ic];
  const cy = xyz[3 * ic + 1];
  const cz = xyz[3 * ic + 2];
  const abx = bx - ax;
  const aby = by - ay;
  const abz = bz - az;
  const acx = cx - ax;
  const acy = cy - ay;
  const acz = cz - az;

  const apx = px - ax;
  const apy = py - ay;
  const apz = pz - az;
  const d1 = abx * apx + aby * apy + abz * apz;
  const d2 = acx * apx + acy * apy + acz * apz;
  if (d1 <= 0 && d2 <= 0) return setPoint(out, ax, ay, az, TriangleFeature.vertexA);

  const bpx = px - bx;
  const bpy = py - by;
  const bpz = pz - bz;
  const d3 = abx * bpx + aby * bpy + abz * bpz;
  const d4 = acx * bpx + acy * bpy + acz * bpz;
  if (d3 >= 0 && d4 <= d3) return setPoint(out, bx, by, bz, TriangleFeature.vertexB);

  const vc = d1 * d4 - d3 * d2;
  if (vc <= 0 && d1 >= 0 && d3 <= 0) {
    const den = d1 - d3;
    if (!(den > 0)) return closestOnSides(px, py, pz, ax, ay, az, bx, by, bz, cx, cy, cz, out);
    const v = d1 / den;
    return setPoint(out, ax + v * abx, ay + v * aby, az + v * abz, TriangleFeature.edgeAB);
  }

  const cpx = px - cx;
  const cpy = py - cy;
  const cpz = pz - cz;
  const d5 = abx * cpx + aby * cpy + abz * cpz;
  const d6 = acx * cpx + acy * cpy + acz * cpz;
  if (d6 >= 0 && d5 <= d6) return setPoint(out, cx, cy, cz, TriangleFeature.vertexC);

  const vb = d5 * d2 - d1 * d6;
  if (vb <= 0 && d2 >= 0 && d6 <= 0) {
    const den = d2 - d6;
    if (!(den > 0)) return closestOnSides(px, py, pz, ax, ay, az, bx, by, bz, cx, cy, cz, out);
    const w = d2 / den;
    return setPoint(out, ax + w * acx, ay + w * acy, az + w * acz, TriangleFeature.edgeCA);
  }

  const va = d3 * d6 - d5 * d4;
  if (va <= 0 && d4 - d3 >= 0 && d5 - d6 >= 0) {
    const den = d4 - d3 + (d5 - d6);
    if (!(den > 0)) return closestOnSides(px, py, pz, ax, ay, az, bx, by, bz, cx, cy, cz, out);
    const w = (d4 - d3) / den;
    return setPoint(out, bx + w * (cx - bx), by + w * (cy - by), bz + w * (cz - bz), TriangleFeature.edgeBC);
  }

  const sum = va + vb + vc;
  if (!(sum > 0)) return closestOnSides(px, py, pz, ax, ay, az, bx, by, bz, cx, cy, cz, out);
  const v = vb / sum;
  const w = vc / sum;
  return setPoint(out, ax + abx * v + acx * w, ay + aby * v + acy * w, az + abz * v + acz * w, TriangleFeature.face);
}

function setPoint(out: Float64Array, x: number, y: number, z: number, feature: TriangleFeature): TriangleFeature {
  out[0] = x;
  out[1] = y;
  out[2] = z;
  return feature;
}

/**
 * Fallback for degenerate triangles: the closest point on the three sides taken as segments. A segment's
 * closest point is s0 + t·(s1 − s0) with t = clamp((p − s0)·(s1 − s0) / |s1 − s0|², 0, 1) (t = 0 when s0 = s1).
 */
function closestOnSides(
  px: number,
  py: number,
  pz: number,
  ax: number,
  ay: number,
  az: number,
  bx: number,
  by: number,
  bz: number,
  cx: number,
  cy: number,
  cz: number,
  out: Float64Array,
): TriangleFeature {
  const corners = [ax, ay, az, bx, by, bz, cx, cy, cz];
  let best = Infinity;
  let feature: TriangleFeature = TriangleFeature.vertexA;
  for (let s = 0; s < 3; s++) {
    const e = (s + 1) % 3;
    const x0 = corners[3 * s];
    const y0 = corners[3 * s + 1];
    const z0 = corners[3 * s + 2];
    const ex = corners[3 * e] - x0;
    const ey = corners[3 * e + 1] - y0;
    const ez = corners[3 * e + 2] - z0;
    const len2 = ex * ex + ey * ey + ez * ez;
    let t = len2 > 0 ? ((px - x0) * ex + (py - y0) * ey + (pz - z0) * ez) / len2 : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    const qx = x0 + t * ex;
    const qy = y0 + t * ey;
    const qz = z0 + t * ez;
    const d2 = (px - qx) ** 2 + (py - qy) ** 2 + (pz - qz) ** 2;
    if (d2 < best) {
      best = d2;
      out[0] = qx;
      out[1] = qy;
      out[2] = qz;
      feature = (t === 0 ? 1 + s : t === 1 ? 1 + e : 4 + s) as TriangleFeature;
    }
  }
  return feature;
}
