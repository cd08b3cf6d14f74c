/**
 * Shared inputs and checks for the kernel-engine tests: seeded random clouds in the unit cube, potentials h
 * with zero masses (−∞) and very negative entries, random block structures, an independent per-pair
 * computation of the (masked) log-sum-exp, and the agreement criterion |a − b| ≤ 1e-4 · max(1, |b|).
 */
import assert from 'node:assert/strict';
import type { BlockSparsity, Cloud, CostExponent } from '../../../core/kernels/types.ts';

export { mulberry32 as rng } from '../../../core/shape/index.ts';

/** n points uniform in the unit cube of `dim` dimensions. */
export function randomCloud(n: number, dim: number, rand: () => number): Cloud {
  const points = new Float32Array(n * dim);
  for (let i = 0; i < points.length; i++) points[i] = rand();
  return { points, dim };
}

/**
 * h_j uniform in [−3, 3], with some zero masses (−∞) and some very negative values, but at least one finite
 * entry unless `allMasked`.
 */
export function randomPotential(m: number, rand: () => number, allMasked = false): Float32Array {
  const h = new Float32Array(m);
  for (let j = 0; j < m; j++) {
    const u = rand();
    h[j] = allMasked || u < 0.1 ? -Infinity : u < 0.15 ? -1e4 * (1 + rand()) : 6 * rand() - 3;
  }
  if (!allMasked && m > 0) h[Math.floor(rand() * m)] = 6 * rand() - 3;
  return h;
}

/** Random values v (m × vdim) in [−1, 1]. */
export function randomValues(m: number, vdim: number, rand: () => number): Float32Array {
  const v = new Float32Array(m * vdim);
  for (let i = 0; i < v.length; i++) v[i] = 2 * rand() - 1;
  return v;
}

/** Cost C(x_i, y_j) in float64 from the float32 coordinates. */
export function cost(x: Cloud, i: number, y: Cloud, j: number, p: CostExponent): number {
  let d2 = 0;
  for (let d = 0; d < x.dim; d++) {
    const t = x.points[i * x.dim + d] - y.points[j * y.dim + d];
    d2 += t * t;
  }
  return p === 2 ? d2 / 2 : Math.sqrt(d2);
}

/** Contiguous random partition of [0, n) into `parts` clusters (some possibly empty). */
export function randomStarts(n: number, parts: number, rand: () => number): Uint32Array {
  const cuts = Array.from({ length: parts - 1 }, () => Math.floor(rand() * (n + 1))).sort((a, b) => a - b);
  return Uint32Array.from([0, ...cuts, n]);
}

/** Random block structure; `keep` is the probability that a (x-cluster, y-cluster) block is kept. */
export function randomSparsity(n: number, m: number, kx: number, ky: number, keep: number, rand: () => number): BlockSparsity {
  const xStart = randomStarts(n, kx, rand);
  const yStart = randomStarts(m, ky, rand);
  const rowPtr = new Uint32Array(kx + 1);
  const cols: number[] = [];
  for (let k = 0; k < kx; k++) {
    for (let l = 0; l < ky; l++) if (rand() < keep) cols.push(l);
    rowPtr[k + 1] = cols.length;
  }
  return { xStart, yStart, rowPtr, cols: Uint32Array.from(cols) };
}

/** Every block kept. */
export function fullSparsity(n: number, m: number, kx: number, ky: number, rand: () => number): BlockSparsity {
  return randomSparsity(n, m, kx, ky, 1.1, rand);
}

/** The kept-pair mask of a block structure, as a per-pair predicate (independent of the engines' code). */
export function keptPredicate(s: BlockSparsity): (i: number, j: number) => boolean {
  const clusterOf = (starts: Uint32Array, r: number): number => {
    for (let k = 0; k + 1 < starts.length; k++) if (r >= starts[k] && r < starts[k + 1]) return k;
    throw new Error(`row ${r} in no cluster`);
  };
  return (i, j) => {
    const k = clusterOf(s.xStart, i);
    const l = clusterOf(s.yStart, j);
    for (let b = s.rowPtr[k]; b < s.rowPtr[k + 1]; b++) if (s.cols[b] === l) return true;
    return false;
  };
}

/** log Σ_{j kept} exp(h_j − C_ij/ε) by direct summation in float64 (−∞ when no finite term). */
export function directLse(eps: number, p: CostExponent, x: Cloud, y: Cloud, h: Float32Array, i: number, kept?: (i: number, j: number) => boolean): number {
  const m = h.length;
  const terms: number[] = [];
  for (let j = 0; j < m; j++) if (!kept || kept(i, j)) terms.push(h[j] - cost(x, i, y, j, p) / eps);
  const top = Math.max(-Infinity, ...terms);
  if (top === -Infinity) return -Infinity;
  return top + Math.log(terms.reduce((acc, t) => acc + Math.exp(t - top), 0));
}

/** Asserts |a − b| ≤ tol · max(1, |b|) elementwise, and that a has no NaN/±Infinity. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const b = expected[i];
    assert.ok(Number.isFinite(a), `${what}[${i}] = ${a} is not finite`);
    assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}[${i}]: ${a} vs ${b} (|Δ| = ${Math.abs(a - b)})`);
  }
}
