import { test } from 'node:test';
import assert from 'node:assert/strict';
import { invertByFixedPoint, invertPointwise, type PointDisplacementLps } from '../../../core/field/fixed-point-inverse.ts';
import { GridDisplacement } from '../../../core/field/grid-displacement.ts';
import { gridAroundBounds, gridPointsLps } from '../../../core/field/grid.ts';
import { StationaryVelocityDeformation } from '../../../core/field/stationary-velocity.ts';
import { mulberry32 } from '../../../core/shape/index.ts';

/** A smooth bump pushing along x and y: u(p) = a · exp(−|p − c|² / 2σ²) · (1, 0.5, 0). */
function bumpField(amplitudeMm: number) {
  const c = [3, -4, 2];
  const sigma = 9;
  const grid = gridAroundBounds([c[0], c[0], c[1], c[1], c[2], c[2]], 1.5, 30);
  const p = gridPointsLps(grid);
  const data = new Float64Array(p.length);
  for (let i = 0; i < p.length; i += 3) {
    const g = amplitudeMm * Math.exp(-((p[i] - c[0]) ** 2 + (p[i + 1] - c[1]) ** 2 + (p[i + 2] - c[2]) ** 2) / (2 * sigma * sigma));
    data[i] = g;
    data[i + 1] = 0.5 * g;
  }
  return { image: { ...grid, components: 3, data }, centre: c };
}

function targetsNear(centre: number[], count: number, spreadMm: number, seed: number): Float64Array {
  const rand = mulberry32(seed);
  const y = new Float64Array(3 * count);
  for (let i = 0; i < y.length; i++) y[i] = centre[i % 3] + spreadMm * (2 * rand() - 1);
  return y;
}

/** The batched driver on the same point function, for comparison. */
const batched = (at: PointDisplacementLps) => async (p: Float64Array): Promise<Float64Array> => {
  const out = new Float64Array(p.length);
  const u = new Float64Array(3);
  for (let i = 0; i < p.length; i += 3) {
    at(p[i], p[i + 1], p[i + 2], u);
    out.set(u, i);
  }
  return out;
};

test('pointwise inversion takes the same steps as the batched one: identical results, damped and preconditioned', async () => {
  // Amplitude 10 mm over σ = 9 mm: sup |∂u/∂x| = 10/9 · e^(−1/2) ≈ 0.67, a contraction but not a mild one.
  const { image, centre } = bumpField(10);
  const field = new GridDisplacement(image, 'clamp');
  const y = targetsNear(centre, 400, 18, 3);
  const options = { toleranceMm: 1e-6, maxIterations: 200 };
  const a = invertPointwise(field.at, y, options);
  const b = await invertByFixedPoint(batched(field.at), y, options);
  assert.deepEqual(a.displacementsLps, b.displacementsLps);
  assert.deepEqual([a.maxResidualMm, a.meanResidualMm, a.unconverged, a.iterations], [b.maxResidualMm, b.meanResidualMm, b.unconverged, b.iterations]);
  assert.equal(a.unconverged, 0);
  // The result is an inverse: φ(x) = y at every target, to the tolerance.
  const x = y.map((v, i) => v + a.displacementsLps[i]);
  const u = field.sample(x);
  for (let i = 0; i < y.length; i++) assert.ok(Math.abs(x[i] + u[i] - y[i]) <= 1e-6, `point ${Math.floor(i / 3)}`);

  // Preconditioned by exp(−v), as the diffeomorphic deformation inverts itself.
  const svf = new StationaryVelocityDeformation(bumpField(20).image, {}, 'clamp');
  const c = invertPointwise(svf.forward.at, y, options, undefined, svf.backward.at);
  const d = await invertByFixedPoint(batched(svf.forward.at), y, options, undefined, batched(svf.backward.at));
  assert.deepEqual(c.displacementsLps, d.displacementsLps);
  assert.deepEqual([c.maxResidualMm, c.unconverged, c.iterations], [d.maxResidualMm, d.unconverged, d.iterations]);
  assert.equal(c.unconverged, 0);
});

test('pointwise inversion keeps the best point of a map with no inverse and counts it as unconverged', () => {
  // u = −x in x: φ ≡ 0 along x, so y = 3 cannot be reached; the best residual is |0 − 3| = 3.
  const fold: PointDisplacementLps = (x, _y, _z, out) => {
    out[0] = -x;
    out[1] = 0;
    out[2] = 0;
  };
  const r = invertPointwise(fold, Float64Array.from([3, 0, 0, 0, 1, 2]), { maxIterations: 50 });
  assert.equal(r.unconverged, 1);
  assert.ok(Math.abs(r.maxResidualMm - 3) < 1e-9, `residual ${r.maxResidualMm}`);
  assert.deepEqual(Array.from(r.displacementsLps.subarray(3)), [0, 0, 0]);
});
