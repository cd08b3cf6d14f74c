/**
 * Degenerate and awkward inputs: duplicates, zero masses, single points, very different sizes, far-apart clouds,
 * metres instead of millimetres, bad options, cancellation and progress.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JsEngine } from '../../../core/kernels/js-engine.ts';
import { match, sinkhornDivergence, solveOT } from '../../../core/ot/index.ts';
import { CancelledError } from '../../../core/progress/index.ts';
import { gaussianCloud, randomMasses } from './support/random.ts';

const engine = new JsEngine();
const tight = { tol: 1e-6, maxIter: 5000 };

function rel(u: number, v: number): number {
  return Math.abs(u - v) / Math.max(Math.abs(u), Math.abs(v));
}

function allFinite(...arrays: Float64Array[]): boolean {
  return arrays.every((arr) => arr.every(Number.isFinite));
}

test('duplicated points with split masses are the same measure: S = 0', async () => {
  const x = gaussianCloud(30, 51);
  const doubled = new Float64Array(6 * 30);
  doubled.set(x);
  doubled.set(x, 90);
  const s = await sinkhornDivergence(engine, x, doubled, { blur: 0.3, ...tight, gradient: true });
  assert.ok(Math.abs(s.value) < 1e-6, `S = ${s.value}`);
  assert.ok(allFinite(s.gradX!, s.gradA!));
  // and the OT between a cloud and its duplicate equals the self-transport
  const self = await solveOT(engine, x, x, { blur: 0.3, ...tight });
  const dup = await solveOT(engine, x, doubled, { blur: 0.3, ...tight });
  assert.ok(rel(self.cost, dup.cost) < 1e-6);
});

test('zero masses: no NaN, and the same cost as without those points', async () => {
  const x = gaussianCloud(30, 52);
  const y = gaussianCloud(40, 53, 1, [0.5, 0, 0]);
  const a = randomMasses(30, 54);
  const b = randomMasses(40, 55);
  for (const i of [0, 7, 29]) a[i] = 0;
  for (const j of [3, 39]) b[j] = 0;
  const norm = (w: Float64Array): Float64Array => w.map((v) => v / w.reduce((s, t) => s + t, 0));
  const an = norm(a);
  const bn = norm(b);
  for (const reach of [null, 1]) {
    const r = await sinkhornDivergence(engine, x, y, { a: an, b: bn, blur: 0.4, reach, ...tight, gradient: { x: true, a: true, y: true, b: true } });
    assert.ok(Number.isFinite(r.value));
    assert.ok(allFinite(r.gradX!, r.gradA!, r.gradY!, r.gradB!));
    const keepX = [...Array(30).keys()].filter((i) => an[i] > 0);
    const keepY = [...Array(40).keys()].filter((j) => bn[j] > 0);
    const sub = (pts: Float64Array, keep: number[]): Float64Array => Float64Array.from(keep.flatMap((i) => [pts[3 * i], pts[3 * i + 1], pts[3 * i + 2]]));
    const r2 = await sinkhornDivergence(engine, sub(x, keepX), sub(y, keepY), {
      a: keepX.map((i) => an[i]),
      b: keepY.map((j) => bn[j]),
      blur: 0.4,
      reach,
      ...tight,
    });
    assert.ok(rel(r.value, r2.value) < 1e-6, `reach ${reach}: ${r.value} vs ${r2.value}`);
    // a zero-mass point has no gradient wrt its position
    assert.deepEqual(Array.from(r.gradX!.subarray(0, 3)), [0, 0, 0]);
  }
  const m = await match(engine, x, y, { a: an, b: bn, blur: 0.4, hard: true });
  assert.ok(allFinite(m.matched, m.confidence, m.f, m.g));
  assert.ok(m.hardIndex!.every((j) => bn[j] > 0), 'hard matches never pick a zero-mass point');
});

test('one point against one point: OT_ε = C and S = C exactly', async () => {
  const x = Float64Array.of(1, 2, 3);
  const y = Float64Array.of(4, 6, 3);
  const r = await solveOT(engine, x, y, { blur: 0.5 });
  assert.ok(rel(r.cost, 12.5) < 1e-6, `OT = ${r.cost}`);
  const s = await sinkhornDivergence(engine, x, y, { blur: 0.5, gradient: true });
  assert.ok(rel(s.value, 12.5) < 1e-6);
  // ∂S/∂x = x − y for a single unit mass
  assert.deepEqual(Array.from(s.gradX!).map((v) => Math.round(v * 1e5) / 1e5), [-3, -4, 0]);
  const p1 = await solveOT(engine, x, y, { blur: 0.5, p: 1 });
  assert.ok(rel(p1.cost, 5) < 1e-6);
});

test('N = 1 against M = 10 000: the plan is a⊗b, OT_ε = Σ_j b_j C(x, y_j)', async () => {
  const x = Float64Array.of(0.3, -0.2, 0.1);
  const y = gaussianCloud(10000, 56, 2);
  let expected = 0;
  for (let j = 0; j < 10000; j++) expected += ((x[0] - y[3 * j]) ** 2 + (x[1] - y[3 * j + 1]) ** 2 + (x[2] - y[3 * j + 2]) ** 2) / 2 / 10000;
  const r = await solveOT(engine, x, y, { blur: 0.1 });
  assert.ok(rel(r.cost, expected) < 1e-5, `OT = ${r.cost}, expected ${expected}`);
  const m = await match(engine, x, y, { blur: 0.1 });
  // the barycentre of y
  for (let c = 0; c < 3; c++) {
    let mean = 0;
    for (let j = 0; j < 10000; j++) mean += y[3 * j + c] / 10000;
    assert.ok(Math.abs(m.matched[c] - mean) < 1e-4);
  }
  const flipped = await solveOT(engine, y, x, { blur: 0.1 });
  assert.ok(rel(flipped.cost, expected) < 1e-5);
});

test('far-apart clouds: S(α, α + t) = ½|t|², diameter and scale ratio reported', async () => {
  const x = gaussianCloud(40, 57, 2);
  const t = [1000, -400, 250];
  const y = x.map((v, k) => v + t[k % 3]);
  const s = await sinkhornDivergence(engine, x, y, { blur: 0.5, ...tight });
  const half = 0.5 * (t[0] ** 2 + t[1] ** 2 + t[2] ** 2);
  assert.ok(rel(s.value, half) < 1e-5, `S = ${s.value}, expected ${half}`);
  assert.ok(s.diameter > 1100 && s.diameter < 1200);
  assert.ok(Math.abs(s.scaleRatio - s.diameter / 0.5) < 1e-9);
  // the same clouds far from the origin (scanner coordinates): centring keeps float32 precision
  const offset = 1e5;
  const s2 = await sinkhornDivergence(engine, x.map((v) => v + offset), y.map((v) => v + offset), { blur: 0.5, ...tight });
  assert.ok(rel(s2.value, half) < 1e-5);
});

test('points in metres instead of mm: the diameter says so, and S scales as length²', async () => {
  const mm = gaussianCloud(50, 58, 40);
  const mm2 = gaussianCloud(50, 59, 40, [10, 0, 0]);
  const m = mm.map((v) => v / 1000);
  const m2 = mm2.map((v) => v / 1000);
  const inMm = await sinkhornDivergence(engine, mm, mm2, { blur: 5, ...tight });
  const inM = await sinkhornDivergence(engine, m, m2, { blur: 0.005, ...tight });
  assert.ok(rel(inM.diameter * 1000, inMm.diameter) < 1e-6);
  assert.ok(inM.diameter < 1, 'a lung-sized cloud with a diameter under 1 is in metres');
  assert.ok(rel(inM.value * 1e6, inMm.value) < 1e-4);
  // a blur given in mm for points in metres: one blur covers the whole problem
  const wrong = await solveOT(engine, m, m2, { blur: 5 });
  assert.ok(wrong.scaleRatio < 1);
});

test('bad inputs are refused with a clear error', async () => {
  const x = gaussianCloud(5, 60);
  const y = gaussianCloud(6, 61);
  await assert.rejects(solveOT(engine, x, y, { blur: 0.5, a: [1, 1, 1, 1, 1] }), /equal total masses/);
  await assert.rejects(solveOT(engine, x, y, { blur: 0 }), RangeError);
  await assert.rejects(solveOT(engine, x, y, { blur: 1, reach: -1 }), RangeError);
  await assert.rejects(solveOT(engine, x, y, { blur: 1, a: [0.2, 0.2, 0.2, 0.2] }), /masses for 5 points/);
  await assert.rejects(solveOT(engine, x, y, { blur: 1, a: [0.2, 0.2, 0.2, 0.6, -0.2] }), /finite and ≥ 0/);
  await assert.rejects(solveOT(engine, x, y, { blur: 1, a: [0, 0, 0, 0, 0], reach: 1 }), /sum to 0/);
  const bad = x.slice();
  bad[4] = Number.NaN;
  await assert.rejects(solveOT(engine, bad, y, { blur: 1 }), /non-finite/);
  await assert.rejects(solveOT(engine, x.subarray(0, 4), y, { blur: 1 }), /multiple of 3/);
  await assert.rejects(solveOT(engine, new Float64Array(0), y, { blur: 1 }), /empty/);
  await assert.rejects(solveOT(engine, x, y, { blur: 1, features: { x: [new Float64Array(5)], y: [new Float64Array(7)], weights: [1] } }), /feature 0 of y/);
});

test('cancellation between iterations, and progress up to 1', async () => {
  const x = gaussianCloud(50, 62);
  const y = gaussianCloud(50, 63, 1, [1, 0, 0]);
  const controller = new AbortController();
  const fractions: number[] = [];
  let calls = 0;
  await assert.rejects(
    solveOT(engine, x, y, {
      blur: 0.05,
      signal: controller.signal,
      onProgress: () => {
        if (++calls === 3) controller.abort();
      },
    }),
    CancelledError,
  );
  await solveOT(engine, x, y, { blur: 0.3, onProgress: (r) => fractions.push(r.fraction) });
  assert.equal(fractions.at(-1), 1);
  assert.ok(fractions.every((f, k) => f >= 0 && f <= 1 && (k === 0 || f >= fractions[k - 1] - 1e-12)), 'progress is monotone');
});
