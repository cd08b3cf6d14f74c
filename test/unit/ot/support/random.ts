/** Deterministic pseudo-random clouds for the OT tests (mulberry32; Box–Muller normals). */

import { mulberry32 as rng } from '../../../../core/shape/index.ts';

export { rng };

/** n points, normal with standard deviation `sd` per axis, shifted by `shift`. */
export function gaussianCloud(n: number, seed: number, sd = 1, shift: readonly number[] = [0, 0, 0]): Float64Array {
  const r = rng(seed);
  const out = new Float64Array(3 * n);
  for (let k = 0; k < 3 * n; k++) {
    const u = Math.max(r(), 1e-12);
    const v = r();
    out[k] = sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v) + shift[k % 3];
  }
  return out;
}

/** n positive masses in [lo, hi), scaled to sum to `total`. */
export function randomMasses(n: number, seed: number, total = 1, lo = 0.5, hi = 1.5): Float64Array {
  const r = rng(seed);
  const w = Float64Array.from({ length: n }, () => lo + (hi - lo) * r());
  const s = w.reduce((acc, v) => acc + v, 0);
  return w.map((v) => (v * total) / s);
}
