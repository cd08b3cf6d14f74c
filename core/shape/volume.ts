/**
 * Enclosed volume of a closed, consistently oriented triangle mesh by the divergence theorem:
 * V = (1/6) Σ_t p₀ · (p₁ × p₂) (the signed volumes of the tetrahedra from the origin to each triangle).
 * Positive when the triangles are wound counter-clockwise seen from outside (outward normals); meaningless for
 * an open mesh.
 */
export function enclosedVolume(points: ArrayLike<number>, triangles: ArrayLike<number>): number {
  let v = 0;
  for (let t = 0; t < triangles.length; t += 3) {
    const a = 3 * triangles[t];
    const b = 3 * triangles[t + 1];
    const c = 3 * triangles[t + 2];
    v +=
      points[a] * (points[b + 1] * points[c + 2] - points[b + 2] * points[c + 1]) +
      points[a + 1] * (points[b + 2] * points[c] - points[b] * points[c + 2]) +
      points[a + 2] * (points[b] * points[c + 1] - points[b + 1] * points[c]);
  }
  return v / 6;
}
