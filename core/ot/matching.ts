/**
 * RobOT matching (Shen, Feydy et al. 2021, "Accurate point cloud registration with robust optimal transport"):
 * from the solved potentials, the entropic plan π_ij = a_i b_j exp((f_i + g_j − C_ij)/ε) gives for each x_i
 *   the barycentric projection   ŷ_i = Σ_j π_ij y_j / Σ_j π_ij   (xyz only, even with a feature-augmented cost),
 *   the confidence               w_i = Σ_j π_ij / a_i            (1 when fully transported, → 0 for outliers
 *                                                                 under the unbalanced model),
 *   the hard match               argmax_j π_ij = argmax_j (log b_j + g_j/ε − C_ij/ε),
 * and on demand the k largest entries of chosen rows of π (a JS loop over j for those rows only: O(M) per row,
 * never an N×M matrix).
 */
import type { BlockSparsity, Cloud, CostExponent, KernelEngine } from '../kernels/types.ts';
import { rowDistance2 } from '../kernels/row-distance.ts';
import { costOfDistance2 } from './cost.ts';
import type { Masses } from './masses.ts';
import { logWeightsPlus } from './multiscale/truncation.ts';
import type { PlanRow } from './types.ts';
import { leadingCoordinates, rowMeans } from './weighted-mean.ts';

export interface BarycentricMatch {
  /** N × 3, in the clouds' (centred) coordinates. */
  matched: Float64Array;
  confidence: Float64Array;
}

/** Barycentric projection and confidence of every x point. */
export async function barycentricMatch(
  engine: KernelEngine,
  eps: number,
  p: CostExponent,
  x: Cloud,
  y: Cloud,
  b: Masses,
  f: Float64Array,
  g: Float64Array,
  sparsity: BlockSparsity | undefined,
): Promise<BarycentricMatch> {
  const n = f.length;
  const h = logWeightsPlus(b.logW, g, eps);
  const { lse, mean } = await rowMeans(engine, eps, p, x, y, h, leadingCoordinates(y, 3), 3, sparsity);
  const confidence = new Float64Array(n);
  for (let i = 0; i < n; i++) confidence[i] = Math.exp(f[i] / eps + lse[i]);
  return { matched: mean, confidence };
}

/** argmax_j π_ij for every row (dense). */
export async function hardMatches(engine: KernelEngine, eps: number, p: CostExponent, x: Cloud, y: Cloud, b: Masses, g: Float64Array): Promise<Int32Array> {
  const n = x.points.length / x.dim;
  const index = new Int32Array(n);
  const score = new Float32Array(n);
  await engine.argmaxScore(eps, p, x, y, logWeightsPlus(b.logW, g, eps), index, score);
  return index;
}

/**
 * The k largest π_ij of each requested row (descending). `x`, `y` are the clouds the potentials belong to; rows
 * and returned columns index them directly.
 */
export function planRowsOf(
  rows: ArrayLike<number>,
  k: number,
  eps: number,
  p: CostExponent,
  x: Cloud,
  y: Cloud,
  a: Masses,
  b: Masses,
  f: Float64Array,
  g: Float64Array,
): PlanRow[] {
  const n = f.length;
  const m = g.length;
  if (!(Number.isInteger(k) && k >= 1)) throw new RangeError(`ot: k must be a positive integer (got ${k})`);
  const kk = Math.min(k, m);
  const out: PlanRow[] = [];
  const bestV = new Float64Array(kk);
  const bestJ = new Int32Array(kk);
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r];
    if (!(Number.isInteger(i) && i >= 0 && i < n)) throw new RangeError(`ot: plan row ${i} is not a point index (< ${n})`);
    bestV.fill(-Infinity);
    bestJ.fill(-1);
    const base = a.logW[i] + f[i] / eps;
    for (let j = 0; j < m; j++) {
      const s = base + b.logW[j] + (g[j] - costOfDistance2(p, rowDistance2(x.points, i, y.points, j, x.dim))) / eps;
      if (!(s > bestV[kk - 1])) continue;
      let q = kk - 1;
      while (q > 0 && bestV[q - 1] < s) {
        bestV[q] = bestV[q - 1];
        bestJ[q] = bestJ[q - 1];
        q--;
      }
      bestV[q] = s;
      bestJ[q] = j;
    }
    let count = 0;
    while (count < kk && bestJ[count] >= 0) count++;
    out.push({ index: i, columns: bestJ.slice(0, count), values: Float64Array.from(bestV.subarray(0, count), Math.exp) });
  }
  return out;
}
