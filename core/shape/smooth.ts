import { vertexAdjacency } from './vertex-adjacency.ts';

/**
 * Taubin λ|μ smoothing (Taubin 1995, "A signal processing approach to fair surface design", SIGGRAPH): each
 * iteration applies the umbrella Laplacian step p ← p + λ·Δp (shrinks, removes high frequencies) then
 * p ← p + μ·Δp with μ < −λ (inflates back), where Δp_v = mean of the one-ring neighbours − p_v. The pair is a
 * low-pass filter with pass-band frequency k_PB = 1/λ + 1/μ ≈ 0.113 for λ = 0.5, μ = −0.53, so the shape is
 * kept while the voxel staircase and noise are removed, without the shrinkage of plain Laplacian smoothing.
 */

export interface TaubinOptions {
  /** Shrink factor, 0 < λ < 1 (default 0.5). */
  lambda?: number;
  /** Inflate factor, μ < −λ (default −0.53). */
  mu?: number;
}

/** Returns smoothed copies of the points after `iterations` λ|μ pairs; the triangles are unchanged. */
export function taubinSmooth(points: Float64Array, triangles: ArrayLike<number>, iterations: number, options: TaubinOptions = {}): Float64Array {
  const lambda = options.lambda ?? 0.5;
  const mu = options.mu ?? -0.53;
  const n = points.length / 3;
  let cur = points.slice();
  if (iterations <= 0 || n === 0) return cur;
  const { offsets, neighbours } = vertexAdjacency(triangles, n);
  let next = new Float64Array(cur.length);
  const step = (factor: number): void => {
    for (let v = 0; v < n; v++) {
      const s = offsets[v];
      const e = offsets[v + 1];
      const i = 3 * v;
      if (e === s) {
        next[i] = cur[i];
        next[i + 1] = cur[i + 1];
        next[i + 2] = cur[i + 2];
        continue;
      }
      let sx = 0;
      let sy = 0;
      let sz = 0;
      for (let q = s; q < e; q++) {
        const j = 3 * neighbours[q];
        sx += cur[j];
        sy += cur[j + 1];
        sz += cur[j + 2];
      }
      const inv = 1 / (e - s);
      next[i] = cur[i] + factor * (sx * inv - cur[i]);
      next[i + 1] = cur[i + 1] + factor * (sy * inv - cur[i + 1]);
      next[i + 2] = cur[i + 2] + factor * (sz * inv - cur[i + 2]);
    }
    const tmp = cur;
    cur = next;
    next = tmp;
  };
  for (let it = 0; it < iterations; it++) {
    step(lambda);
    step(mu);
  }
  return cur;
}
