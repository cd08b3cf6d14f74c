/**
 * The 'cpu' engine: WASM SIMD kernels (core/kernels/wasm/, AssemblyScript) on a pool of worker threads sharing
 * one WebAssembly memory (cpu-pool.ts). Each call lays its inputs out in that memory — x row-major, y and v one
 * padded array per coordinate so the kernels load four columns per f32x4, h padded with −∞ — writes a float64
 * parameter block (wasm-layout.ts), runs a row kernel over the rows and copies the outputs back.
 *
 * Inputs are copied on every call rather than cached by array identity: callers (Sinkhorn, registration)
 * update clouds in place between calls, which an identity cache would silently miss, and the copy is O(N + M)
 * against the O(N·M) reduction (test/bench/kernels.ts measures the whole per-call overhead). Block structures are
 * the exception: they are immutable by contract (types.ts), so their validation and pair count are remembered.
 *
 * Besides the reductions it runs the multiscale solver's truncation test (prunePairs): a first parallel pass
 * tests each row's candidates and leaves the survivors at the start of the row's own segment, a second one
 * moves them to their CSR places once the host has summed the per-row counts.
 */
import { defaultThreadCount } from '../runtime/thread-count.ts';
import { costScale } from './cost-scale.ts';
import { CpuPool } from './cpu-pool.ts';
import { EMPTY_LSE, EMPTY_SCORE, EMPTY_SOFTMIN, OUTPUT_LIMIT } from './output-limits.ts';
import type { BlockSparsity, Cloud, CostExponent, KernelEngine, PairList, PrunedPairList, PruneTest } from './types.ts';
import {
  checkArgmaxCall,
  checkExponent,
  checkGaussianCall,
  checkKnnCall,
  checkLength,
  checkPairList,
  checkPruneTest,
  checkSoftminCall,
  checkWeightedCall,
  pairSizes,
} from './validate.ts';
import { COLUMN_PAD, PARAM_SLOTS, ParamSlot, type RowKernel } from './wasm-layout.ts';

export interface CpuEngineOptions {
  /** Worker threads; default `MONGE_THREADS` or os.availableParallelism(). */
  threads?: number;
  /**
   * Jobs of fewer (i, j) pairs run inline on the calling thread instead of waking the pool (default
   * INLINE_PAIRS = 8192); 0 sends every job to the workers (tests, overhead measurements).
   */
  inlinePairs?: number;
}

/** Padded length of the per-coordinate column arrays. */
function columnStride(m: number): number {
  return Math.ceil(m / 4) * 4 + COLUMN_PAD;
}

/** Bump allocation of one call's data above the pool's scratch areas (16-byte aligned). */
class CallArena {
  end: number;
  constructor(base: number) {
    this.end = base;
  }
  take(bytes: number): number {
    const at = Math.ceil(this.end / 16) * 16;
    this.end = at + bytes;
    return at;
  }
}

/** The block structure "everything kept": one x cluster, one y cluster. */
function denseSparsity(n: number, m: number): BlockSparsity {
  return {
    xStart: Uint32Array.of(0, n),
    yStart: Uint32Array.of(0, m),
    rowPtr: Uint32Array.of(0, 1),
    cols: Uint32Array.of(0),
  };
}

const keptPairsCache = new WeakMap<BlockSparsity, number>();

/** starts[k] = k for every k. */
function isIdentity(starts: Uint32Array): boolean {
  for (let k = 0; k < starts.length; k++) if (starts[k] !== k) return false;
  return true;
}

/** Number of kept (i, j) pairs of a block structure (remembered per structure: they are never mutated). */
function keptPairs(s: BlockSparsity): number {
  const known = keptPairsCache.get(s);
  if (known !== undefined) return known;
  if (s.xStart.length === s.rowPtr.length && isIdentity(s.xStart) && isIdentity(s.yStart)) {
    // one point per block (core/ot's pointwise truncation): the pairs are the columns
    keptPairsCache.set(s, s.cols.length);
    return s.cols.length;
  }
  let pairs = 0;
  for (let k = 0; k + 1 < s.xStart.length; k++) {
    let cols = 0;
    for (let b = s.rowPtr[k]; b < s.rowPtr[k + 1]; b++) cols += s.yStart[s.cols[b] + 1] - s.yStart[s.cols[b]];
    pairs += cols * (s.xStart[k + 1] - s.xStart[k]);
  }
  keptPairsCache.set(s, pairs);
  return pairs;
}

export class CpuEngine implements KernelEngine {
  readonly name = 'cpu' as const;
  readonly backend = 'wasm-simd';
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly pool: CpuPool) {}

  static async create(options: CpuEngineOptions = {}): Promise<CpuEngine> {
    const pool = await CpuPool.create(options.threads ?? defaultThreadCount());
    if (options.inlinePairs !== undefined) pool.inlinePairs = options.inlinePairs;
    return new CpuEngine(pool);
  }

  get threads(): number {
    return this.pool.threads;
  }

  /** Calls share the pool and its memory: run them one at a time, in call order. */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Writes a cloud row-major. */
  private static writeRows(buffer: SharedArrayBuffer, at: number, cloud: Cloud): void {
    new Float32Array(buffer, at, cloud.points.length).set(cloud.points);
  }

  /** Writes `values` (rows × dim, row-major) as one padded array per coordinate, padding with `pad`. */
  private static writeColumns(buffer: SharedArrayBuffer, at: number, values: Float32Array, dim: number, stride: number, pad: number): void {
    const rows = values.length / dim;
    const out = new Float32Array(buffer, at, dim * stride);
    for (let d = 0; d < dim; d++) {
      const base = d * stride;
      for (let j = 0, src = d; j < rows; j++, src += dim) out[base + j] = values[src];
      out.fill(pad, base + rows, base + stride);
    }
  }

  private static writeU32(buffer: SharedArrayBuffer, at: number, values: Uint32Array): void {
    new Uint32Array(buffer, at, values.length).set(values);
  }

  /** Lays out x, y (and h, v, sparsity when given), returns the parameter block view and offsets. */
  private layout(
    x: Cloud,
    y: Cloud,
    n: number,
    m: number,
    extra: {
      h?: Float32Array;
      v?: Float32Array;
      vdim?: number;
      sparsity?: BlockSparsity;
      /** pruneRows: per-row potentials and the candidate pairs (rowPtr in the rowPtr slot, cols in cols). */
      u?: Float32Array;
      pairs?: PairList;
      out1Bytes: number;
      out2Bytes: number;
      sigmaPairs?: number;
    },
  ): { buffer: SharedArrayBuffer; params: number; out1: number; out2: number; sigmas: number; end: number } {
    const dim = x.dim;
    const stride = columnStride(m);
    const arena = new CallArena(this.pool.dataBase);
    const params = arena.take(PARAM_SLOTS * 8);
    const xAt = arena.take(4 * n * dim);
    const yAt = arena.take(4 * dim * stride);
    const hAt = extra.h ? arena.take(4 * stride) : 0;
    const vAt = extra.v ? arena.take(4 * (extra.vdim ?? 1) * stride) : 0;
    const out1 = arena.take(extra.out1Bytes);
    const out2 = arena.take(extra.out2Bytes);
    const s = extra.sparsity;
    const xsAt = s ? arena.take(4 * s.xStart.length) : 0;
    const ysAt = s ? arena.take(4 * s.yStart.length) : 0;
    const rpAt = s ? arena.take(4 * s.rowPtr.length) : 0;
    const colsAt = s ? arena.take(4 * Math.max(1, s.cols.length)) : 0;
    const sigmas = arena.take(8 * (extra.sigmaPairs ?? 0));
    const uAt = extra.u ? arena.take(4 * n) : 0;
    const pairs = extra.pairs;
    const pairsPtrAt = pairs ? arena.take(4 * pairs.rowPtr.length) : 0;
    const pairsColsAt = pairs ? arena.take(4 * Math.max(1, pairs.cols.length)) : 0;
    this.pool.ensureBytes(arena.end);

    const buffer = this.pool.memory.buffer;
    CpuEngine.writeRows(buffer, xAt, x);
    CpuEngine.writeColumns(buffer, yAt, y.points, dim, stride, 0);
    if (extra.h) CpuEngine.writeColumns(buffer, hAt, extra.h, 1, stride, -Infinity);
    if (extra.v) CpuEngine.writeColumns(buffer, vAt, extra.v, extra.vdim ?? 1, stride, 0);
    if (s) {
      CpuEngine.writeU32(buffer, xsAt, s.xStart);
      CpuEngine.writeU32(buffer, ysAt, s.yStart);
      CpuEngine.writeU32(buffer, rpAt, s.rowPtr);
      CpuEngine.writeU32(buffer, colsAt, s.cols);
    }
    if (extra.u) new Float32Array(buffer, uAt, n).set(extra.u);
    if (pairs) {
      CpuEngine.writeU32(buffer, pairsPtrAt, pairs.rowPtr);
      CpuEngine.writeU32(buffer, pairsColsAt, pairs.cols);
    }
    const P = new Float64Array(buffer, params, PARAM_SLOTS);
    P.fill(0);
    P[ParamSlot.N] = n;
    P[ParamSlot.M] = m;
    P[ParamSlot.dim] = dim;
    P[ParamSlot.x] = xAt;
    P[ParamSlot.y] = yAt;
    P[ParamSlot.stride] = stride;
    P[ParamSlot.h] = hAt;
    P[ParamSlot.v] = vAt;
    P[ParamSlot.vdim] = extra.vdim ?? 0;
    P[ParamSlot.out1] = out1;
    P[ParamSlot.out2] = out2;
    P[ParamSlot.xStart] = xsAt;
    P[ParamSlot.yStart] = ysAt;
    P[ParamSlot.rowPtr] = rpAt;
    P[ParamSlot.cols] = colsAt;
    P[ParamSlot.clusters] = s ? s.xStart.length - 1 : 0;
    P[ParamSlot.sigmas] = sigmas;
    P[ParamSlot.limit] = OUTPUT_LIMIT;
    if (extra.u) P[ParamSlot.u] = uAt;
    if (pairs) {
      P[ParamSlot.rowPtr] = pairsPtrAt;
      P[ParamSlot.cols] = pairsColsAt;
    }
    return { buffer, params, out1, out2, sigmas, end: arena.end };
  }

  private setCost(buffer: SharedArrayBuffer, params: number, eps: number, p: CostExponent): void {
    const P = new Float64Array(buffer, params, PARAM_SLOTS);
    P[ParamSlot.p] = p;
    P[ParamSlot.scale] = costScale(p, eps);
  }

  private run(kernel: RowKernel, params: number, rows: number, pairs: number): Promise<void> {
    return this.pool.run(kernel, params, rows, pairs);
  }

  softmin(eps: number, p: CostExponent, x: Cloud, y: Cloud, h: Float32Array, out: Float32Array, sparsity?: BlockSparsity): Promise<void> {
    return this.exclusive(async () => {
      const { n, m } = checkSoftminCall(eps, p, x, y, h, out, sparsity);
      if (n === 0) return;
      const s = sparsity ?? denseSparsity(n, m);
      const L = this.layout(x, y, n, m, { h, sparsity: s, out1Bytes: 4 * n, out2Bytes: 0 });
      this.setCost(L.buffer, L.params, eps, p);
      const P = new Float64Array(L.buffer, L.params, PARAM_SLOTS);
      P[ParamSlot.outScale] = -eps;
      P[ParamSlot.empty] = EMPTY_SOFTMIN;
      await this.run('lseRows', L.params, n, sparsity ? keptPairs(s) : n * m);
      out.set(new Float32Array(this.pool.memory.buffer, L.out1, n));
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
      if (n === 0) return;
      const s = sparsity ?? denseSparsity(n, m);
      const L = this.layout(x, y, n, m, { h, v, vdim, sparsity: s, out1Bytes: 4 * n, out2Bytes: 4 * n * vdim });
      this.setCost(L.buffer, L.params, eps, p);
      const P = new Float64Array(L.buffer, L.params, PARAM_SLOTS);
      P[ParamSlot.outScale] = 1;
      P[ParamSlot.empty] = EMPTY_LSE;
      await this.run('weightedRows', L.params, n, sparsity ? keptPairs(s) : n * m);
      const buffer = this.pool.memory.buffer;
      outLse.set(new Float32Array(buffer, L.out1, n));
      outMean.set(new Float32Array(buffer, L.out2, n * vdim));
    });
  }

  argmaxScore(eps: number, p: CostExponent, x: Cloud, y: Cloud, h: Float32Array, outIndex: Int32Array, outScore: Float32Array): Promise<void> {
    return this.exclusive(async () => {
      const { n, m } = checkArgmaxCall(eps, p, x, y, h, outIndex, outScore);
      if (n === 0) return;
      const L = this.layout(x, y, n, m, { h, out1Bytes: 4 * n, out2Bytes: 4 * n });
      this.setCost(L.buffer, L.params, eps, p);
      new Float64Array(L.buffer, L.params, PARAM_SLOTS)[ParamSlot.empty] = EMPTY_SCORE;
      await this.run('argmaxRows', L.params, n, n * m);
      const buffer = this.pool.memory.buffer;
      outIndex.set(new Int32Array(buffer, L.out1, n));
      outScore.set(new Float32Array(buffer, L.out2, n));
    });
  }

  gaussianSum(sigmas: readonly number[], scaleWeights: readonly number[], x: Cloud, y: Cloud, v: Float32Array, vdim: number, out: Float32Array): Promise<void> {
    return this.exclusive(async () => {
      const { n, m } = checkGaussianCall(sigmas, scaleWeights, x, y, v, vdim, out);
      if (n === 0) return;
      const L = this.layout(x, y, n, m, { v, vdim, out1Bytes: 4 * n * vdim, out2Bytes: 0, sigmaPairs: sigmas.length });
      const pairs = new Float32Array(L.buffer, L.sigmas, 2 * sigmas.length);
      sigmas.forEach((s, q) => {
        pairs[2 * q] = 1 / (2 * s * s);
        pairs[2 * q + 1] = scaleWeights[q];
      });
      new Float64Array(L.buffer, L.params, PARAM_SLOTS)[ParamSlot.sigmaCount] = sigmas.length;
      await this.run('gaussianRows', L.params, n, n * m * sigmas.length);
      out.set(new Float32Array(this.pool.memory.buffer, L.out1, n * vdim));
    });
  }

  knn(k: number, x: Cloud, y: Cloud, outIndex: Int32Array, outDist2: Float32Array): Promise<void> {
    return this.exclusive(async () => {
      const { n, m } = checkKnnCall(k, x, y, outIndex, outDist2);
      if (n === 0) return;
      const L = this.layout(x, y, n, m, { out1Bytes: 4 * n * k, out2Bytes: 4 * n * k });
      new Float64Array(L.buffer, L.params, PARAM_SLOTS)[ParamSlot.knnK] = k;
      await this.run('knnRows', L.params, n, n * m);
      const buffer = this.pool.memory.buffer;
      outIndex.set(new Int32Array(buffer, L.out1, n * k));
      outDist2.set(new Float32Array(buffer, L.out2, n * k));
    });
  }

  prunePairs(p: CostExponent, x: Cloud, y: Cloud, u: Float32Array, v: Float32Array, test: PruneTest, pairs: PairList): Promise<PrunedPairList> {
    return this.exclusive(async () => {
      const { n, m } = pairSizes(x, y);
      checkExponent(p);
      checkLength(u, n, 'u');
      checkLength(v, m, 'v');
      checkPruneTest(test, n, m);
      checkPairList(pairs, n, m);
      const nnz = pairs.cols.length;
      if (n === 0 || nnz === 0) {
        const empty = (): PairList => ({ rowPtr: new Uint32Array(n + 1), cols: new Uint32Array(0) });
        return { kept: empty(), candidates: empty(), rowMax: new Float32Array(n).fill(-Infinity) };
      }
      const L = this.layout(x, y, n, m, { h: v, u, pairs, out1Bytes: 4 * nnz, out2Bytes: 8 * n });
      // references (+∞ when absent: the relative test is then off), row maxima, then the compaction's offsets
      // and output
      const arena = new CallArena(L.end);
      const rowRefAt = arena.take(4 * n);
      const colRefAt = arena.take(4 * m);
      const rowMaxAt = arena.take(4 * n);
      const offsetsAt = arena.take(8 * n);
      const outAt = arena.take(4 * 2 * nnz);
      this.pool.ensureBytes(arena.end);
      let buffer = this.pool.memory.buffer;
      const rowRef = new Float32Array(buffer, rowRefAt, n);
      const colRef = new Float32Array(buffer, colRefAt, m);
      if (test.rowReference) rowRef.set(test.rowReference);
      else rowRef.fill(Infinity);
      if (test.columnReference) colRef.set(test.columnReference);
      else colRef.fill(Infinity);
      const P = new Float64Array(buffer, L.params, PARAM_SLOTS);
      P[ParamSlot.p] = p;
      P[ParamSlot.keep] = test.keepAbove;
      P[ParamSlot.cand] = test.candidateAbove;
      P[ParamSlot.rowRef] = rowRefAt;
      P[ParamSlot.colRef] = colRefAt;
      P[ParamSlot.relative] = test.relativeMargin ?? 0;
      P[ParamSlot.out4] = rowMaxAt;
      await this.run('pruneRows', L.params, n, nnz);
      // per-row counts → CSR offsets; a second pass moves each row's survivors to their places
      buffer = this.pool.memory.buffer;
      const counts = new Uint32Array(buffer, L.out2, 2 * n);
      const candPtr = new Uint32Array(n + 1);
      const keptPtr = new Uint32Array(n + 1);
      for (let i = 0; i < n; i++) {
        candPtr[i + 1] = candPtr[i] + counts[2 * i];
        keptPtr[i + 1] = keptPtr[i] + counts[2 * i + 1];
      }
      const nc = candPtr[n];
      const nk = keptPtr[n];
      const offsets = new Uint32Array(buffer, offsetsAt, 2 * n);
      for (let i = 0; i < n; i++) {
        offsets[2 * i] = candPtr[i];
        offsets[2 * i + 1] = nc + keptPtr[i];
      }
      P[ParamSlot.offsets] = offsetsAt;
      P[ParamSlot.out3] = outAt;
      await this.run('compactRows', L.params, n, nc + nk);
      buffer = this.pool.memory.buffer;
      const out = new Uint32Array(buffer, outAt, nc + nk);
      return {
        kept: { rowPtr: keptPtr, cols: out.slice(nc, nc + nk) },
        candidates: { rowPtr: candPtr, cols: out.slice(0, nc) },
        rowMax: new Float32Array(buffer, rowMaxAt, n).slice(),
      };
    });
  }

  dispose(): Promise<void> {
    return this.exclusive(() => this.pool.dispose());
  }
}
