/**
 * Properties of the debiased Sinkhorn divergence (Feydy et al. 2019, Theorem 1; Séjourné et al. 2019) and
 * agreement with an independent dense float64 Sinkhorn (support/dense-reference.ts) where POT has no reference:
 * p = 1, feature-augmented costs, unbalanced masses of different totals.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JsEngine } from '../../../core/kernels/js-engine.ts';
import { sinkhornDivergence, solveOT } from '../../../core/ot/index.ts';
import { denseDivergence, denseSolve } from './support/dense-reference.ts';
import { gaussianCloud, randomMasses } from './support/random.ts';

const engine = new JsEngine();
const x = gaussianCloud(40, 1);
const y = gaussianCloud(50, 2, 1.3, [0.7, -0.2, 0.4]);
const a = randomMasses(40, 3);
const b = randomMasses(50, 4);
const tight = { tol: 1e-6, maxIter: 5000 };

/** The float32 values the solver actually sees (after centring they are exact differences of these). */
const f32 = (v: Float64Array): Float64Array => Float64Array.from(Float32Array.from(v));

function rel(u: number, v: number): number {
  return Math.abs(u - v) / Math.max(Math.abs(u), Math.abs(v));
}

test('S(α, α) = 0, balanced and unbalanced, p = 2 and p = 1', async () => {
  for (const p of [2, 1] as const) {
    for (const reach of [null, 0.8]) {
      const s = await sinkhornDivergence(engine, x, x, { a, b: a, blur: 0.3, reach, p, ...tight });
      assert.ok(Math.abs(s.value) < 1e-6, `p ${p} reach ${reach}: S(α, α) = ${s.value}`);
    }
  }
});

test('S(α, β) ≥ 0 and symmetric', async () => {
  for (const reach of [null, 1.0]) {
    for (const blur of [0.1, 0.5, 2]) {
      const bb = reach === null ? b : randomMasses(50, 5, 1.4);
      const ab = await sinkhornDivergence(engine, x, y, { a, b: bb, blur, reach, ...tight });
      const ba = await sinkhornDivergence(engine, y, x, { a: bb, b: a, blur, reach, ...tight });
      assert.ok(ab.value > 0, `S = ${ab.value}`);
      assert.ok(rel(ab.value, ba.value) < 1e-6, `S(α,β) ${ab.value} vs S(β,α) ${ba.value}`);
    }
  }
  // positive even between nearby clouds, and growing with the shift
  const near = await sinkhornDivergence(engine, x, gaussianCloud(40, 1, 1, [0.05, 0, 0]), { blur: 0.3, ...tight });
  const far = await sinkhornDivergence(engine, x, gaussianCloud(40, 1, 1, [0.1, 0, 0]), { blur: 0.3, ...tight });
  assert.ok(near.value > 0 && far.value > near.value);
  // exact for a translation: S(α, α + t) = ½|t|² (quadratic cost, unit mass)
  assert.ok(rel(far.value, 0.5 * 0.1 ** 2) < 1e-4, `S = ${far.value}`);
});

test('p = 1 cost and divergence match the dense float64 reference', async () => {
  for (const reach of [null, 1.5]) {
    const bb = reach === null ? b : randomMasses(50, 6, 0.8);
    const problem = { x: f32(x), y: f32(y), dim: 3, a, b: bb, eps: 0.3, rho: reach, p: 1 as const };
    const r = await solveOT(engine, x, y, { a, b: bb, blur: 0.3, reach, p: 1, ...tight });
    assert.ok(rel(r.cost, denseSolve(problem).value) < 1e-5, `OT_ε ${r.cost} vs ${denseSolve(problem).value}`);
    const s = await sinkhornDivergence(engine, x, y, { a, b: bb, blur: 0.3, reach, p: 1, ...tight });
    assert.ok(rel(s.value, denseDivergence(problem)) < 1e-5, `S ${s.value} vs ${denseDivergence(problem)}`);
  }
});

test('unbalanced masses of different totals: S includes −(ε/2)(m_a − m_b)² (matches the primal)', async () => {
  const bb = randomMasses(50, 7, 2.5);
  const eps = 0.25;
  const problem = { x: f32(x), y: f32(y), dim: 3, a, b: bb, eps, rho: 0.5 ** 2, p: 2 as const };
  const s = await sinkhornDivergence(engine, x, y, { a, b: bb, blur: 0.5, reach: 0.5, ...tight });
  const reference = denseDivergence(problem);
  assert.ok(rel(s.value, reference) < 1e-5, `S ${s.value} vs primal ${reference}`);
  // GeomLoss's formula (without the mass term) would be off by (ε/2)(1 − 2.5)², far beyond the tolerance
  assert.ok(Math.abs(s.value + 0.5 * eps * 1.5 ** 2 - reference) > 1e-3);
});

test('feature-augmented cost = plain cost of the augmented points', async () => {
  // one scalar feature (a "radius") and one 3-vector feature (a "normal"), with weights
  const rx = Float64Array.from({ length: 40 }, (_, i) => Math.sin(i));
  const ry = Float64Array.from({ length: 50 }, (_, j) => Math.cos(j));
  const nx = gaussianCloud(40, 8);
  const ny = gaussianCloud(50, 9);
  const weights = [0.5, 0.2];
  const features = { x: [rx, nx], y: [ry, ny], weights };
  const augment = (pts: Float64Array, r: Float64Array, nrm: Float64Array, n: number): Float64Array => {
    const out = new Float64Array(n * 7);
    for (let i = 0; i < n; i++) {
      out.set(pts.subarray(3 * i, 3 * i + 3), 7 * i);
      out[7 * i + 3] = Math.sqrt(weights[0]) * r[i];
      for (let c = 0; c < 3; c++) out[7 * i + 4 + c] = Math.sqrt(weights[1]) * nrm[3 * i + c];
    }
    return f32(out);
  };
  const problem = { x: augment(x, rx, nx, 40), y: augment(y, ry, ny, 50), dim: 7, a, b, eps: 0.16, rho: null, p: 2 as const };
  const r = await solveOT(engine, x, y, { a, b, blur: 0.4, features, ...tight });
  assert.ok(rel(r.cost, denseSolve(problem).value) < 1e-5, `OT_ε ${r.cost} vs ${denseSolve(problem).value}`);
  const plain = await solveOT(engine, x, y, { a, b, blur: 0.4, ...tight });
  assert.ok(r.cost > plain.cost * 1.05, 'features must add cost');
});
