/**
 * Softmax-weighted means of per-point values under the entropic plan's rows, in chunks of the engine's value
 * limit (MAX_VDIM channels per call): the barycentric projection (RobOT), the gradient's T(x), the transport cost.
 */
import type { BlockSparsity, Cloud, CostExponent, KernelEngine } from '../kernels/types.ts';
import { MAX_VDIM } from '../kernels/validate.ts';

export interface RowMeans {
  /** log Σ_j exp(h_j − C_ij/ε). */
  lse: Float32Array;
  /** Σ_j softmax_j · v_j, N × vdim. */
  mean: Float64Array;
}

/** Means of `v` (M × vdim) over the rows of x against y with scores h_j − C_ij/ε. */
export async function rowMeans(
  engine: KernelEngine,
  eps: number,
  p: CostExponent,
  x: Cloud,
  y: Cloud,
  h: Float32Array,
  v: Float32Array,
  vdim: number,
  sparsity?: BlockSparsity,
): Promise<RowMeans> {
  const n = x.points.length / x.dim;
  const m = y.points.length / y.dim;
  const lse = new Float32Array(n);
  const mean = new Float64Array(n * vdim);
  for (let c0 = 0; c0 < vdim; c0 += MAX_VDIM) {
    const w = Math.min(MAX_VDIM, vdim - c0);
    let chunk = v;
    if (w !== vdim) {
      chunk = new Float32Array(m * w);
      for (let j = 0; j < m; j++) for (let c = 0; c < w; c++) chunk[j * w + c] = v[j * vdim + c0 + c];
    }
    const out = new Float32Array(n * w);
    await engine.softminWeighted(eps, p, x, y, h, chunk, w, lse, out, sparsity);
    for (let i = 0; i < n; i++) for (let c = 0; c < w; c++) mean[i * vdim + c0 + c] = out[i * w + c];
  }
  return { lse, mean };
}

/** The first `count` coordinates of every point of a cloud (e.g. xyz of an augmented cloud). */
export function leadingCoordinates(cloud: Cloud, count: number): Float32Array {
  const n = cloud.points.length / cloud.dim;
  const out = new Float32Array(n * count);
  for (let i = 0; i < n; i++) for (let c = 0; c < count; c++) out[i * count + c] = cloud.points[i * cloud.dim + c];
  return out;
}
