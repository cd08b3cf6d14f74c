/**
 * Argument checks shared by every engine, so that all engines accept and reject the same calls. The WASM
 * kernels trust their inputs (an inconsistent block structure would read out of bounds), so everything is
 * checked here, before any work: O(N + M + blocks), negligible next to the reductions.
 */
import type { BlockSparsity, Cloud, CostExponent, PairList, PruneTest } from './types.ts';

/** Largest point dimension (features included). */
export const MAX_DIM = 64;
/** Largest number of value channels (softminWeighted, gaussianSum). */
export const MAX_VDIM = 16;
/** Largest k of knn. */
export const MAX_K = 64;

function fail(what: string): never {
  throw new RangeError(`kernels: ${what}`);
}

function isCount(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

/** Number of points of a cloud; checks its dim and length. */
export function cloudSize(cloud: Cloud, name: string): number {
  if (!isCount(cloud.dim, 1, MAX_DIM)) fail(`${name}.dim must be an integer in 1..${MAX_DIM} (got ${cloud.dim})`);
  if (!(cloud.points instanceof Float32Array)) fail(`${name}.points must be a Float32Array`);
  if (cloud.points.length % cloud.dim !== 0) fail(`${name}.points length ${cloud.points.length} is not a multiple of dim ${cloud.dim}`);
  return cloud.points.length / cloud.dim;
}

/** Sizes of a pair of clouds of the same dimension. */
export function pairSizes(x: Cloud, y: Cloud): { n: number; m: number; dim: number } {
  const n = cloudSize(x, 'x');
  const m = cloudSize(y, 'y');
  if (x.dim !== y.dim) fail(`x.dim ${x.dim} differs from y.dim ${y.dim}`);
  return { n, m, dim: x.dim };
}

export function checkEpsilon(eps: number): void {
  if (!(Number.isFinite(eps) && eps > 0)) fail(`ε must be finite and > 0 (got ${eps})`);
}

export function checkExponent(p: number): asserts p is CostExponent {
  if (p !== 1 && p !== 2) fail(`cost exponent p must be 1 or 2 (got ${p})`);
}

export function checkLength(array: ArrayLike<number>, expected: number, name: string): void {
  if (array.length !== expected) fail(`${name} has length ${array.length}, expected ${expected}`);
}

export function checkValueDim(vdim: number): void {
  if (!isCount(vdim, 1, MAX_VDIM)) fail(`vdim must be an integer in 1..${MAX_VDIM} (got ${vdim})`);
}

/** σ > 0 finite, one finite weight per σ. */
export function checkSigmas(sigmas: readonly number[], weights: readonly number[]): void {
  if (sigmas.length < 1 || sigmas.length > 16) fail(`need 1..16 σ values (got ${sigmas.length})`);
  if (weights.length !== sigmas.length) fail(`${weights.length} scale weights for ${sigmas.length} σ values`);
  for (const s of sigmas) if (!(Number.isFinite(s) && s > 0)) fail(`σ must be finite and > 0 (got ${s})`);
  for (const w of weights) if (!Number.isFinite(w)) fail(`scale weights must be finite (got ${w})`);
}

export function checkK(k: number, m: number): void {
  if (!isCount(k, 1, Math.min(MAX_K, m))) fail(`k must be an integer in 1..min(${MAX_K}, M = ${m}) (got ${k})`);
}

function checkStarts(starts: Uint32Array, total: number, name: string): void {
  if (!(starts instanceof Uint32Array) || starts.length < 2) fail(`${name} must be a Uint32Array of at least 2 entries`);
  if (starts[0] !== 0) fail(`${name}[0] must be 0`);
  if (starts[starts.length - 1] !== total) fail(`${name} must end at ${total} (got ${starts[starts.length - 1]})`);
  for (let k = 1; k < starts.length; k++) if (starts[k] < starts[k - 1]) fail(`${name} must be non-decreasing (at ${k})`);
}

/** Block structures already checked, with the sizes they were checked against (they are never mutated, types.ts). */
const checkedSparsity = new WeakMap<BlockSparsity, { n: number; m: number }>();

/** Checks a block structure against N x rows and M y rows (see BlockSparsity). */
export function checkSparsity(s: BlockSparsity, n: number, m: number): void {
  const seen = checkedSparsity.get(s);
  if (seen && seen.n === n && seen.m === m) return;
  checkSparsityOnce(s, n, m);
  checkedSparsity.set(s, { n, m });
}

function checkSparsityOnce(s: BlockSparsity, n: number, m: number): void {
  checkStarts(s.xStart, n, 'sparsity.xStart');
  checkStarts(s.yStart, m, 'sparsity.yStart');
  const clusters = s.xStart.length - 1;
  const yClusters = s.yStart.length - 1;
  if (!(s.rowPtr instanceof Uint32Array) || s.rowPtr.length !== clusters + 1) fail(`sparsity.rowPtr must be a Uint32Array of ${clusters + 1} entries`);
  if (!(s.cols instanceof Uint32Array)) fail('sparsity.cols must be a Uint32Array');
  checkStarts(s.rowPtr, s.cols.length, 'sparsity.rowPtr');
  for (let b = 0; b < s.cols.length; b++) if (s.cols[b] >= yClusters) fail(`sparsity.cols[${b}] = ${s.cols[b]} is not a y cluster (< ${yClusters})`);
}

/** Checks candidate pairs against N rows and M columns (see PairList): offsets and column indices in range. */
export function checkPairList(pairs: PairList, n: number, m: number): void {
  if (!(pairs.rowPtr instanceof Uint32Array) || pairs.rowPtr.length !== n + 1) fail(`pairs.rowPtr must be a Uint32Array of ${n + 1} entries`);
  if (!(pairs.cols instanceof Uint32Array)) fail('pairs.cols must be a Uint32Array');
  if (n === 0) {
    if (pairs.cols.length !== 0 || pairs.rowPtr[0] !== 0) fail('pairs of an empty x must be empty');
    return;
  }
  checkStarts(pairs.rowPtr, pairs.cols.length, 'pairs.rowPtr');
  for (let b = 0; b < pairs.cols.length; b++) if (pairs.cols[b] >= m) fail(`pairs.cols[${b}] = ${pairs.cols[b]} is not a column (< ${m})`);
}

/** Checks the thresholds and references of a truncation test (see PruneTest). */
export function checkPruneTest(test: PruneTest, n: number, m: number): void {
  if (Number.isNaN(test.keepAbove) || Number.isNaN(test.candidateAbove) || !(test.candidateAbove <= test.keepAbove)) {
    fail('a truncation test needs candidateAbove ≤ keepAbove (neither NaN)');
  }
  const margin = test.relativeMargin ?? 0;
  if (!(margin >= 0)) fail('relativeMargin must be ≥ 0');
  if (test.rowReference) checkLength(test.rowReference, n, 'rowReference');
  if (test.columnReference) checkLength(test.columnReference, m, 'columnReference');
}

/** Sizes of a checked call: N rows of x, M rows of y, the point dimension. */
export type CallSizes = { n: number; m: number; dim: number };

/** Every argument of KernelEngine.softmin. */
export function checkSoftminCall(eps: number, p: number, x: Cloud, y: Cloud, h: Float32Array, out: Float32Array, sparsity?: BlockSparsity): CallSizes {
  const sizes = pairSizes(x, y);
  checkEpsilon(eps);
  checkExponent(p);
  checkLength(h, sizes.m, 'h');
  checkLength(out, sizes.n, 'out');
  if (sparsity) checkSparsity(sparsity, sizes.n, sizes.m);
  return sizes;
}

/** Every argument of KernelEngine.softminWeighted. */
export function checkWeightedCall(
  eps: number,
  p: number,
  x: Cloud,
  y: Cloud,
  h: Float32Array,
  v: Float32Array,
  vdim: number,
  outLse: Float32Array,
  outMean: Float32Array,
  sparsity?: BlockSparsity,
): CallSizes {
  const sizes = pairSizes(x, y);
  checkEpsilon(eps);
  checkExponent(p);
  checkValueDim(vdim);
  checkLength(h, sizes.m, 'h');
  checkLength(v, sizes.m * vdim, 'v');
  checkLength(outLse, sizes.n, 'outLse');
  checkLength(outMean, sizes.n * vdim, 'outMean');
  if (sparsity) checkSparsity(sparsity, sizes.n, sizes.m);
  return sizes;
}

/** Every argument of KernelEngine.argmaxScore. */
export function checkArgmaxCall(eps: number, p: number, x: Cloud, y: Cloud, h: Float32Array, outIndex: Int32Array, outScore: Float32Array): CallSizes {
  const sizes = pairSizes(x, y);
  checkEpsilon(eps);
  checkExponent(p);
  checkLength(h, sizes.m, 'h');
  checkLength(outIndex, sizes.n, 'outIndex');
  checkLength(outScore, sizes.n, 'outScore');
  return sizes;
}

/** Every argument of KernelEngine.gaussianSum. */
export function checkGaussianCall(sigmas: readonly number[], weights: readonly number[], x: Cloud, y: Cloud, v: Float32Array, vdim: number, out: Float32Array): CallSizes {
  const sizes = pairSizes(x, y);
  checkSigmas(sigmas, weights);
  checkValueDim(vdim);
  checkLength(v, sizes.m * vdim, 'v');
  checkLength(out, sizes.n * vdim, 'out');
  return sizes;
}

/** Every argument of KernelEngine.knn. */
export function checkKnnCall(k: number, x: Cloud, y: Cloud, outIndex: Int32Array, outDist2: Float32Array): CallSizes {
  const sizes = pairSizes(x, y);
  checkK(k, sizes.m);
  checkLength(outIndex, sizes.n * k, 'outIndex');
  checkLength(outDist2, sizes.n * k, 'outDist2');
  return sizes;
}
