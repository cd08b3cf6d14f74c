/**
 * Feature-augmented clouds (RobOT, Shen, Feydy et al. 2021): the cost
 *   C(x, y) = ½|x − y|² + Σ_f w_f ½|φ_f(x) − φ_f(y)|²
 * is the plain ½|·|² cost of the augmented points (x, √w_1 φ_1(x), √w_2 φ_2(x), …) ∈ R^(3 + Σ d_f), so the kernel
 * engines need nothing special: features become extra coordinates (dim > 3). For p = 1 the same augmentation
 * gives the augmented Euclidean distance.
 *
 * Both clouds are also translated by one common offset (the centre of their joint bounding box) before they are
 * rounded to float32: costs are translation invariant, and clouds far from the origin (scanner coordinates
 * hundreds of mm away) keep their full float32 precision. Callers add `centre` back to anything positional.
 */
import type { Cloud } from '../kernels/types.ts';
import type { FeatureOptions, PointArray3 } from './types.ts';

export interface AugmentedClouds {
  x: Cloud;
  y: Cloud;
  /** Common offset subtracted from every coordinate (dim values; xyz first). */
  centre: Float64Array;
  n: number;
  m: number;
}

function checkFinite(values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new RangeError(`ot: ${what} has a non-finite value at index ${i}`);
  }
}

/** Number of points of an N×3 array. */
export function pointCount(points: PointArray3, what: string): number {
  if (points.length % 3 !== 0) throw new RangeError(`ot: ${what} has ${points.length} values, not a multiple of 3`);
  if (points.length === 0) throw new RangeError(`ot: ${what} is empty`);
  return points.length / 3;
}

/** Components per point of each feature, checked against both clouds. */
function featureDims(features: FeatureOptions, n: number, m: number): number[] {
  const { x, y, weights } = features;
  if (x.length !== y.length || x.length !== weights.length) {
    throw new RangeError(`ot: features need as many x arrays, y arrays and weights (got ${x.length}, ${y.length}, ${weights.length})`);
  }
  return weights.map((w, f) => {
    if (!(Number.isFinite(w) && w >= 0)) throw new RangeError(`ot: feature weight ${f} must be finite and ≥ 0 (got ${w})`);
    const d = x[f].length / n;
    if (!Number.isInteger(d) || d < 1) throw new RangeError(`ot: feature ${f} of x has ${x[f].length} values for ${n} points`);
    if (y[f].length !== d * m) throw new RangeError(`ot: feature ${f} of y has ${y[f].length} values, expected ${d * m} (${d} per point)`);
    checkFinite(x[f], `feature ${f} of x`);
    checkFinite(y[f], `feature ${f} of y`);
    return d;
  });
}

/** Builds the centred, augmented float32 clouds. */
export function augmentedClouds(x: PointArray3, y: PointArray3, features?: FeatureOptions): AugmentedClouds {
  const n = pointCount(x, 'x');
  const m = pointCount(y, 'y');
  checkFinite(x, 'x');
  checkFinite(y, 'y');
  const dims = features ? featureDims(features, n, m) : [];
  const dim = 3 + dims.reduce((s, d) => s + d, 0);

  // Augmented coordinates in float64 first (so that the centring happens before the float32 rounding).
  const fill = (pts: PointArray3, count: number, side: 'x' | 'y'): Float64Array => {
    const out = new Float64Array(count * dim);
    for (let i = 0; i < count; i++) {
      out[i * dim] = pts[3 * i];
      out[i * dim + 1] = pts[3 * i + 1];
      out[i * dim + 2] = pts[3 * i + 2];
    }
    let col = 3;
    dims.forEach((d, f) => {
      const scale = Math.sqrt(features!.weights[f]);
      const values = features![side][f];
      for (let i = 0; i < count; i++) for (let c = 0; c < d; c++) out[i * dim + col + c] = scale * values[i * d + c];
      col += d;
    });
    return out;
  };
  const xa = fill(x, n, 'x');
  const ya = fill(y, m, 'y');

  const centre = new Float64Array(dim);
  for (let d = 0; d < dim; d++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const [arr, count] of [[xa, n], [ya, m]] as const) {
      for (let i = 0; i < count; i++) {
        const v = arr[i * dim + d];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    centre[d] = 0.5 * (lo + hi);
  }
  const toF32 = (arr: Float64Array): Float32Array => {
    const out = new Float32Array(arr.length);
    for (let k = 0; k < arr.length; k++) out[k] = arr[k] - centre[k % dim];
    return out;
  };
  return { x: { points: toF32(xa), dim }, y: { points: toF32(ya), dim }, centre, n, m };
}
