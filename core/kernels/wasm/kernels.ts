// AssemblyScript (compiled by `npm run build:kernels` into kernels.wasm); excluded from tsc and eslint.

/**
 * Entry point of the WASM SIMD kernels behind the 'cpu' engine (core/kernels/cpu-engine.ts). The module imports
 * one shared memory; the host lays out the inputs, a parameter block and one scratch area per thread in it, and
 * each worker calls a row kernel on the row ranges it claims. Nothing here allocates.
 *
 * The parameter block is float64 slots (integers and byte offsets are exact in a double); the slot numbers are
 * mirrored in core/kernels/wasm-layout.ts and must stay in step with it.
 *
 * Reductions are streamed in chunks of CH columns: the scores of a chunk are computed into scratch with f32x4
 * (taking the chunk maximum on the way), then Σ exp(s − max) is merged into the running (max, sum) in float64
 * — the max-stabilised two-pass log-sum-exp of Feydy et al. 2019 (GeomLoss) per chunk, O(1) memory per row.
 * Block-sparse rows gather the scores of their kept blocks into the same chunks, runs of consecutive kept
 * clusters (contiguous columns) merged into one fill, and take each chunk's maximum in one pass afterwards (a
 * horizontal max per short run cost more than its scores); the dense case is the block structure with a single
 * block. pruneRows / compactRows are the multiscale solver's truncation test (core/ot/multiscale/truncation.ts
 * holds the same test in JS).
 *
 * Performance notes (V8 on x64, measured): f32x4.max/min are lowered to ~8 instructions for their NaN and ±0
 * rules, so only pmax/pmin (one maxps) are used; v128 constants are loaded from memory into locals before the
 * loops (as immediates V8 rematerialises them every iteration).
 */

import { MODE_DIST2, MODE_DISTANCE, MODE_SQUARED, fillScores, fillScoresOnly, gatherValues } from './pair-scores';
import { addInto, dot, firstIndexOf, maxOfVectors, padTail } from './chunk-reductions';
import { EXP_CONSTANTS_BYTES, expAffine, expSumShifted, writeExpConstants } from './simd-exp';

const P_M: usize = 2;
const P_DIM: usize = 3;
const P_P: usize = 4;
const P_SCALE: usize = 5;
const P_OUT_SCALE: usize = 6;
const P_X: usize = 7;
const P_Y: usize = 8;
const P_STRIDE: usize = 9;
const P_H: usize = 10;
const P_V: usize = 11;
const P_VDIM: usize = 12;
const P_OUT1: usize = 13;
const P_OUT2: usize = 14;
const P_XSTART: usize = 15;
const P_YSTART: usize = 16;
const P_ROWPTR: usize = 17;
const P_COLS: usize = 18;
const P_NCLUSTERS: usize = 19;
const P_KNN: usize = 20;
const P_NSIGMA: usize = 21;
const P_SIGMAS: usize = 22;
const P_EMPTY: usize = 23;
const P_LIMIT: usize = 24;
const P_U: usize = 25;
const P_KEEP: usize = 26;
const P_CAND: usize = 27;
const P_OFFSETS: usize = 28;
const P_OUT3: usize = 29;
const P_ROWREF: usize = 30;
const P_COLREF: usize = 31;
const P_RELATIVE: usize = 32;
const P_OUT4: usize = 33;

/** Columns per chunk. */
const CH: i32 = 512;
/** Bytes of one chunk buffer (CH plus a spare vector for the partial tail). */
const CHB: usize = ((<usize>CH) + 8) << 2;
/** Largest point dimension, value channels, k of kNN. */
const DMAX: i32 = 64;
const VMAX: i32 = 16;
const KMAX: i32 = 64;

const OFF_S: usize = 0;
const OFF_T: usize = CHB;
const OFF_K: usize = 2 * CHB;
const OFF_XS: usize = 3 * CHB;
const OFF_ACC: usize = OFF_XS + ((<usize>DMAX) << 4);
const OFF_KD: usize = OFF_ACC + ((<usize>VMAX) << 3);
const OFF_KI: usize = OFF_KD + ((<usize>KMAX) << 2);
const OFF_CONST: usize = OFF_KI + ((<usize>KMAX) << 2);
const OFF_V: usize = OFF_CONST + EXP_CONSTANTS_BYTES;
const SCRATCH_BYTES: usize = OFF_V + (<usize>VMAX) * CHB;

/** Bytes of scratch each thread needs (16-byte aligned). */
export function scratchBytes(): i32 {
  return <i32>((SCRATCH_BYTES + 15) & ~15);
}

/** End of the module's own static data; the host places everything above it. */
export function heapBase(): i32 {
  return <i32>__heap_base;
}

/** e^x of `nvec` vectors at `src` into `dst`, for testing the SIMD exponential against Math.exp. */
export function expChunk(src: usize, dst: usize, nvec: i32, scratch: usize): void {
  writeExpConstants(scratch + OFF_CONST);
  expAffine(src, dst, nvec, 1, 0, 1, scratch + OFF_CONST);
}

/** Σ exp(src − shift) over `nvec` vectors (tests the log-sum-exp copy of the exponential). */
export function expSumChunk(src: usize, nvec: i32, shift: f32, scratch: usize): f32 {
  writeExpConstants(scratch + OFF_CONST);
  return expSumShifted(src, nvec, shift, scratch + OFF_CONST);
}

/** Limits the host checks against: [chunk, max dim, max value channels, max k]. */
export function limits(which: i32): i32 {
  if (which == 0) return CH;
  if (which == 1) return DMAX;
  if (which == 2) return VMAX;
  return KMAX;
}

function slot(params: usize, index: usize): f64 {
  return load<f64>(params + (index << 3));
}

function ptr(params: usize, index: usize): usize {
  return <usize>load<f64>(params + (index << 3));
}

/** Splats the coordinates of x row i into `xs` (one vector per coordinate). */
function splatRow(x: usize, dim: i32, i: i32, xs: usize): void {
  const row = x + ((<usize>i * <usize>dim) << 2);
  for (let d = 0; d < dim; d++) {
    v128.store(xs + ((<usize>d) << 4), f32x4.splat(load<f32>(row + ((<usize>d) << 2))));
  }
}

/** The x cluster holding row i: the last k with xStart[k] ≤ i (skips empty clusters). */
function clusterOf(xStart: usize, clusters: i32, i: i32): i32 {
  let lo = 0;
  let hi = clusters;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (load<u32>(xStart + ((<usize>mid) << 2)) <= <u32>i) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

function clampOut(value: f64, limit: f64): f32 {
  return <f32>min(max(value, -limit), limit);
}

/**
 * Log-sum-exp rows i0 .. i1−1 over the kept blocks: out_i = outScale · log Σ_j exp(h_j − C(x_i, y_j)/ε)
 * (outScale = −ε gives the softmin). Rows with no finite term get the `empty` value.
 */
export function lseRows(params: usize, i0: i32, i1: i32, scratch: usize): void {
  const dim = <i32>slot(params, P_DIM);
  const mode = slot(params, P_P) == 1 ? MODE_DISTANCE : MODE_SQUARED;
  const scale = f32x4.splat(<f32>slot(params, P_SCALE));
  const outScale = slot(params, P_OUT_SCALE);
  const x = ptr(params, P_X);
  const y = ptr(params, P_Y);
  const strideBytes = ptr(params, P_STRIDE) << 2;
  const h = ptr(params, P_H);
  const out = ptr(params, P_OUT1);
  const xStart = ptr(params, P_XSTART);
  const yStart = ptr(params, P_YSTART);
  const rowPtr = ptr(params, P_ROWPTR);
  const cols = ptr(params, P_COLS);
  const clusters = <i32>slot(params, P_NCLUSTERS);
  const empty = slot(params, P_EMPTY);
  const limit = slot(params, P_LIMIT);
  const consts = scratch + OFF_CONST;
  writeExpConstants(consts);
  const S = scratch + OFF_S;
  const xs = scratch + OFF_XS;

  let k = clusterOf(xStart, clusters, i0);
  for (let i = i0; i < i1; i++) {
    while (load<u32>(xStart + ((<usize>(k + 1)) << 2)) <= <u32>i) k++;
    splatRow(x, dim, i, xs);
    const x0 = v128.load(xs);
    const x1 = v128.load(xs, 16);
    const x2 = v128.load(xs, 32);
    let runMax: f64 = -Infinity;
    let runSum: f64 = 0;
    let b = load<u32>(rowPtr + ((<usize>k) << 2));
    const bEnd = load<u32>(rowPtr + ((<usize>(k + 1)) << 2));
    let j: i32 = 0;
    let j1: i32 = 0;
    let pos: i32 = 0;
    let chunkMax: f32 = -Infinity;
    while (true) {
      while (pos < CH) {
        if (j >= j1) {
          if (b >= bEnd) break;
          let l = load<u32>(cols + ((<usize>b) << 2));
          b++;
          j = <i32>load<u32>(yStart + ((<usize>l) << 2));
          // consecutive kept clusters are contiguous columns: merge them into one run
          while (b < bEnd && load<u32>(cols + ((<usize>b) << 2)) == l + 1) {
            l++;
            b++;
          }
          j1 = <i32>load<u32>(yStart + ((<usize>(l + 1)) << 2));
          continue;
        }
        const n = min(j1 - j, CH - pos);
        fillScoresOnly(mode, dim, x0, x1, x2, xs, y, strideBytes, h, scale, j, n, S + ((<usize>pos) << 2));
        pos += n;
        j += n;
      }
      if (pos == 0) break;
      padTail(S, pos, -Infinity);
      const nvec = (pos + 3) >> 2;
      chunkMax = maxOfVectors(S, nvec);
      if (chunkMax > -Infinity) {
        const newMax = max(runMax, <f64>chunkMax);
        if (runSum > 0) runSum *= Math.exp(runMax - newMax);
        runSum += <f64>expSumShifted(S, nvec, <f32>newMax, consts);
        runMax = newMax;
      }
      pos = 0;
      chunkMax = -Infinity;
    }
    store<f32>(out + ((<usize>i) << 2), runSum > 0 ? clampOut(outScale * (runMax + Math.log(runSum)), limit) : <f32>empty);
  }
}

/**
 * Log-sum-exp rows with the softmax-weighted mean of v (vdim channels): outLse_i = log Σ_j exp(s_ij),
 * outMean_i,c = Σ_j exp(s_ij − outLse_i) v_j,c. Rows with no finite term: lse = `empty`, mean = 0.
 */
export function weightedRows(params: usize, i0: i32, i1: i32, scratch: usize): void {
  const dim = <i32>slot(params, P_DIM);
  const mode = slot(params, P_P) == 1 ? MODE_DISTANCE : MODE_SQUARED;
  const scale = f32x4.splat(<f32>slot(params, P_SCALE));
  const x = ptr(params, P_X);
  const y = ptr(params, P_Y);
  const strideBytes = ptr(params, P_STRIDE) << 2;
  const h = ptr(params, P_H);
  const v = ptr(params, P_V);
  const vdim = <i32>slot(params, P_VDIM);
  const outLse = ptr(params, P_OUT1);
  const outMean = ptr(params, P_OUT2);
  const xStart = ptr(params, P_XSTART);
  const yStart = ptr(params, P_YSTART);
  const rowPtr = ptr(params, P_ROWPTR);
  const cols = ptr(params, P_COLS);
  const clusters = <i32>slot(params, P_NCLUSTERS);
  const empty = slot(params, P_EMPTY);
  const limit = slot(params, P_LIMIT);
  const consts = scratch + OFF_CONST;
  writeExpConstants(consts);
  const S = scratch + OFF_S;
  const V = scratch + OFF_V;
  const acc = scratch + OFF_ACC;
  const xs = scratch + OFF_XS;

  let k = clusterOf(xStart, clusters, i0);
  for (let i = i0; i < i1; i++) {
    while (load<u32>(xStart + ((<usize>(k + 1)) << 2)) <= <u32>i) k++;
    splatRow(x, dim, i, xs);
    const x0 = v128.load(xs);
    const x1 = v128.load(xs, 16);
    const x2 = v128.load(xs, 32);
    for (let c = 0; c < vdim; c++) store<f64>(acc + ((<usize>c) << 3), 0);
    let runMax: f64 = -Infinity;
    let runSum: f64 = 0;
    let b = load<u32>(rowPtr + ((<usize>k) << 2));
    const bEnd = load<u32>(rowPtr + ((<usize>(k + 1)) << 2));
    let j: i32 = 0;
    let j1: i32 = 0;
    let pos: i32 = 0;
    let chunkMax: f32 = -Infinity;
    while (true) {
      while (pos < CH) {
        if (j >= j1) {
          if (b >= bEnd) break;
          let l = load<u32>(cols + ((<usize>b) << 2));
          b++;
          j = <i32>load<u32>(yStart + ((<usize>l) << 2));
          // consecutive kept clusters are contiguous columns: merge them into one run
          while (b < bEnd && load<u32>(cols + ((<usize>b) << 2)) == l + 1) {
            l++;
            b++;
          }
          j1 = <i32>load<u32>(yStart + ((<usize>(l + 1)) << 2));
          continue;
        }
        const n = min(j1 - j, CH - pos);
        fillScoresOnly(mode, dim, x0, x1, x2, xs, y, strideBytes, h, scale, j, n, S + ((<usize>pos) << 2));
        gatherValues(v, strideBytes, vdim, j, n, V + ((<usize>pos) << 2), CHB);
        pos += n;
        j += n;
      }
      if (pos == 0) break;
      padTail(S, pos, -Infinity);
      const nvec = (pos + 3) >> 2;
      chunkMax = maxOfVectors(S, nvec);
      if (chunkMax > -Infinity) {
        const newMax = max(runMax, <f64>chunkMax);
        if (runSum > 0) {
          const f = Math.exp(runMax - newMax);
          runSum *= f;
          for (let c = 0; c < vdim; c++) {
            const a = acc + ((<usize>c) << 3);
            store<f64>(a, load<f64>(a) * f);
          }
        }
        runSum += <f64>expAffine(S, S, nvec, 1, <f32>-newMax, 1, consts);
        for (let c = 0; c < vdim; c++) {
          const a = acc + ((<usize>c) << 3);
          store<f64>(a, load<f64>(a) + <f64>dot(S, V + (<usize>c) * CHB, nvec));
        }
        runMax = newMax;
      }
      pos = 0;
      chunkMax = -Infinity;
    }
    const meanRow = outMean + ((<usize>i * <usize>vdim) << 2);
    if (runSum > 0) {
      store<f32>(outLse + ((<usize>i) << 2), clampOut(runMax + Math.log(runSum), limit));
      for (let c = 0; c < vdim; c++) {
        store<f32>(meanRow + ((<usize>c) << 2), clampOut(load<f64>(acc + ((<usize>c) << 3)) / runSum, limit));
      }
    } else {
      store<f32>(outLse + ((<usize>i) << 2), <f32>empty);
      for (let c = 0; c < vdim; c++) store<f32>(meanRow + ((<usize>c) << 2), 0);
    }
  }
}

/** Arg-max over all j of s_ij (first index on ties) and its value; rows with no finite score: −1 and `empty`. */
export function argmaxRows(params: usize, i0: i32, i1: i32, scratch: usize): void {
  const M = <i32>slot(params, P_M);
  const dim = <i32>slot(params, P_DIM);
  const mode = slot(params, P_P) == 1 ? MODE_DISTANCE : MODE_SQUARED;
  const scale = f32x4.splat(<f32>slot(params, P_SCALE));
  const x = ptr(params, P_X);
  const y = ptr(params, P_Y);
  const strideBytes = ptr(params, P_STRIDE) << 2;
  const h = ptr(params, P_H);
  const outIndex = ptr(params, P_OUT1);
  const outScore = ptr(params, P_OUT2);
  const empty = slot(params, P_EMPTY);
  const S = scratch + OFF_S;
  const xs = scratch + OFF_XS;

  for (let i = i0; i < i1; i++) {
    splatRow(x, dim, i, xs);
    const x0 = v128.load(xs);
    const x1 = v128.load(xs, 16);
    const x2 = v128.load(xs, 32);
    let best: f32 = -Infinity;
    let bestIndex: i32 = -1;
    for (let j0 = 0; j0 < M; j0 += CH) {
      const n = min(CH, M - j0);
      const chunkMax = fillScores(mode, dim, x0, x1, x2, xs, y, strideBytes, h, scale, j0, n, S);
      if (chunkMax > best) {
        best = chunkMax;
        bestIndex = j0 + firstIndexOf(S, n, chunkMax);
      }
    }
    store<i32>(outIndex + ((<usize>i) << 2), bestIndex);
    store<f32>(outScore + ((<usize>i) << 2), bestIndex >= 0 ? best : <f32>empty);
  }
}

/** out_i,c = Σ_j Σ_s w_s exp(−a_s |x_i − y_j|²) v_j,c with a_s = 1/(2σ_s²) (pairs (a_s, w_s) as float32). */
export function gaussianRows(params: usize, i0: i32, i1: i32, scratch: usize): void {
  const M = <i32>slot(params, P_M);
  const dim = <i32>slot(params, P_DIM);
  const x = ptr(params, P_X);
  const y = ptr(params, P_Y);
  const strideBytes = ptr(params, P_STRIDE) << 2;
  const v = ptr(params, P_V);
  const vdim = <i32>slot(params, P_VDIM);
  const out = ptr(params, P_OUT1);
  const nSigma = <i32>slot(params, P_NSIGMA);
  const sigmas = ptr(params, P_SIGMAS);
  const consts = scratch + OFF_CONST;
  writeExpConstants(consts);
  const S = scratch + OFF_S;
  const T = scratch + OFF_T;
  const K = scratch + OFF_K;
  const acc = scratch + OFF_ACC;
  const xs = scratch + OFF_XS;
  const zero = f32x4.splat(0);

  for (let i = i0; i < i1; i++) {
    splatRow(x, dim, i, xs);
    const x0 = v128.load(xs);
    const x1 = v128.load(xs, 16);
    const x2 = v128.load(xs, 32);
    for (let c = 0; c < vdim; c++) store<f64>(acc + ((<usize>c) << 3), 0);
    for (let j0 = 0; j0 < M; j0 += CH) {
      const n = min(CH, M - j0);
      const nvec = (n + 3) >> 2;
      fillScores(MODE_DIST2, dim, x0, x1, x2, xs, y, strideBytes, 0, zero, j0, n, S);
      padTail(S, n, Infinity);
      expAffine(S, K, nvec, -load<f32>(sigmas), 0, load<f32>(sigmas, 4), consts);
      for (let s = 1; s < nSigma; s++) {
        const pair = sigmas + ((<usize>s) << 3);
        expAffine(S, T, nvec, -load<f32>(pair), 0, load<f32>(pair, 4), consts);
        addInto(K, T, nvec);
      }
      for (let c = 0; c < vdim; c++) {
        const a = acc + ((<usize>c) << 3);
        store<f64>(a, load<f64>(a) + <f64>dot(K, v + (<usize>c) * strideBytes + ((<usize>j0) << 2), nvec));
      }
    }
    const row = out + ((<usize>i * <usize>vdim) << 2);
    for (let c = 0; c < vdim; c++) store<f32>(row + ((<usize>c) << 2), <f32>load<f64>(acc + ((<usize>c) << 3)));
  }
}

/** k nearest y of each x row: indices and squared distances ascending (first index on ties). Needs k ≤ M. */
export function knnRows(params: usize, i0: i32, i1: i32, scratch: usize): void {
  const M = <i32>slot(params, P_M);
  const dim = <i32>slot(params, P_DIM);
  const x = ptr(params, P_X);
  const y = ptr(params, P_Y);
  const strideBytes = ptr(params, P_STRIDE) << 2;
  const outIndex = ptr(params, P_OUT1);
  const outDist2 = ptr(params, P_OUT2);
  const k = <i32>slot(params, P_KNN);
  const S = scratch + OFF_S;
  const KD = scratch + OFF_KD;
  const KI = scratch + OFF_KI;
  const xs = scratch + OFF_XS;
  const zero = f32x4.splat(0);
  const lastD = KD + ((<usize>(k - 1)) << 2);

  for (let i = i0; i < i1; i++) {
    splatRow(x, dim, i, xs);
    const x0 = v128.load(xs);
    const x1 = v128.load(xs, 16);
    const x2 = v128.load(xs, 32);
    for (let q = 0; q < k; q++) {
      store<f32>(KD + ((<usize>q) << 2), Infinity);
      store<i32>(KI + ((<usize>q) << 2), -1);
    }
    let worst: f32 = Infinity;
    for (let j0 = 0; j0 < M; j0 += CH) {
      const n = min(CH, M - j0);
      const nvec = (n + 3) >> 2;
      fillScores(MODE_DIST2, dim, x0, x1, x2, xs, y, strideBytes, 0, zero, j0, n, S);
      for (let t = 0; t < nvec; t++) {
        if (!v128.any_true(f32x4.lt(v128.load(S + ((<usize>t) << 4)), f32x4.splat(worst)))) continue;
        const lanes = min(4, n - (t << 2));
        for (let lane = 0; lane < lanes; lane++) {
          const idx = (t << 2) + lane;
          const d = load<f32>(S + ((<usize>idx) << 2));
          if (!(d < worst)) continue;
          let q = k - 1;
          while (q > 0 && load<f32>(KD + ((<usize>(q - 1)) << 2)) > d) {
            store<f32>(KD + ((<usize>q) << 2), load<f32>(KD + ((<usize>(q - 1)) << 2)));
            store<i32>(KI + ((<usize>q) << 2), load<i32>(KI + ((<usize>(q - 1)) << 2)));
            q--;
          }
          store<f32>(KD + ((<usize>q) << 2), d);
          store<i32>(KI + ((<usize>q) << 2), j0 + idx);
          worst = load<f32>(lastD);
        }
      }
    }
    const rowI = outIndex + ((<usize>i * <usize>k) << 2);
    const rowD = outDist2 + ((<usize>i * <usize>k) << 2);
    for (let q = 0; q < k; q++) {
      store<i32>(rowI + ((<usize>q) << 2), load<i32>(KI + ((<usize>q) << 2)));
      store<f32>(rowD + ((<usize>q) << 2), load<f32>(KD + ((<usize>q) << 2)));
    }
  }
}

/**
 * Truncation test over candidate pairs (CSR rowPtr/cols, row i's candidates at cols[rowPtr[i] .. rowPtr[i+1])):
 * with φ_ij = u_i + v_j − C(x_i, y_j) (u per row, v per column in the h slot, −∞ for an absent column), a pair
 * is kept when φ > keep and stays a candidate when φ > cand or φ > min(rowRef_i, colRef_j) − relative (the
 * row's or the column's reference best minus a margin). Candidates are compacted IN PLACE at the start of the
 * row's own segment of cols, kept pairs written at the same offsets of out1; a row with nothing kept keeps its
 * best column (largest finite φ). out2 receives per row the counts (candidates, kept), out4 the row's largest φ
 * (float32, −∞ for a row without a finite one). φ is evaluated in float64.
 */
export function pruneRows(params: usize, i0: i32, i1: i32, scratch: usize): void {
  const dim = <i32>slot(params, P_DIM);
  const distance = slot(params, P_P) == 1;
  const x = ptr(params, P_X);
  const y = ptr(params, P_Y);
  const strideBytes = ptr(params, P_STRIDE) << 2;
  const v = ptr(params, P_H);
  const u = ptr(params, P_U);
  const keep = slot(params, P_KEEP);
  const cand = slot(params, P_CAND);
  const rowPtr = ptr(params, P_ROWPTR);
  const cols = ptr(params, P_COLS);
  const kept = ptr(params, P_OUT1);
  const counts = ptr(params, P_OUT2);
  const rowRef = ptr(params, P_ROWREF);
  const colRef = ptr(params, P_COLREF);
  const relative = slot(params, P_RELATIVE);
  const rowMax = ptr(params, P_OUT4);
  const xs = scratch + OFF_XS;
  for (let i = i0; i < i1; i++) {
    const refI = <f64>load<f32>(rowRef + ((<usize>i) << 2));
    const b0 = load<u32>(rowPtr + ((<usize>i) << 2));
    const b1 = load<u32>(rowPtr + ((<usize>(i + 1)) << 2));
    const ui = <f64>load<f32>(u + ((<usize>i) << 2));
    const row = x + ((<usize>i * <usize>dim) << 2);
    let nc = b0;
    let nk = b0;
    let best: f64 = -Infinity;
    let bestJ: i32 = -1;
    // φ in float64; the first three coordinates in locals, any further ones (feature-augmented clouds) in
    // scratch. Fewer than three coordinates take the generic loop.
    if (dim >= 3) {
      const x0 = <f64>load<f32>(row);
      const x1 = <f64>load<f32>(row, 4);
      const x2 = <f64>load<f32>(row, 8);
      for (let d = 3; d < dim; d++) store<f64>(xs + ((<usize>d) << 3), <f64>load<f32>(row + ((<usize>d) << 2)));
      for (let b = b0; b < b1; b++) {
        const j = load<u32>(cols + ((<usize>b) << 2));
        const jo = (<usize>j) << 2;
        const t0 = x0 - <f64>load<f32>(y + jo);
        const t1 = x1 - <f64>load<f32>(y + strideBytes + jo);
        const t2 = x2 - <f64>load<f32>(y + 2 * strideBytes + jo);
        let d2 = t0 * t0 + t1 * t1 + t2 * t2;
        for (let d = 3; d < dim; d++) {
          const t = load<f64>(xs + ((<usize>d) << 3)) - <f64>load<f32>(y + (<usize>d) * strideBytes + jo);
          d2 += t * t;
        }
        const phi = ui + <f64>load<f32>(v + jo) - (distance ? Math.sqrt(d2) : 0.5 * d2);
        if (phi > cand || phi > min(refI, <f64>load<f32>(colRef + jo)) - relative) {
          store<u32>(cols + ((<usize>nc) << 2), j);
          nc++;
          if (phi > keep) {
            store<u32>(kept + ((<usize>nk) << 2), j);
            nk++;
          }
        }
        if (phi > best) {
          best = phi;
          bestJ = <i32>j;
        }
      }
    } else {
      for (let b = b0; b < b1; b++) {
        const j = load<u32>(cols + ((<usize>b) << 2));
        const jo = (<usize>j) << 2;
        let d2: f64 = 0;
        for (let d = 0; d < dim; d++) {
          const t = <f64>load<f32>(row + ((<usize>d) << 2)) - <f64>load<f32>(y + (<usize>d) * strideBytes + jo);
          d2 += t * t;
        }
        const phi = ui + <f64>load<f32>(v + jo) - (distance ? Math.sqrt(d2) : 0.5 * d2);
        if (phi > cand || phi > min(refI, <f64>load<f32>(colRef + jo)) - relative) {
          store<u32>(cols + ((<usize>nc) << 2), j);
          nc++;
          if (phi > keep) {
            store<u32>(kept + ((<usize>nk) << 2), j);
            nk++;
          }
        }
        if (phi > best) {
          best = phi;
          bestJ = <i32>j;
        }
      }
    }
    if (nk == b0 && bestJ >= 0) {
      store<u32>(kept + ((<usize>nk) << 2), <u32>bestJ);
      nk++;
      if (nc == b0) {
        store<u32>(cols + ((<usize>nc) << 2), <u32>bestJ);
        nc++;
      }
    }
    store<u32>(counts + ((<usize>i) << 3), nc - b0);
    store<u32>(counts + ((<usize>i) << 3) + 4, nk - b0);
    store<f32>(rowMax + ((<usize>i) << 2), <f32>best);
  }
}

/**
 * Second pass of the truncation test: moves each row's survivors (left by pruneRows at the start of the row's
 * input segment: candidates in cols, kept pairs in out1, their counts in out2) to their final places in out3.
 * `offsets` holds, per row, the element offsets in out3 of its candidates and of its kept pairs.
 */
export function compactRows(params: usize, i0: i32, i1: i32, scratch: usize): void {
  const rowPtr = ptr(params, P_ROWPTR);
  const cols = ptr(params, P_COLS);
  const kept = ptr(params, P_OUT1);
  const counts = ptr(params, P_OUT2);
  const offsets = ptr(params, P_OFFSETS);
  const out = ptr(params, P_OUT3);
  for (let i = i0; i < i1; i++) {
    const at = (<usize>load<u32>(rowPtr + ((<usize>i) << 2))) << 2;
    const nc = <usize>load<u32>(counts + ((<usize>i) << 3));
    const nk = <usize>load<u32>(counts + ((<usize>i) << 3) + 4);
    const oc = (<usize>load<u32>(offsets + ((<usize>i) << 3))) << 2;
    const ok = (<usize>load<u32>(offsets + ((<usize>i) << 3) + 4)) << 2;
    memory.copy(out + oc, cols + at, nc << 2);
    memory.copy(out + ok, kept + at, nk << 2);
  }
}
