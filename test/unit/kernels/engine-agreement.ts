/**
 * The agreement suite every engine runs against the plain-JS reference (test/unit/kernels/*-engine.test.ts):
 * random clouds of several sizes (including 1 and non-multiples of 4), dims 1/3/5, p = 1 and 2, ε from 1e-4
 * of the squared diameter to 10×, potentials with −∞ and very negative entries; softmin values within
 * |a − b| ≤ 1e-4·max(1, |b|), never NaN/Inf; block-sparse = dense when everything is kept and = the masked
 * sum otherwise; argmax, Gaussian sums and kNN against the reference.
 */
import assert from 'node:assert/strict';
import { JsEngine } from '../../../core/kernels/js-engine.ts';
import { EMPTY_SOFTMIN } from '../../../core/kernels/output-limits.ts';
import type { CostExponent, KernelEngine } from '../../../core/kernels/types.ts';
import {
  assertClose,
  cost,
  directLse,
  fullSparsity,
  keptPredicate,
  randomCloud,
  randomPotential,
  randomSparsity,
  randomValues,
  rng,
} from './kernel-cases.ts';

const TOL = 1e-4;
const reference = new JsEngine();

export interface AgreementSizes {
  rows: readonly number[];
  cols: readonly number[];
}

/** softmin and softminWeighted over the whole case matrix. */
export async function checkSoftminAgreement(engine: KernelEngine, sizes: AgreementSizes, seed: number): Promise<number> {
  const rand = rng(seed);
  let cases = 0;
  for (const n of sizes.rows) {
    for (const m of sizes.cols) {
      for (const dim of [1, 3, 5]) {
        const x = randomCloud(n, dim, rand);
        const y = randomCloud(m, dim, rand);
        const h = randomPotential(m, rand);
        const diameter2 = dim;
        for (const p of [1, 2] as CostExponent[]) {
          for (const relEps of [1e-4, 1e-2, 10]) {
            const eps = relEps * diameter2;
            const what = `n=${n} m=${m} dim=${dim} p=${p} ε=${eps}`;
            const got = new Float32Array(n);
            const want = new Float32Array(n);
            await engine.softmin(eps, p, x, y, h, got);
            await reference.softmin(eps, p, x, y, h, want);
            assertClose(got, want, TOL, `softmin ${what}`);
            cases++;
          }
        }
        const v = randomValues(m, 3, rand);
        const lse = new Float32Array(n);
        const mean = new Float32Array(3 * n);
        const lseRef = new Float32Array(n);
        const meanRef = new Float32Array(3 * n);
        await engine.softminWeighted(0.01 * dim, 2, x, y, h, v, 3, lse, mean);
        await reference.softminWeighted(0.01 * dim, 2, x, y, h, v, 3, lseRef, meanRef);
        assertClose(lse, lseRef, TOL, `weighted lse n=${n} m=${m} dim=${dim}`);
        assertClose(mean, meanRef, TOL, `weighted mean n=${n} m=${m} dim=${dim}`);
      }
    }
  }
  return cases;
}

/** Rows whose h is all −∞ or whose blocks are all dropped: the empty value, exactly. */
export async function checkEmptyRows(engine: KernelEngine): Promise<void> {
  const rand = rng(3);
  const x = randomCloud(9, 3, rand);
  const y = randomCloud(13, 3, rand);
  const out = new Float32Array(9);
  await engine.softmin(0.1, 2, x, y, randomPotential(13, rand, true), out);
  assert.deepEqual([...out], new Array(9).fill(Math.fround(EMPTY_SOFTMIN)));
  // ε so small that every C/ε overflows float32: no finite term either (and no NaN).
  await engine.softmin(1e-40, 2, x, y, new Float32Array(13), out);
  for (const o of out) assert.ok(Number.isFinite(o));
}

/** Block-sparse softmin / softminWeighted: = dense when all kept, = direct masked sums otherwise. */
export async function checkSparseAgreement(engine: KernelEngine, seed: number, n = 150, m = 1300): Promise<void> {
  const rand = rng(seed);
  for (const dim of [3, 2]) {
    const x = randomCloud(n, dim, rand);
    const y = randomCloud(m, dim, rand);
    const h = randomPotential(m, rand);
    const eps = 0.01 * dim;
    const dense = new Float32Array(n);
    const sparse = new Float32Array(n);
    await engine.softmin(eps, 2, x, y, h, dense);
    await engine.softmin(eps, 2, x, y, h, sparse, fullSparsity(n, m, 5, 9, rand));
    assertClose(sparse, dense, TOL, `all kept dim=${dim}`);

    for (const p of [1, 2] as CostExponent[]) {
      const s = randomSparsity(n, m, 7, 11, 0.35, rand);
      // Make sure some x cluster keeps nothing at all.
      const kept = keptPredicate(s);
      await engine.softmin(eps, p, x, y, h, sparse, s);
      const expected = Array.from({ length: n }, (_, i) => {
        const l = directLse(eps, p, x, y, h, i, kept);
        return l === -Infinity ? EMPTY_SOFTMIN : -eps * l;
      });
      assertClose(sparse, expected, TOL, `masked dim=${dim} p=${p}`);

      const v = randomValues(m, 2, rand);
      const lse = new Float32Array(n);
      const mean = new Float32Array(2 * n);
      const lseRef = new Float32Array(n);
      const meanRef = new Float32Array(2 * n);
      await engine.softminWeighted(eps, p, x, y, h, v, 2, lse, mean, s);
      await reference.softminWeighted(eps, p, x, y, h, v, 2, lseRef, meanRef, s);
      assertClose(lse, lseRef, TOL, `weighted masked lse dim=${dim} p=${p}`);
      assertClose(mean, meanRef, TOL, `weighted masked mean dim=${dim} p=${p}`);
    }
  }
}

/** argmaxScore, gaussianSum, knn against the reference. */
export async function checkOtherReductions(engine: KernelEngine, seed: number, n = 70, m = 1100): Promise<void> {
  const rand = rng(seed);
  for (const dim of [1, 3, 5]) {
    const x = randomCloud(n, dim, rand);
    const y = randomCloud(m, dim, rand);
    const h = randomPotential(m, rand);
    for (const p of [1, 2] as CostExponent[]) {
      const eps = 0.01 * dim;
      const idx = new Int32Array(n);
      const score = new Float32Array(n);
      const refIdx = new Int32Array(n);
      const refScore = new Float32Array(n);
      await engine.argmaxScore(eps, p, x, y, h, idx, score);
      await reference.argmaxScore(eps, p, x, y, h, refIdx, refScore);
      assertClose(score, refScore, TOL, `argmax score dim=${dim} p=${p}`);
      // The chosen column really scores the maximum (ties in float32 may pick another index).
      const scoreAt = Array.from(idx, (j, i) => h[j] - cost(x, i, y, j, p) / eps);
      assertClose(scoreAt, refScore, TOL, `score at argmax dim=${dim} p=${p}`);
    }

    const vdim = 2;
    const v = randomValues(m, vdim, rand);
    for (const [sigmas, weights] of [
      [[0.1], [1]],
      [[0.05, 0.2, 1], [1, 0.5, 0.25]],
      [[1e-4], [1]],
    ] as const) {
      const out = new Float32Array(n * vdim);
      const ref = new Float32Array(n * vdim);
      await engine.gaussianSum(sigmas, weights, x, y, v, vdim, out);
      await reference.gaussianSum(sigmas, weights, x, y, v, vdim, ref);
      assertClose(out, ref, TOL, `gaussian dim=${dim} σ=${sigmas.join(',')}`);
    }

    for (const k of [1, 8, 16]) {
      const ni = new Int32Array(n * k);
      const nd = new Float32Array(n * k);
      const ri = new Int32Array(n * k);
      const rd = new Float32Array(n * k);
      await engine.knn(k, x, y, ni, nd);
      await reference.knn(k, x, y, ri, rd);
      assertClose(nd, rd, 1e-5, `knn dist² dim=${dim} k=${k}`);
      for (let i = 0; i < n; i++) {
        const row = new Set(ni.subarray(i * k, (i + 1) * k));
        assert.equal(row.size, k, `knn row ${i}: distinct indices`);
        for (let q = 0; q < k; q++) {
          const j = ni[i * k + q];
          const d2 = 2 * cost(x, i, y, j, 2);
          assert.ok(Math.abs(d2 - rd[i * k + q]) <= 1e-5 * Math.max(1e-3, rd[i * k + q]), `knn row ${i} slot ${q}: index ${j} is not a ${q + 1}-th nearest`);
          // Indices equal the brute-force ones wherever the distance is not tied to float32 precision.
          const prev = q > 0 ? rd[i * k + q - 1] : -Infinity;
          const next = q + 1 < k ? rd[i * k + q + 1] : Infinity;
          if (rd[i * k + q] - prev > 1e-5 && next - rd[i * k + q] > 1e-5) assert.equal(j, ri[i * k + q], `knn row ${i} slot ${q}`);
        }
      }
    }
  }
}
