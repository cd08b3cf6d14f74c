/**
 * The contour of a surface on a slice: every triangle crossing the slice plane contributes the segment where it
 * meets it, expressed in the slice's pixel coordinates (column, row), ready to draw over the image.
 *
 * The plane passes through the slice origin with normal u × v; a vertex's signed distance decides the crossing,
 * and the crossing points are interpolated along the two edges whose ends lie on opposite sides. Pixel
 * coordinates come from p = origin + c·u + r·v (u ⟂ v for the grid-aligned slices of main/service/slices.ts).
 */
import type { DisplaySlice } from '../../main/service/api.ts';

type SliceGeometry = Pick<DisplaySlice, 'originLps' | 'uStepLps' | 'vStepLps'>;

/** Segments [c0, r0, c1, r1, …] where the triangles of `pointsLps` cross the slice plane. */
export function sliceContour(pointsLps: ArrayLike<number>, triangles: ArrayLike<number>, slice: SliceGeometry): Float32Array {
  const o = slice.originLps;
  const u = slice.uStepLps;
  const v = slice.vStepLps;
  const n = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
  const nl = Math.hypot(n[0], n[1], n[2]) || 1;
  const uu = u[0] * u[0] + u[1] * u[1] + u[2] * u[2];
  const vv = v[0] * v[0] + v[1] * v[1] + v[2] * v[2];
  const nv = pointsLps.length / 3;
  const side = new Float64Array(nv);
  for (let i = 0; i < nv; i++) {
    side[i] = ((pointsLps[3 * i] - o[0]) * n[0] + (pointsLps[3 * i + 1] - o[1]) * n[1] + (pointsLps[3 * i + 2] - o[2]) * n[2]) / nl;
  }
  const out: number[] = [];
  const cross = (a: number, b: number): void => {
    const t = side[a] / (side[a] - side[b]);
    const px = pointsLps[3 * a] + t * (pointsLps[3 * b] - pointsLps[3 * a]) - o[0];
    const py = pointsLps[3 * a + 1] + t * (pointsLps[3 * b + 1] - pointsLps[3 * a + 1]) - o[1];
    const pz = pointsLps[3 * a + 2] + t * (pointsLps[3 * b + 2] - pointsLps[3 * a + 2]) - o[2];
    out.push((px * u[0] + py * u[1] + pz * u[2]) / uu, (px * v[0] + py * v[1] + pz * v[2]) / vv);
  };
  for (let t = 0; t + 2 < triangles.length; t += 3) {
    const a = triangles[t];
    const b = triangles[t + 1];
    const c = triangles[t + 2];
    // A vertex exactly on the plane counts as above it, so each crossing is found once.
    const sa = side[a] >= 0;
    const sb = side[b] >= 0;
    const sc = side[c] >= 0;
    if (sa === sb && sb === sc) continue;
    if (sa !== sb) cross(a, b);
    if (sb !== sc) cross(b, c);
    if (sc !== sa) cross(c, a);
  }
  return Float32Array.from(out);
}
