/**
 * Area-weighted vertex normals: n_v = normalise(Σ_{t ∋ v} (p₁ − p₀) × (p₂ − p₀)). The cross product's length
 * is twice the triangle's area, so summing raw cross products weights each incident face by its area
 * (Max 1999, "Weights for computing vertex normals from facet normals", discusses the alternatives).
 * With counter-clockwise-from-outside winding the normals point outward.
 */
import { triangleCrossInto } from './triangle-geometry.ts';

/** Unit vertex normals (interleaved xyz, Float32). A vertex without (non-degenerate) triangles gets (0, 0, 0). */
export function vertexNormals(points: ArrayLike<number>, triangles: ArrayLike<number>): Float32Array {
  const acc = new Float64Array(points.length);
  const n = new Float64Array(3);
  for (let t = 0; t < triangles.length; t += 3) {
    triangleCrossInto(points, triangles[t], triangles[t + 1], triangles[t + 2], n);
    for (let k = 0; k < 3; k++) {
      const v = 3 * triangles[t + k];
      acc[v] += n[0];
      acc[v + 1] += n[1];
      acc[v + 2] += n[2];
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
