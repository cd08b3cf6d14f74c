/**
 * A shape's first and second moments per axis — the frame in which a residual prior compares patients: a point p of
 * a shape with centroid μ and per-axis spread s has normalised coordinates q = (p − μ) / s (componentwise), so that
 * lungs of different size and position line up (anisotropic scaling, no rotation: scans share the patient axes).
 */
import { centroid } from '../prealign/prealign.ts';

export interface ShapeMomentsLps {
  /** Mass-weighted centroid μ (LPS mm). */
  centreLps: [number, number, number];
  /** Mass-weighted standard deviation s of each LPS coordinate (mm, > 0). */
  spreadMm: [number, number, number];
}

/** μ = Σ m_i p_i / Σ m_i and s_a = (Σ m_i (p_ia − μ_a)² / Σ m_i)^{1/2}; a flat axis gets s_a = 1 mm. */
export function shapeMoments(pointsLps: Float64Array, mass: Float64Array): ShapeMomentsLps {
  const n = mass.length;
  if (n === 0 || pointsLps.length !== 3 * n) throw new RangeError(`shape moments: ${n} masses for ${pointsLps.length / 3} points`);
  const c = centroid(pointsLps, mass);
  let total = 0;
  const v = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    total += mass[i];
    for (let a = 0; a < 3; a++) v[a] += mass[i] * (pointsLps[3 * i + a] - c[a]) ** 2;
  }
  const s = v.map((x) => Math.sqrt(x / total) || 1);
  return { centreLps: c, spreadMm: [s[0], s[1], s[2]] };
}

/** q = (p − μ) / s for each point (interleaved xyz). */
export function normalisePoints(pointsLps: Float64Array, m: ShapeMomentsLps): Float64Array {
  return pointsLps.map((v, i) => (v - m.centreLps[i % 3]) / m.spreadMm[i % 3]);
}
