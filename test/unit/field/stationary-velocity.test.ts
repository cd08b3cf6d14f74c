import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gridAroundBounds, gridPointsLps } from '../../../core/field/grid.ts';
import { jacobianDeterminantMap, jacobianOfDeformation } from '../../../core/field/jacobian.ts';
import { KernelDisplacement } from '../../../core/field/kernel-displacement.ts';
import { StationaryVelocityDeformation, exponentiateVelocityField } from '../../../core/field/stationary-velocity.ts';
import type { GridLps } from '../../../core/field/types.ts';
import { JsEngine } from '../../../core/kernels/js-engine.ts';
import { mulberry32 } from '../../../core/shape/index.ts';
import { maxPointError } from './support.ts';

test('scaling and squaring of a rotation generator gives the rotation (analytic exp of a linear field)', () => {
  // v(x) = ω ẑ × (x − c): exp(v) is the rotation by ω about the axis through c. Trilinear interpolation is exact on
  // linear fields, so the only error is exp(v/2^N) ≈ id + v/2^N, O(ω²/2^N): tiny with many squarings.
  const grid: GridLps = { size: [41, 33, 4], spacingMm: [1.5, 2, 2.5], originLps: [-30, -32, -3.75], directionLps: Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]) };
  const c = [0, 0, 0];
  const omega = 0.6;
  const p = gridPointsLps(grid);
  const v = new Float64Array(p.length);
  for (let i = 0; i < p.length; i += 3) {
    v[i] = -omega * (p[i + 1] - c[1]);
    v[i + 1] = omega * (p[i] - c[0]);
  }
  const velocity = { ...grid, components: 3, data: v };
  const radius = 24; // inside the grid's inscribed disc (30 mm in x, 32 in y), with room
  const check = (field: Float64Array | Float32Array, angle: number, tol: number): number => {
    let worst = 0;
    for (let i = 0; i < p.length; i += 3) {
      const dx = p[i] - c[0];
      const dy = p[i + 1] - c[1];
      if (Math.hypot(dx, dy) > radius) continue;
      const ex = Math.cos(angle) * dx - Math.sin(angle) * dy - dx;
      const ey = Math.sin(angle) * dx + Math.cos(angle) * dy - dy;
      worst = Math.max(worst, Math.hypot(field[i] - ex, field[i + 1] - ey, field[i + 2]));
    }
    assert.ok(worst < tol, `rotation by ${angle}: error ${worst} mm`);
    return worst;
  };
  check(exponentiateVelocityField(velocity, { squarings: 18 }).field.data as Float64Array, omega, 1e-4);
  // With the default number of squarings the first-order start costs a little accuracy, still well under 0.1 mm.
  const auto = exponentiateVelocityField(velocity);
  assert.ok(auto.squarings >= 5);
  check(auto.field.data as Float64Array, omega, 0.1);
  const svf = new StationaryVelocityDeformation(velocity, { squarings: 18 });
  check(svf.backward.field.data as Float64Array, -omega, 1e-4);
});

test('diffeomorphic option: exp(v) keeps det ∇φ > 0 everywhere where the plain displacement u = v folds', async (t) => {
  // A large smooth velocity: a Gaussian bump pushing along x, amplitude 30 mm, σ = 10 mm. As a plain displacement,
  // det ∇(id + v) = 1 + ∂v_x/∂x reaches 1 − 30/10·e^(−1/2) ≈ −0.82: it folds.
  const centre = [5, -10, 20];
  const engine = new JsEngine();
  const v = new KernelDisplacement({ centresLps: Float64Array.from(centre), coefficientsLps: Float64Array.from([30, 0, 0]), sigmasMm: [10], engine });
  const grid = gridAroundBounds([centre[0], centre[0], centre[1], centre[1], centre[2], centre[2]], 1.5, 45);
  const plain = await jacobianOfDeformation(v, grid);
  const svf = await StationaryVelocityDeformation.fromVelocity((pts) => v.evaluate(pts), grid);
  const exp = jacobianDeterminantMap(svf.forward.field);
  t.diagnostic(
    `plain u = v: min det ${plain.stats.min.toFixed(3)}, ${(100 * plain.stats.nonPositiveFraction).toFixed(2)}% of voxels folded; ` +
      `exp(v) (${svf.squarings} squarings): min det ${exp.stats.min.toFixed(3)}, max ${exp.stats.max.toFixed(3)}`,
  );
  assert.ok(plain.stats.min < -0.5, `the plain displacement folds (min det ${plain.stats.min})`);
  assert.ok(plain.stats.nonPositiveFraction > 0.001);
  assert.ok(exp.stats.min > 0, `exp(v) does not fold (min det ${exp.stats.min})`);
  assert.equal(exp.stats.nonPositiveFraction, 0);
  // It is a large deformation: points travel up to ~30 mm.
  let maxU = 0;
  const f = svf.forward.field.data;
  for (let i = 0; i < f.length; i += 3) maxU = Math.max(maxU, Math.hypot(f[i], f[i + 1], f[i + 2]));
  assert.ok(maxU > 20, `max displacement ${maxU} mm`);

  // The inverse: exp(−v) refined by fixed-point iteration; φ⁻¹(φ(x)) = x.
  const rand = mulberry32(3);
  const x = new Float64Array(600);
  for (let i = 0; i < x.length; i++) x[i] = centre[i % 3] + (rand() - 0.5) * 50;
  const u = await svf.evaluate(x);
  const y = x.map((val, i) => val + u[i]);
  const inv = await svf.evaluateInverse(y);
  const err = maxPointError(y.map((val, i) => val + inv.displacementsLps[i]), x);
  const firstGuess = svf.backward.sample(y);
  const guessErr = maxPointError(y.map((val, i) => val + firstGuess[i]), x);
  t.diagnostic(`inverse consistency ${err.toExponential(2)} mm (exp(−v) alone: ${guessErr.toExponential(2)} mm), ${inv.iterations} iterations`);
  assert.ok(err < 0.01, `inverse consistency ${err}`);
  assert.equal(inv.unconverged, 0);
  assert.ok(inv.iterations < 30, `${inv.iterations} iterations`);
  assert.ok(guessErr < 2, `exp(−v) is close to the inverse (${guessErr} mm)`);
  await engine.dispose();
});
