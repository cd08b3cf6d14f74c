/**
 * Per-point mass for optimal transport: the measure a shape puts on its points.
 *
 * Meshes: the barycentric lumped area, m_v = Σ_{t ∋ v} area(t) / 3 (mm²), so that Σ m_v equals the surface area
 * and the discrete measure approximates the uniform area measure whatever the tessellation density
 * (the lumped mass matrix of linear finite elements; e.g. Meyer et al. 2003 use the mixed Voronoi area, which
 * agrees for well-shaped triangles). Point sets carry no area: each of the N points gets 1/N (a uniform
 * probability measure).
 */

/** Twice the area of triangle (a, b, c) of interleaved points. */
function doubleArea(p: ArrayLike<number>, a: number, b: number, c: number): number {
  const ux = p[b] - p[a];
  const uy = p[b + 1] - p[a + 1];
  const uz = p[b + 2] - p[a + 2];
  const vx = p[c] - p[a];
  const vy = p[c + 1] - p[a + 1];
  const vz = p[c + 2] - p[a + 2];
  return Math.hypot(uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx);
}

/** Areas of each triangle (mm² when points are mm). */
export function triangleAreas(points: ArrayLike<number>, triangles: ArrayLike<number>): Float64Array {
  const out = new Float64Array(triangles.length / 3);
  for (let t = 0; t < triangles.length; t += 3) out[t / 3] = doubleArea(points, 3 * triangles[t], 3 * triangles[t + 1], 3 * triangles[t + 2]) / 2;
  return out;
}

/** Total surface area. */
export function surfaceArea(points: ArrayLike<number>, triangles: ArrayLike<number>): number {
  let s = 0;
  for (const a of triangleAreas(points, triangles)) s += a;
  return s;
}

/** Per-vertex mass = one third of the area of the incident triangles (mm²); vertices in no triangle get 0. */
export function vertexAreaMass(points: ArrayLike<number>, triangles: ArrayLike<number>): Float64Array {
  const mass = new Float64Array(points.length / 3);
  for (let t = 0; t < triangles.length; t += 3) {
    const a = triangles[t];
    const b = triangles[t + 1];
    const c = triangles[t + 2];
    const third = doubleArea(points, 3 * a, 3 * b, 3 * c) / 6;
    mass[a] += third;
    mass[b] += third;
    mass[c] += third;
  }
  return mass;
}

/** Uniform mass 1/N for a point set of N points. */
export function uniformMass(pointCount: number): Float64Array {
  return new Float64Array(pointCount).fill(pointCount > 0 ? 1 / pointCount : 0);
}
