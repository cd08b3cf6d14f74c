import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AffineDeformation } from '../../../core/field/affine.ts';
import { ComposedDeformation } from '../../../core/field/composed.ts';
import { invertByFixedPoint } from '../../../core/field/fixed-point-inverse.ts';
import { affineFromParts, transformPoints } from '../../../core/field/matrix4.ts';
import { mulberry32 } from '../../../core/shape/index.ts';
import { kernelReference, maxPointError, rotation3, smoothKernelDisplacement } from './support.ts';

function randomPoints(n: number, centre: number[], half: number, seed: number): Float64Array {
  const rand = mulberry32(seed);
  const p = new Float64Array(3 * n);
  for (let i = 0; i < p.length; i++) p[i] = centre[i % 3] + (rand() - 0.5) * 2 * half;
  return p;
}

test('the kernel displacement equals the Gaussian sum Σ_k Σ_s w_s exp(−|x − c_k|²/2σ_s²) α_k (float64 reference)', async () => {
  const centre: [number, number, number] = [-120, 85, 300]; // far from the origin: the float32 engine must not lose mm
  const model = smoothKernelDisplacement(centre);
  const x = randomPoints(200, centre, 35, 3);
  const u = await model.evaluate(x);
  let maxU = 0;
  for (let i = 0; i < 200; i++) {
    const ref = kernelReference(model, [x[3 * i], x[3 * i + 1], x[3 * i + 2]]);
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(u[3 * i + c] - ref[c]) < 1e-4, `point ${i}: ${u[3 * i + c]} vs ${ref[c]}`);
    maxU = Math.max(maxU, Math.hypot(ref[0], ref[1], ref[2]));
  }
  assert.ok(maxU > 1, `the test deformation is not trivial (max |u| = ${maxU.toFixed(2)} mm)`);
});

test('Gaussian kernel deformation: inverse consistency |φ⁻¹(φ(x)) − x| < 0.01 mm', async (t) => {
  const centre: [number, number, number] = [10, -20, 40];
  const model = smoothKernelDisplacement(centre, 11, 3);
  const x = randomPoints(500, centre, 30, 5);
  const u = await model.evaluate(x);
  const y = new Float64Array(x.length);
  let maxU = 0;
  for (let i = 0; i < x.length; i++) y[i] = x[i] + u[i];
  for (let i = 0; i < x.length; i += 3) maxU = Math.max(maxU, Math.hypot(u[i], u[i + 1], u[i + 2]));
  const inv = await model.evaluateInverse(y);
  const back = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) back[i] = y[i] + inv.displacementsLps[i];
  const err = maxPointError(back, x);
  t.diagnostic(`max |u| = ${maxU.toFixed(2)} mm; inverse consistency max |φ⁻¹(φ(x)) − x| = ${err.toExponential(2)} mm; ` +
    `residual max ${inv.maxResidualMm.toExponential(2)} mm after ${inv.iterations} iterations`);
  assert.ok(maxU > 3, `a moderate deformation (max |u| = ${maxU})`);
  assert.ok(err < 0.01, `inverse consistency ${err} mm`);
  assert.equal(inv.unconverged, 0);
  assert.ok(inv.maxResidualMm <= 1e-4);
  // φ(φ⁻¹(y)) = y: the residual reported is the true one
  const again = await model.evaluate(back);
  let res = 0;
  for (let i = 0; i < y.length; i += 3) res = Math.max(res, Math.hypot(back[i] + again[i] - y[i], back[i + 1] + again[i + 1] - y[i + 1], back[i + 2] + again[i + 2] - y[i + 2]));
  assert.ok(Math.abs(res - inv.maxResidualMm) < 1e-6, `reported residual ${inv.maxResidualMm} vs recomputed ${res}`);
});

test('fixed-point inversion damps itself where the plain iteration diverges, and reports failure honestly', async () => {
  // u(x) = 1.8 x (in x only): φ(x) = 2.8 x is invertible, but x ← y − u(x) = y − 1.8 x diverges (|slope| > 1);
  // the damped step x ← x − λ (φ(x) − y) contracts for λ < 2 / 2.8.
  const u = async (p: Float64Array): Promise<Float64Array> => p.map((v, i) => (i % 3 === 0 ? 1.8 * v : 0));
  const y = Float64Array.from([4, 0, 0, -8, 1, 2]);
  const r = await invertByFixedPoint(u, y, { toleranceMm: 1e-6, maxIterations: 400 });
  assert.equal(r.unconverged, 0);
  assert.ok(Math.abs(y[0] + r.displacementsLps[0] - 4 / 2.8) < 1e-5, `x = ${y[0] + r.displacementsLps[0]}`);
  assert.ok(Math.abs(y[3] + r.displacementsLps[3] - -8 / 2.8) < 1e-5);
  // A map with no inverse (u = −x, φ ≡ 0 in x): the best point is kept and counted as unconverged.
  const fold = async (p: Float64Array): Promise<Float64Array> => p.map((v, i) => (i % 3 === 0 ? -v : 0));
  const f = await invertByFixedPoint(fold, Float64Array.from([3, 0, 0]), { maxIterations: 50 });
  assert.equal(f.unconverged, 1);
  assert.ok(Math.abs(f.maxResidualMm - 3) < 1e-9, `residual ${f.maxResidualMm}`);
});

test('composition φ(x) = ψ(A x + t): order, and the inverse of the chain', async (t) => {
  const affine = new AffineDeformation(affineFromParts(rotation3(8, -5).map((v) => v * 1.05), [2, -3, 1.5]));
  const centre: [number, number, number] = [0, 0, 0];
  const psi = smoothKernelDisplacement(centre, 4, 2);
  const chain = new ComposedDeformation([affine, psi]);
  const x = randomPoints(300, centre, 25, 9);
  const ax = transformPoints(affine.movingToFixedLps, x);
  const expected = new Float64Array(x.length);
  for (let i = 0; i < x.length; i += 3) {
    const u = kernelReference(psi, [ax[i], ax[i + 1], ax[i + 2]]);
    for (let c = 0; c < 3; c++) expected[i + c] = ax[i + c] + u[c] - x[i + c];
  }
  const got = await chain.evaluate(x);
  assert.ok(maxPointError(got, expected) < 1e-4, 'φ = ψ ∘ A, the linear step first');
  const y = new Float64Array(x.length);
  for (let i = 0; i < y.length; i++) y[i] = x[i] + got[i];
  const inv = await chain.evaluateInverse(y);
  const back = y.map((v, i) => v + inv.displacementsLps[i]);
  const err = maxPointError(back, x);
  t.diagnostic(`chain inverse consistency ${err.toExponential(2)} mm, residual ${inv.maxResidualMm.toExponential(2)} mm`);
  assert.ok(err < 0.01);
  assert.ok(inv.maxResidualMm < 2e-4 && inv.maxResidualMm > 0);
});
