/**
 * The 'tfjs' engine: the same reductions as dense TILES of TensorFlow.js ops, so that one code path runs on
 * CUDA through @tensorflow/tfjs-node-gpu when it is installed, and on the tfjs 'wasm' / 'cpu' backends
 * otherwise (tested here on both). Memory stays O(tile): x is cut into tiles of `tileRows` rows and y into
 * tiles of `tileCols` columns; a tile's costs are built from coordinate differences (Σ_d (x_d − y_d)², more
 * accurate in float32 than the |x|² + |y|² − 2x·y expansion) and reduced at once, and the per-row results are
 * merged across y tiles — log-sum-exp with the running-max rescaling of the streaming form (Milakov &
 * Gimelshein 2018, "Online normalizer calculation for softmax"), arg-max, top-k and sums directly.
 *
 * Block sparsity: for each x cluster the kept y clusters are gathered into one contiguous sub-cloud and reduced
 * densely — fine for the few large clusters of a coarse multiscale level; many tiny clusters cost one small
 * tile each.
 */
import type { Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import { columnRanges } from './block-ranges.ts';
import { costScale } from './cost-scale.ts';
import { EMPTY_LSE, EMPTY_SCORE, EMPTY_SOFTMIN, clampOutput } from './output-limits.ts';
import { type Tf, type TfjsBackendName, loadTfjs, loadTfjsNodeGpu } from './tfjs-loader.ts';
import type { BlockSparsity, Cloud, CostExponent, KernelEngine } from './types.ts';
import { checkArgmaxCall, checkGaussianCall, checkKnnCall, checkSoftminCall, checkWeightedCall } from './validate.ts';

export interface TfjsEngineOptions {
  /** 'auto' (default): 'tensorflow' when tfjs-node-gpu loads, else 'wasm'. */
  backend?: TfjsBackendName | 'auto';
  /** x rows per tile (default 512; 2048 on the 'tensorflow' GPU backend). */
  tileRows?: number;
  /** y columns per tile (default 4096; 8192 on the 'tensorflow' GPU backend). */
  tileCols?: number;
}

/** Running per-row state of a streamed log-sum-exp: max, Σ exp(s − max), Σ exp(s − max)·v. */
interface LseState {
  max: Tensor1D;
  sum: Tensor1D;
  acc: Tensor2D | undefined;
}

/** A stand-in for −∞ in shifts, so that (−∞) − (−∞) never makes NaN. */
const FINITE_FLOOR = -3e38;

/** Rows [i0, i1) of a row-major array with `width` values per row. */
function rows(values: Float32Array, width: number, i0: number, i1: number): Float32Array {
  return values.subarray(i0 * width, i1 * width);
}

/** Copies the given row ranges (flat [r0, r1, r0, r1, …]) of a row-major array into one contiguous array. */
function gatherRanges(values: Float32Array, width: number, ranges: number[], count: number): Float32Array {
  const out = new Float32Array(count * width);
  let at = 0;
  for (let r = 0; r < ranges.length; r += 2) {
    out.set(values.subarray(ranges[r] * width, ranges[r + 1] * width), at);
    at += (ranges[r + 1] - ranges[r]) * width;
  }
  return out;
}

export class TfjsEngine implements KernelEngine {
  readonly name = 'tfjs' as const;
  readonly threads = 1;
  private readonly tileRows: number;
  private readonly tileCols: number;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly tf: Tf,
    readonly backend: string,
    options: TfjsEngineOptions,
  ) {
    // Bigger tiles on a GPU (fewer, larger kernels; 2048 × 8192 float32 temporaries are 64 MiB each).
    const gpu = backend === 'tensorflow';
    this.tileRows = options.tileRows ?? (gpu ? 2048 : 512);
    this.tileCols = options.tileCols ?? (gpu ? 8192 : 4096);
    for (const [k, v] of [['tileRows', this.tileRows], ['tileCols', this.tileCols]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`kernels: ${k} must be a positive integer (got ${v})`);
    }
  }

  static async create(options: TfjsEngineOptions = {}): Promise<TfjsEngine> {
    let backend = options.backend ?? 'auto';
    if (backend === 'auto') backend = (await loadTfjsNodeGpu()) ? 'tensorflow' : 'wasm';
    const tf = await loadTfjs(backend);
    if (!(await tf.setBackend(backend))) throw new Error(`kernels: the tfjs backend '${backend}' failed to initialise`);
    await tf.ready();
    return new TfjsEngine(tf, backend, options);
  }

  /** One call at a time, with this engine's backend current (several engines may share one tfjs). */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      if (this.tf.getBackend() !== this.backend) await this.tf.setBackend(this.backend);
      return task();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Squared distances of an x tile [tx, dim] to a y tile given as its transpose [dim, ty]: [tx, ty]. */
  private dist2(xTile: Tensor2D, yT: Tensor2D, dim: number): Tensor2D {
    const tf = this.tf;
    let d2: Tensor2D | undefined;
    for (let d = 0; d < dim; d++) {
      const diff = tf.sub(tf.slice(xTile, [0, d], [-1, 1]), tf.slice(yT, [d, 0], [1, -1])) as Tensor2D;
      const sq = tf.square(diff);
      d2 = d2 ? tf.add(d2, sq) : sq;
    }
    return d2 as Tensor2D;
  }

  /** Scores s = h − C/ε of a tile. */
  private scores(xTile: Tensor2D, yT: Tensor2D, hRow: Tensor2D, dim: number, eps: number, p: CostExponent): Tensor2D {
    const tf = this.tf;
    const d2 = this.dist2(xTile, yT, dim);
    const cost = tf.mul(p === 2 ? d2 : tf.sqrt(d2), costScale(p, eps));
    return tf.sub(hRow, cost);
  }

  /** Uploads y (and h, v) tile by tile: transposed coordinates [dim, ty], h as [1, ty], v as [ty, vdim]. */
  private yTiles(y: Float32Array, m: number, dim: number, h?: Float32Array, v?: Float32Array, vdim = 0) {
    const tf = this.tf;
    const tiles: { j0: number; yT: Tensor2D; hRow?: Tensor2D; v?: Tensor2D }[] = [];
    for (let j0 = 0; j0 < m; j0 += this.tileCols) {
      const j1 = Math.min(m, j0 + this.tileCols);
      tiles.push({
        j0,
        yT: tf.tidy(() => tf.transpose(tf.tensor2d(rows(y, dim, j0, j1), [j1 - j0, dim]))),
        hRow: h ? tf.tensor2d(h.subarray(j0, j1), [1, j1 - j0]) : undefined,
        v: v ? tf.tensor2d(rows(v, vdim, j0, j1), [j1 - j0, vdim]) : undefined,
      });
    }
    return tiles;
  }

  private static disposeTiles(tiles: { yT: Tensor2D; hRow?: Tensor2D; v?: Tensor2D }[]): void {
    for (const t of tiles) {
      t.yT.dispose();
      t.hRow?.dispose();
      t.v?.dispose();
    }
  }

  /**
   * Streamed log-sum-exp of s_ij = h_j − C(x_i, y_j)/ε over all j (dense) for the n rows of `x`, with the
   * weighted sums of v when given. Returns lse (−∞ for rows with no finite term) and Σ e·v / Σ e.
   */
  private async denseLse(
    x: Float32Array,
    n: number,
    y: Float32Array,
    m: number,
    dim: number,
    h: Float32Array,
    eps: number,
    p: CostExponent,
    v?: Float32Array,
    vdim = 0,
  ): Promise<{ lse: Float64Array; mean?: Float64Array }> {
    const tf = this.tf;
    const lse = new Float64Array(n).fill(-Infinity);
    const mean = v ? new Float64Array(n * vdim) : undefined;
    if (m === 0 || n === 0) return { lse, mean };
    const tiles = this.yTiles(y, m, dim, h, v, vdim);
    try {
      for (let i0 = 0; i0 < n; i0 += this.tileRows) {
        const i1 = Math.min(n, i0 + this.tileRows);
        const tx = i1 - i0;
        const xTile = tf.tensor2d(rows(x, dim, i0, i1), [tx, dim]);
        let state: LseState = {
          max: tf.fill([tx], -Infinity) as Tensor1D,
          sum: tf.zeros([tx]) as Tensor1D,
          acc: v ? (tf.zeros([tx, vdim]) as Tensor2D) : undefined,
        };
        for (const tile of tiles) {
          const next = tf.tidy(() => {
            const s = this.scores(xTile, tile.yT, tile.hRow as Tensor2D, dim, eps, p);
            const newMax = tf.maximum(state.max, tf.max(s, 1));
            const shift = tf.maximum(newMax, FINITE_FLOOR);
            const rescale = tf.exp(tf.sub(state.max, shift));
            const e = tf.exp(tf.sub(s, tf.expandDims(shift, 1)));
            const sum = tf.add(tf.mul(state.sum, rescale), tf.sum(e, 1));
            if (!state.acc || !tile.v) return [newMax, sum];
            return [newMax, sum, tf.add(tf.mul(state.acc, tf.expandDims(rescale, 1)), tf.matMul(e as Tensor2D, tile.v))];
          });
          state.max.dispose();
          state.sum.dispose();
          state.acc?.dispose();
          state = { max: next[0] as Tensor1D, sum: next[1] as Tensor1D, acc: next[2] as Tensor2D | undefined };
        }
        const [maxV, sumV] = await Promise.all([state.max.data(), state.sum.data()]);
        const accV = state.acc ? await state.acc.data() : undefined;
        xTile.dispose();
        state.max.dispose();
        state.sum.dispose();
        state.acc?.dispose();
        for (let r = 0; r < tx; r++) {
          const sum = sumV[r];
          if (!(sum > 0) || !Number.isFinite(maxV[r])) continue;
          lse[i0 + r] = maxV[r] + Math.log(sum);
          if (mean && accV) for (let c = 0; c < vdim; c++) mean[(i0 + r) * vdim + c] = accV[r * vdim + c] / sum;
        }
      }
    } finally {
      TfjsEngine.disposeTiles(tiles);
    }
    return { lse, mean };
  }

  /** denseLse over the kept blocks of each x cluster (see BlockSparsity), or densely without sparsity. */
  private async blockLse(
    x: Cloud,
    y: Cloud,
    n: number,
    m: number,
    h: Float32Array,
    eps: number,
    p: CostExponent,
    sparsity: BlockSparsity | undefined,
    v?: Float32Array,
    vdim = 0,
  ): Promise<{ lse: Float64Array; mean?: Float64Array }> {
    const dim = x.dim;
    if (!sparsity) return this.denseLse(x.points, n, y.points, m, dim, h, eps, p, v, vdim);
    const lse = new Float64Array(n).fill(-Infinity);
    const mean = v ? new Float64Array(n * vdim) : undefined;
    const s = sparsity;
    for (let k = 0; k + 1 < s.xStart.length; k++) {
      const i0 = s.xStart[k];
      const i1 = s.xStart[k + 1];
      if (i1 === i0) continue;
      const ranges = columnRanges(s, k);
      let count = 0;
      for (let r = 0; r < ranges.length; r += 2) count += ranges[r + 1] - ranges[r];
      if (count === 0) continue;
      const part = await this.denseLse(
        rows(x.points, dim, i0, i1),
        i1 - i0,
        gatherRanges(y.points, dim, ranges, count),
        count,
        dim,
        gatherRanges(h, 1, ranges, count),
        eps,
        p,
        v ? gatherRanges(v, vdim, ranges, count) : undefined,
        vdim,
      );
      lse.set(part.lse, i0);
      if (mean && part.mean) mean.set(part.mean, i0 * vdim);
    }
    return { lse, mean };
  }

  softmin(eps: number, p: CostExponent, x: Cloud, y: Cloud, h: Float32Array, out: Float32Array, sparsity?: BlockSparsity): Promise<void> {
    return this.exclusive(async () => {
      const { n, m } = checkSoftminCall(eps, p, x, y, h, out, sparsity);
      const { lse } = await this.blockLse(x, y, n, m, h, eps, p, sparsity);
      for (let i = 0; i < n; i++) out[i] = lse[i] === -Infinity ? EMPTY_SOFTMIN : clampOutput(-eps * lse[i]);
    });
  }

  softminWeighted(
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
    return this.exclusive(async () => {
      const { n, m } = checkWeightedCall(eps, p, x, y, h, v, vdim, outLse, outMean, sparsity);
      const { lse, mean } = await this.blockLse(x, y, n, m, h, eps, p, sparsity, v, vdim);
      for (let i = 0; i < n; i++) {
        const empty = lse[i] === -Infinity;
        outLse[i] = empty ? EMPTY_LSE : clampOutput(lse[i]);
        for (let c = 0; c < vdim; c++) outMean[i * vdim + c] = empty || !mean ? 0 : clampOutput(mean[i * vdim + c]);
      }
    });
  }

  argmaxScore(eps: number, p: CostExponent, x: Cloud, y: Cloud, h: Float32Array, outIndex: Int32Array, outScore: Float32Array): Promise<void> {
    return this.exclusive(async () => {
      const { n, m, dim } = checkArgmaxCall(eps, p, x, y, h, outIndex, outScore);
      outIndex.fill(-1);
      outScore.fill(EMPTY_SCORE);
      if (n === 0 || m === 0) return;
      const tf = this.tf;
      const tiles = this.yTiles(y.points, m, dim, h);
      try {
        for (let i0 = 0; i0 < n; i0 += this.tileRows) {
          const i1 = Math.min(n, i0 + this.tileRows);
          const xTile = tf.tensor2d(rows(x.points, dim, i0, i1), [i1 - i0, dim]);
          let best = tf.fill([i1 - i0], -Infinity) as Tensor1D;
          let bestIndex = tf.fill([i1 - i0], -1, 'int32') as Tensor1D;
          for (const tile of tiles) {
            const [nb, ni] = tf.tidy(() => {
              const s = this.scores(xTile, tile.yT, tile.hRow as Tensor2D, dim, eps, p);
              const tileMax = tf.max(s, 1);
              const tileIndex = tf.add(tf.argMax(s, 1), tf.scalar(tile.j0, 'int32'));
              const better = tf.greater(tileMax, best);
              return [tf.where(better, tileMax, best) as Tensor1D, tf.where(better, tileIndex, bestIndex) as Tensor1D];
            });
            best.dispose();
            bestIndex.dispose();
            best = nb;
            bestIndex = ni;
          }
          const [bv, iv] = await Promise.all([best.data(), bestIndex.data()]);
          xTile.dispose();
          best.dispose();
          bestIndex.dispose();
          for (let r = 0; r < i1 - i0; r++) {
            if (iv[r] < 0) continue;
            outIndex[i0 + r] = iv[r];
            outScore[i0 + r] = clampOutput(bv[r]);
          }
        }
      } finally {
        TfjsEngine.disposeTiles(tiles);
      }
    });
  }

  gaussianSum(sigmas: readonly number[], scaleWeights: readonly number[], x: Cloud, y: Cloud, v: Float32Array, vdim: number, out: Float32Array): Promise<void> {
    return this.exclusive(async () => {
      const { n, m, dim } = checkGaussianCall(sigmas, scaleWeights, x, y, v, vdim, out);
      out.fill(0);
      if (n === 0 || m === 0) return;
      const tf = this.tf;
      const tiles = this.yTiles(y.points, m, dim, undefined, v, vdim);
      try {
        for (let i0 = 0; i0 < n; i0 += this.tileRows) {
          const i1 = Math.min(n, i0 + this.tileRows);
          const xTile = tf.tensor2d(rows(x.points, dim, i0, i1), [i1 - i0, dim]);
          let acc = tf.zeros([i1 - i0, vdim]) as Tensor2D;
          for (const tile of tiles) {
            const next = tf.tidy(() => {
              const d2 = this.dist2(xTile, tile.yT, dim);
              let k: Tensor2D | undefined;
              sigmas.forEach((s, q) => {
                const term = tf.mul(tf.exp(tf.mul(d2, -1 / (2 * s * s))), scaleWeights[q]) as Tensor2D;
                k = k ? tf.add(k, term) : term;
              });
              return tf.add(acc, tf.matMul(k as Tensor2D, tile.v as Tensor2D)) as Tensor2D;
            });
            acc.dispose();
            acc = next;
          }
          const values = await acc.data();
          xTile.dispose();
          acc.dispose();
          for (let t = 0; t < values.length; t++) out[i0 * vdim + t] = clampOutput(values[t]);
        }
      } finally {
        TfjsEngine.disposeTiles(tiles);
      }
    });
  }

  knn(k: number, x: Cloud, y: Cloud, outIndex: Int32Array, outDist2: Float32Array): Promise<void> {
    return this.exclusive(async () => {
      const { n, m, dim } = checkKnnCall(k, x, y, outIndex, outDist2);
      if (n === 0) return;
      const tf = this.tf;
      const tiles = this.yTiles(y.points, m, dim);
      try {
        for (let i0 = 0; i0 < n; i0 += this.tileRows) {
          const i1 = Math.min(n, i0 + this.tileRows);
          const xTile = tf.tensor2d(rows(x.points, dim, i0, i1), [i1 - i0, dim]);
          // Running best: negated squared distances (top-k takes the largest) and their column indices.
          let negBest: Tensor2D | undefined;
          let bestIndex: Tensor2D | undefined;
          for (const tile of tiles) {
            const [nb, ni] = tf.tidy(() => {
              const neg = tf.neg(this.dist2(xTile, tile.yT, dim)) as Tensor2D;
              const width = neg.shape[1];
              const tileTop = tf.topk(neg, Math.min(k, width));
              const tileIndex = tf.add(tileTop.indices, tf.scalar(tile.j0, 'int32')) as Tensor2D;
              if (!negBest || !bestIndex) return [tileTop.values, tileIndex];
              const values = tf.concat([negBest, tileTop.values], 1);
              const indices = tf.concat([bestIndex, tileIndex], 1);
              const width2 = values.shape[1];
              const top = tf.topk(values, Math.min(k, width2));
              // Row-wise gather as one flat gather (tfjs-backend-wasm's batched gather reads out of bounds).
              const rowBase = tf.mul(tf.range(0, values.shape[0], 1, 'int32'), tf.scalar(width2, 'int32'));
              const flat = tf.add(top.indices, tf.expandDims(rowBase, 1));
              return [top.values, tf.reshape(tf.gather(tf.reshape(indices, [-1]), tf.reshape(flat, [-1])), top.indices.shape) as Tensor2D];
            });
            negBest?.dispose();
            bestIndex?.dispose();
            negBest = nb;
            bestIndex = ni;
          }
          if (!negBest || !bestIndex) throw new Error('kernels: knn over an empty y');
          const [dv, iv] = await Promise.all([negBest.data(), bestIndex.data()]);
          xTile.dispose();
          negBest.dispose();
          bestIndex.dispose();
          for (let t = 0; t < dv.length; t++) {
            outDist2[i0 * k + t] = -dv[t];
            outIndex[i0 * k + t] = iv[t];
          }
        }
      } finally {
        TfjsEngine.disposeTiles(tiles);
      }
    });
  }

  async dispose(): Promise<void> {
    await this.queue;
  }
}
