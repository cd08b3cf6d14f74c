/**
 * Test meshes with known geometry and brute-force references for the distance tests (independent of the AABB
 * tree: every triangle / every point is tried).
 */
import { closestPointOnTriangle, type TriangleFeature } from '../../../core/metrics/closest-point-triangle.ts';
import { icosahedron } from '../shape/synthetic.ts';

export interface Mesh {
  pointsLps: Float64Array;
  triangles: Uint32Array;
}

/**
 * The box [0, size]³ shifted by `origin`: 8 corners (index x + 2y + 4z) and 12 triangles, two per face, wound
 * counter-clockwise seen from outside. Each face is split along the diagonal from its first listed corner, so
 * some corners (e.g. 1 = (1,0,0)) have two triangles on one face and one on the others: an area- or count-weighted
 * vertex normal is tilted there, the angle-weighted one is not.
 */
export function cube(size = 1, origin: [number, number, number] = [0, 0, 0]): Mesh {
  const points = new Float64Array(24);
  for (let v = 0; v < 8; v++) {
    points[3 * v] = origin[0] + size * (v & 1);
    points[3 * v + 1] = origin[1] + size * ((v >> 1) & 1);
    points[3 * v + 2] = origin[2] + size * ((v >> 2) & 1);
  }
  // Each face as its 4 corners in cyclic order; orientation is fixed below from the outward direction.
  const faces = [
    [0, 2, 3, 1], // z = 0
    [4, 5, 7, 6], // z = 1
    [0, 1, 5, 4], // y = 0
    [2, 6, 7, 3], // y = 1
    [0, 4, 6, 2], // x = 0
    [1, 3, 7, 5], // x = 1
  ];
  const tris: number[] = [];
  for (const q of faces) tris.push(q[0], q[1], q[2], q[0], q[2], q[3]);
  const centre = [origin[0] + size / 2, origin[1] + size / 2, origin[2] + size / 2];
  return { pointsLps: points, triangles: orientOutward(points, Uint32Array.from(tris), centre) };
}

/** Flips any triangle whose normal points towards `centre` (valid for star-shaped meshes around it). */
export function orientOutward(points: Float64Array, triangles: Uint32Array, centre: number[]): Uint32Array {
  const out = triangles.slice();
  for (let t = 0; t < out.length; t += 3) {
    const [a, b, c] = [out[t], out[t + 1], out[t + 2]];
    const u = [0, 1, 2].map((k) => points[3 * b + k] - points[3 * a + k]);
    const v = [0, 1, 2].map((k) => points[3 * c + k] - points[3 * a + k]);
    const n = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
    const m = [0, 1, 2].map((k) => (points[3 * a + k] + points[3 * b + k] + points[3 * c + k]) / 3 - centre[k]);
    if (n[0] * m[0] + n[1] * m[1] + n[2] * m[2] < 0) {
      out[t + 1] = c;
      out[t + 2] = b;
    }
  }
  return out;
}

/** Geodesic sphere of radius r centred at the origin: the icosahedron subdivided `levels` times, vertices on the sphere. */
export function icosphere(levels: number, radius = 1): Mesh {
  const base = icosahedron();
  const pts: number[] = Array.from(base.points);
  let tris: number[] = Array.from(base.triangles);
  for (let l = 0; l < levels; l++) {
    const mid = new Map<string, number>();
    const midpoint = (a: number, b: number): number => {
      const key = a < b ? `${a},${b}` : `${b},${a}`;
      const known = mid.get(key);
      if (known !== undefined) return known;
      const m = [0, 1, 2].map((k) => (pts[3 * a + k] + pts[3 * b + k]) / 2);
      const len = Math.hypot(m[0], m[1], m[2]);
      pts.push(m[0] / len, m[1] / len, m[2] / len);
      const id = pts.length / 3 - 1;
      mid.set(key, id);
      return id;
    };
    const next: number[] = [];
    for (let t = 0; t < tris.length; t += 3) {
      const [a, b, c] = [tris[t], tris[t + 1], tris[t + 2]];
      const ab = midpoint(a, b);
      const bc = midpoint(b, c);
      const ca = midpoint(c, a);
      next.push(a, ab, ca, b, bc, ab, c, ca, bc, ab, bc, ca);
    }
    tris = next;
  }
  return { pointsLps: Float64Array.from(pts, (v) => v * radius), triangles: Uint32Array.from(tris) };
}

/** Unit normal and plane offset h (n·x = h) of every triangle. */
export function facePlanes(mesh: Mesh): { normal: number[][]; offset: number[] } {
  const normal: number[][] = [];
  const offset: number[] = [];
  const p = mesh.pointsLps;
  for (let t = 0; t < mesh.triangles.length; t += 3) {
    const [a, b, c] = [mesh.triangles[t], mesh.triangles[t + 1], mesh.triangles[t + 2]];
    const u = [0, 1, 2].map((k) => p[3 * b + k] - p[3 * a + k]);
    const v = [0, 1, 2].map((k) => p[3 * c + k] - p[3 * a + k]);
    const n = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
    const len = Math.hypot(n[0], n[1], n[2]);
    const nu = n.map((x) => x / len);
    normal.push(nu);
    offset.push(nu[0] * p[3 * a] + nu[1] * p[3 * a + 1] + nu[2] * p[3 * a + 2]);
  }
  return { normal, offset };
}

export interface BruteHit {
  distanceMm: Float64Array;
  closestLps: Float64Array;
  triangleIndex: Uint32Array;
  feature: Uint8Array;
}

/** Closest surface point by trying every triangle (first triangle wins ties). */
export function bruteForceSurface(query: Float64Array, mesh: Mesh): BruteHit {
  const n = query.length / 3;
  const res: BruteHit = { distanceMm: new Float64Array(n), closestLps: new Float64Array(3 * n), triangleIndex: new Uint32Array(n), feature: new Uint8Array(n) };
  const c = new Float64Array(3);
  const tri = mesh.triangles;
  for (let i = 0; i < n; i++) {
    const [px, py, pz] = [query[3 * i], query[3 * i + 1], query[3 * i + 2]];
    let best = Infinity;
    for (let t = 0; t < tri.length / 3; t++) {
      const f: TriangleFeature = closestPointOnTriangle(px, py, pz, mesh.pointsLps, tri[3 * t], tri[3 * t + 1], tri[3 * t + 2], c);
      const d2 = (px - c[0]) ** 2 + (py - c[1]) ** 2 + (pz - c[2]) ** 2;
      if (d2 < best) {
        best = d2;
        res.triangleIndex[i] = t;
        res.feature[i] = f;
        res.closestLps.set(c, 3 * i);
        res.distanceMm[i] = Math.hypot(px - c[0], py - c[1], pz - c[2]);
      }
    }
  }
  return res;
}

/** Nearest point by trying every point (first index wins ties). */
export function bruteForcePoints(query: Float64Array, target: Float64Array): { distanceMm: Float64Array; pointIndex: Uint32Array } {
  const n = query.length / 3;
  const distanceMm = new Float64Array(n);
  const pointIndex = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let best = Infinity;
    for (let j = 0; j < target.length / 3; j++) {
      const d2 = (query[3 * i] - target[3 * j]) ** 2 + (query[3 * i + 1] - target[3 * j + 1]) ** 2 + (query[3 * i + 2] - target[3 * j + 2]) ** 2;
      if (d2 < best) {
        best = d2;
        pointIndex[i] = j;
        distanceMm[i] = Math.hypot(query[3 * i] - target[3 * j], query[3 * i + 1] - target[3 * j + 1], query[3 * i + 2] - target[3 * j + 2]);
      }
    }
  }
  return { distanceMm, pointIndex };
}
