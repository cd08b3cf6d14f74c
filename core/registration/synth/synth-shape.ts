/**
 * A shape made ready for drawing synthetic pairs: how to sample points on it (uniformly by area on a mesh, a
 * subset without replacement of a point cloud), and a few thousand farthest-point reference points with their
 * local principal direction and linearity (local-directions.ts) for anisotropic local motion along vessels.
 */
import { farthestPointSample, type Shape } from '../../shape/index.ts';
import { localDirections } from './local-directions.ts';
import type { Random } from './random.ts';

export interface SynthShape {
  name: string;
  pointsLps: Float64Array;
  triangles?: Uint32Array;
  /** Cumulative triangle areas (mesh sampling), last entry = total area. */
  areaCdf?: Float64Array;
  /** Reference points (FPS, R×3), their unit direction (R×3) and linearity in [0, 1] (R). */
  reference: Float64Array;
  referenceDirection: Float64Array;
  referenceLinearity: Float64Array;
}

const REFERENCE_POINTS = 2048;
const REFERENCE_POOL = 20000;
const DIRECTION_NEIGHBOURS = 12;

/** Prepares a mesh or point cloud (LPS mm). Needs at least 4 points. */
export function prepareSynthShape(shape: Pick<Shape, 'pointsLps' | 'triangles'>, name: string): SynthShape {
  const points = shape.pointsLps;
  const n = points.length / 3;
  if (n < 4) throw new RangeError(`${name}: a shape needs at least 4 points to be deformed (has ${n})`);
  for (let i = 0; i < points.length; i++) if (!Number.isFinite(points[i])) throw new RangeError(`${name}: point ${Math.floor(i / 3)} is not finite`);
  let areaCdf: Float64Array | undefined;
  const triangles = shape.triangles && shape.triangles.length >= 3 ? shape.triangles : undefined;
  if (triangles) {
    const t = triangles.length / 3;
    areaCdf = new Float64Array(t);
    let acc = 0;
    for (let f = 0; f < t; f++) {
      const a = 3 * triangles[3 * f];
      const b = 3 * triangles[3 * f + 1];
      const c = 3 * triangles[3 * f + 2];
      const ux = points[b] - points[a];
      const uy = points[b + 1] - points[a + 1];
      const uz = points[b + 2] - points[a + 2];
      const vx = points[c] - points[a];
      const vy = points[c + 1] - points[a + 1];
      const vz = points[c + 2] - points[a + 2];
      acc += 0.5 * Math.hypot(uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx);
      areaCdf[f] = acc;
    }
    if (!(acc > 0)) areaCdf = undefined;
  }
  // Reference points: FPS over an evenly strided pool (FPS is O(N·k); the stride keeps it bounded).
  const stride = Math.max(1, Math.ceil(n / REFERENCE_POOL));
  const pool = new Float64Array(3 * Math.ceil(n / stride));
  for (let i = 0, o = 0; i < n; i += stride, o += 3) pool.set(points.subarray(3 * i, 3 * i + 3), o);
  const chosen = farthestPointSample(pool, REFERENCE_POINTS);
  const reference = new Float64Array(3 * chosen.length);
  for (let s = 0; s < chosen.length; s++) reference.set(pool.subarray(3 * chosen[s], 3 * chosen[s] + 3), 3 * s);
  const { direction, linearity } = localDirections(reference, DIRECTION_NEIGHBOURS);
  return {
    name,
    pointsLps: points,
    triangles: areaCdf ? triangles : undefined,
    areaCdf,
    reference,
    referenceDirection: direction,
    referenceLinearity: linearity,
  };
}

/**
 * `count` points on the shape: uniform by area on a mesh (a triangle by area, then uniform barycentric
 * coordinates, Turk 1990), else a random subset of the cloud (with replacement only if it has fewer points).
 */
export function sampleShape(shape: SynthShape, count: number, random: Random): Float64Array {
  const out = new Float64Array(3 * count);
  const p = shape.pointsLps;
  if (shape.areaCdf && shape.triangles) {
    const cdf = shape.areaCdf;
    const tri = shape.triangles;
    const total = cdf[cdf.length - 1];
    for (let s = 0; s < count; s++) {
      const target = random.next() * total;
      let lo = 0;
      let hi = cdf.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cdf[mid] <= target) lo = mid + 1;
        else hi = mid;
      }
      const a = 3 * tri[3 * lo];
      const b = 3 * tri[3 * lo + 1];
      const c = 3 * tri[3 * lo + 2];
      const r1 = Math.sqrt(random.next());
      const r2 = random.next();
      const wa = 1 - r1;
      const wb = r1 * (1 - r2);
      const wc = r1 * r2;
      for (let d = 0; d < 3; d++) out[3 * s + d] = wa * p[a + d] + wb * p[b + d] + wc * p[c + d];
    }
    return out;
  }
  const n = p.length / 3;
  if (n >= count) {
    // Partial Fisher–Yates over an index array.
    const idx = new Uint32Array(n);
    for (let i = 0; i < n; i++) idx[i] = i;
    for (let s = 0; s < count; s++) {
      const j = s + random.int(n - s);
      const t = idx[s];
      idx[s] = idx[j];
      idx[j] = t;
      out.set(p.subarray(3 * idx[s], 3 * idx[s] + 3), 3 * s);
    }
  } else {
    for (let s = 0; s < count; s++) {
      const i = random.int(n);
      out.set(p.subarray(3 * i, 3 * i + 3), 3 * s);
    }
  }
  return out;
}
