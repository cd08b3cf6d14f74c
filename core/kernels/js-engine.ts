/**
 * Plain-JS reference engine ('js'): float64 accumulation, one thread, no SIMD. It is the reference the other
 * engines are tested against (test/unit/kernels) and the fallback where WebAssembly threads are unavailable.
 * Each row keeps an O(M) buffer of its scores — never an N×M matrix.
 *
 * Log-sum-exp is the max-stabilised two-pass form: m = max_j s_ij, then m + log Σ_j exp(s_ij − m)
 * (Feydy et al. 2019, "Interpolating between optimal transport and MMD using Sinkhorn divergences").
 */
import { columnRanges } from './block-ranges.ts';
import { rowDistance2 } from './row-distance.ts';
import { EMPTY_LSE, EMPTY_SCORE, EMPTY_SOFTMIN, clampOutput } from './output-limits.ts';
import type { BlockSparsity, Cloud, CostExponent, KernelEngine } from './types.ts';
import { checkArgmaxCall, checkGaussianCall, checkKnnCall, checkSoftminCall, checkWeightedCall } from './validate.ts';

/** Block ranges of y kept for x cluster k, as flat [j0, j1, j0, j1, …]; dense = one block [0, M). */
interface RowBlocks {
  clusterOf(i: number): number;
  ranges(k: number): number[];
}

function denseBlocks(m: number): RowBlocks {
  const all = [0, m];
  return { clusterOf: () => 0, ranges: () => all };
}

function sparseBlocks(s: BlockSparsity): RowBlocks {
  const clusterOfRow = (i: number): number => {
    let lo = 0;
    let hi = s.xStart.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (s.xStart[mid] <= i) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  };
  const cache = new Map<number, number[]>();
  return {
    clusterOf: clusterOfRow,
    ranges(k: number): number[] {
      let r = cache.get(k);
      if (!r) {
        r = columnRanges(s, k);
        cache.set(k, r);
      }
      return r;
    },
  };
}


export class JsEngine implements KernelEngine {
  readonly name = 'js' as const;
  readonly threads = 1;
  readonly backend = 'js-float64';

  /**
   * Scores s_ij = h_j − C(x_i, y_j)/ε of the kept columns of row i into `s` (and their indices into `idx`);
   * returns how many, and the max in `maxOut[0]`.
   */
  private rowScores(
    i: number,
    p: CostExponent,
    invEps: number,
    x: Cloud,
    y: Cloud,
    h: Float32Array,
    ranges: number[],
    s: Float64Array,
    idx: Int32Array,
    maxOut: Float64Array,
  ): number {
    const dim = x.dim;
    const xp = x.points;
    const yp = y.points;
    let n = 0;
    let m = -Infinity;
    const scale = p === 2 ? 0.5 * invEps : invEps;
    for (let r = 0; r < ranges.length; r += 2) {
      const j1 = ranges[r + 1];
      if (dim === 3) {
        const x0 = xp[3 * i];
        const x1 = xp[3 * i + 1];
        const x2 = xp[3 * i + 2];
        for (let j = ranges[r]; j < j1; j++) {
          const a = x0 - yp[3 * j];
          const b = x1 - yp[3 * j + 1];
          const c = x2 - yp[3 * j + 2];
          const d2 = a * a + b * b + c * c;
          const v = h[j] - scale * (p === 2 ? d2 : Math.sqrt(d2));
          s[n] = v;
          idx[n++] = j;
          if (v > m) m = v;
        }
      } else {
        for (let j = ranges[r]; j < j1; j++) {
          const d2 = rowDistance2(xp, i, yp, j, dim);
          const v = h[j] - scale * (p === 2 ? d2 : Math.sqrt(d2));
          s[n] = v;
          idx[n++] = j;
          if (v > m) m = v;
        }
      }
    }
    maxOut[0] = m;
    return n;
  }

  async softmin(eps: number, p: CostExponent, x: Cloud, y: Cloud, h: Float32Array, out: Float32Array, sparsity?: BlockSparsity): Promise<void> {
    const { n, m } = checkSoftminCall(eps, p, x, y, h, out, sparsity);
    const blocks = sparsity ? sparseBlocks(sparsity) : denseBlocks(m);
    const s = new Float64Array(m);
    const idx = new Int32Array(m);
    const mx = new Float64Array(1);
    for (let i = 0; i < n; i++) {
      const count = this.rowScores(i, p, 1 / eps, x, y, h, blocks.ranges(blocks.clusterOf(i)), s, idx, mx);
      const mMax = mx[0];
      if (mMax === -Infinity) {
        out[i] = EMPTY_SOFTMIN;
        continue;
      }
      let sum = 0;
      for (let t = 0; t < count; t++) sum += Math.exp(s[t] - mMax);
      out[i] = clampOutput(-eps * (mMax + Math.log(sum)));
    }
  }

  async softminWeighted(
    eps: number,
    p: CostExponent,
    x: Cloud,
    y: Cloud,
    h: Float32Array,
    v: Float32Array,
    vdim: number,
    outLse: Float32Array,
    outMean: Float32Array,
    sparsity?: BlockSparsity,
  ): Promise<void> {
    const { n, m } = checkWeightedCall(eps, p, x, y, h, v, vdim, outLse, outMean, sparsity);
    const blocks = sparsity ? sparseBlocks(sparsity) : denseBlocks(m);
    const s = new Float64Array(m);
    const idx = new Int32Array(m);
    const mx = new Float64Array(1);
    const acc = new Float64Array(vdim);
    for (let i = 0; i < n; i++) {
      const count = this.rowScores(i, p, 1 / eps, x, y, h, blocks.ranges(blocks.clusterOf(i)), s, idx, mx);
      const mMax = mx[0];
      if (mMax === -Infinity) {
        outLse[i] = EMPTY_LSE;
        outMean.fill(0, i * vdim, (i + 1) * vdim);
        continue;
      }
      let sum = 0;
      acc.fill(0);
      for (let t = 0; t < count; t++) {
        const e = Math.exp(s[t] - mMax);
        sum += e;
        const vo = idx[t] * vdim;
        for (let c = 0; c < vdim; c++) acc[c] += e * v[vo + c];
      }
      outLse[i] = clampOutput(mMax + Math.log(sum));
      for (let c = 0; c < vdim; c++) outMean[i * vdim + c] = clampOutput(acc[c] / sum);
    }
  }

  async argmaxScore(eps: number, p: CostExponent, x: Cloud, y: Cloud, h: Float32Array, outIndex: Int32Array, outScore: Float32Array): Promise<void> {
    const { n, m } = checkArgmaxCall(eps, p, x, y, h, outIndex, outScore);
    const scale = p === 2 ? 0.5 / eps : 1 / eps;
    for (let i = 0; i < n; i++) {
      let best = -Infinity;
      let bestJ = -1;
      for (let j = 0; j < m; j++) {
        const d2 = rowDistance2(x.points, i, y.points, j, x.dim);
        const v = h[j] - scale * (p === 2 ? d2 : Math.sqrt(d2));
        if (v > best) {
          best = v;
          bestJ = j;
        }
      }
      outIndex[i] = bestJ;
      outScore[i] = bestJ >= 0 ? clampOutput(best) : EMPTY_SCORE;
    }
  }

  async gaussianSum(sigmas: readonly number[], scaleWeights: readonly number[], x: Cloud, y: Cloud, v: Float32Array, vdim: number, out: Float32Array): Promise<void> {
    const { n, m } = checkGaussianCall(sigmas, scaleWeights, x, y, v, vdim, out);
    const a = sigmas.map((s) => 1 / (2 * s * s));
    const acc = new Float64Array(vdim);
    for (let i = 0; i < n; i++) {
      acc.fill(0);
      for (let j = 0; j < m; j++) {
        const d2 = rowDistance2(x.points, i, y.points, j, x.dim);
        let k = 0;
        for (let q = 0; q < a.length; q++) k += scaleWeights[q] * Math.exp(-a[q] * d2);
        for (let c = 0; c < vdim; c++) acc[c] += k * v[j * vdim + c];
      }
      for (let c = 0; c < vdim; c++) out[i * vdim + c] = clampOutput(acc[c]);
    }
  }

  async knn(k: number, x: Cloud, y: Cloud, outIndex: Int32Array, outDist2: Float32Array): Promise<void> {
    const { n, m } = checkKnnCall(k, x, y, outIndex, outDist2);
    const bestD = new Float64Array(k);
    const bestJ = new Int32Array(k);
    for (let i = 0; i < n; i++) {
      bestD.fill(Infinity);
      bestJ.fill(-1);
      for (let j = 0; j < m; j++) {
        const d = rowDistance2(x.points, i, y.points, j, x.dim);
        if (!(d < bestD[k - 1])) continue;
        let q = k - 1;
        while (q > 0 && bestD[q - 1] > d) {
          bestD[q] = bestD[q - 1];
          bestJ[q] = bestJ[q - 1];
          q--;
        }
        bestD[q] = d;
        bestJ[q] = j;
      }
      for (let q = 0; q < k; q++) {
        outIndex[i * k + q] = bestJ[q];
        outDist2[i * k + q] = bestD[q];
      }
    }
  }

  async dispose(): Promise<void> {}
}
