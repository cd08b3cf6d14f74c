/**
 * The per-triangle step every normal computation starts from (STL facet normals, area-weighted vertex normals,
 * QEM plane quadrics, pseudo-normals): the cross product (p_b − p_a) × (p_c − p_a) of triangle (a, b, c) over
 * interleaved xyz points. Its direction is the triangle's normal (counter-clockwise winding seen from outside
 * gives the outward normal) and its length is twice the triangle's area.
 *
 * Kept in one place so that every caller rounds the same way: the same operations in the same order give
 * bit-identical normals wherever they are computed.
 */

/** Writes (p_b − p_a) × (p_c − p_a) into `out` for vertex indices a, b, c of interleaved xyz `points`. */
export function triangleCrossInto(points: ArrayLike<number>, a: number, b: number, c: number, out: Float64Array): void {
  const ia = 3 * a;
  const ib = 3 * b;
  const ic = 3 * c;
  const ux = points[ib] - points[ia];
  const uy = points[ib + 1] - points[ia + 1];
  const uz = points[ib + 2] - points[ia + 2];
  const vx = points[ic] - points[ia];
  const vy = points[ic + 1] - points[ia + 1];
  const vz = points[ic + 2] - points[ia + 2];
  out[0] = uy * vz - uz * vy;
  out[1] = uz * vx - ux * vz;
  out[2] = ux * vy - uy * vx;
}

/**
 * Writes the unit normal of triangle (a, b, c) into `out` and returns the cross product's length, twice the
 * triangle's area. For a degenerate triangle (length 0, or NaN from non-finite points) `out` keeps the
 * unnormalised cross product; callers test the returned length.
 */
export function triangleUnitNormalInto(points: ArrayLike<number>, a: number, b: number, c: number, out: Float64Array): number {
  triangleCrossInto(points, a, b, c, out);
  const length = Math.hypot(out[0], out[1], out[2]);
  if (length > 0) {
    out[0] /= length;
    out[1] /= length;
    out[2] /= length;
  }
  return length;
}
