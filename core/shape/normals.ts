/**
 * Area-weighted vertex normals: n_v = normalise(Σ_{t ∋ v} (p₁ − p₀) × (p₂ − p₀)). The cross product's length
 * is twice the triangle's area, so summing raw cross products weights each incident face by its area
 * (Max 1999, "Weights for computing vertex normals from facet normals", discusses the alternatives).
 * With counter-clockwise-from-outside winding the normals point outward.
 */

/** Unit vertex normals (interleaved xyz, Float32). A vertex without (non-degenerate) triangles gets (0, 0, 0). */
export function vertexNormals(points: ArrayLike<number>, triangles: ArrayLike<number>): Float32Array {
  const acc = new Float64Array(points.length);
  for (let t = 0; t < triangles.length; t += 3) {
    const a = 3 * triangles[t];
    const b = 3 * triangles[t + 1];
    const c = 3 * triangles[t + 2];
    const ux = points[b] - points[a];
    const uy = points[b + 1] - points[a + 1];
    const uz = points[b + 2] - points[a + 2];
    const vx = points[c] - points[a];
    const vy = points[c + 1] - points[a + 1];
    const vz = points[c + 2] - points[a + 2];
    const nx = uy * vz - uz * vy;
    const ny = uz * vx - ux * vz;
    const nz = ux * vy - uy * vx;
    for (const v of [a, b, c]) {
      acc[v] += nx;
      acc[v + 1] += ny;
      acc[v + 2] += nz;
    }
  }
  const out = new Float32Array(points.length);
  for (let i = 0; i < acc.length; i += 3) {
    const len = Math.hypot(acc[i], acc[i + 1], acc[i + 2]);
    if (len > 0) {
      out[i] = acc[i] / len;
      out[i + 1] = acc[i + 1] / len;
      out[i + 2] = acc[i + 2] / len;
    }
  }
  return out;
}
