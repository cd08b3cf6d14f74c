import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readShape } from '../../../core/io/index.ts';
import { createEngine } from '../../../core/kernels/index.ts';
import { landmarkErrors, summarizeErrors } from '../../../core/metrics/landmark-error.ts';
import { applyLinear, type LinearMap, type LinearModel } from '../../../core/registration/prealign/linear-fit.ts';
import { prealign } from '../../../core/registration/prealign/prealign.ts';
import { cubeRotations } from '../../../core/registration/prealign/rotations.ts';
import { needsSharedData, sharedPath } from '../../support/data.ts';

/** Row-major rotation about a unit axis by θ (Rodrigues). */
function rotation(axis: number[], thetaDeg: number): number[] {
  const n = Math.hypot(...axis);
  const [x, y, z] = axis.map((v) => v / n);
  const t = (thetaDeg * Math.PI) / 180;
  const c = Math.cos(t);
  const s = Math.sin(t);
  const C = 1 - c;
  return [c + x * x * C, x * y * C - z * s, x * z * C + y * s, y * x * C + z * s, c + y * y * C, y * z * C - x * s, z * x * C - y * s, z * y * C + x * s, c + z * z * C];
}

function matmul(a: number[], b: number[]): number[] {
  const out: number[] = [];
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) out.push(a[3 * r] * b[c] + a[3 * r + 1] * b[3 + c] + a[3 * r + 2] * b[6 + c]);
  return out;
}

/** Every k-th vertex of a real surface (MNE sample subject's inner skull, 2 562 vertices), about `count` of them. */
async function realCloud(count: number): Promise<Float64Array> {
  const shape = await readShape(sharedPath('brain', 'mne-sample', 'inner_skull.surf'));
  const n = shape.pointsLps.length / 3;
  const step = Math.max(1, Math.floor(n / count));
  const out: number[] = [];
  for (let i = 0; i < n; i += step) out.push(shape.pointsLps[3 * i], shape.pointsLps[3 * i + 1], shape.pointsLps[3 * i + 2]);
  return Float64Array.from(out);
}

const CASES: { model: LinearModel; truth: LinearMap; what: string }[] = [
  { model: 'rigid', what: '25° about an oblique axis, 18 mm shift', truth: { matrix: Float64Array.from(rotation([1, -2, 0.5], 25)), translation: Float64Array.of(12, -8, 10) } },
  {
    model: 'similarity',
    what: 'scale 1.15, 15° rotation',
    truth: { matrix: Float64Array.from(rotation([0.3, 1, 1], 15).map((v) => v * 1.15)), translation: Float64Array.of(-6, 9, 4) },
  },
  {
    model: 'affine',
    what: 'anisotropic scale and shear',
    truth: { matrix: Float64Array.from(matmul(rotation([0, 0, 1], 10), [1.12, 0.08, 0, 0, 0.92, 0.05, 0.04, 0, 1.05])), translation: Float64Array.of(5, 3, -7) },
  },
];

test('prealign recovers a known rigid, similarity and affine motion of a real surface', { skip: needsSharedData(), timeout: 120_000 }, async () => {
  const moving = await realCloud(900);
  const n = moving.length / 3;
  const mass = new Float64Array(n).fill(1);
  const { engine } = await createEngine('cpu');
  try {
    for (const { model, truth, what } of CASES) {
      const fixed = applyLinear(truth, moving);
      const result = await prealign(engine, { pointsLps: moving, mass }, { pointsLps: fixed, mass }, { model, blursMm: [20, 8, 3], toleranceMm: 0.02, maxIterations: 15 });
      const errors = summarizeErrors(landmarkErrors(applyLinear(result.map, moving), fixed));
      // The skull is ~70 mm in radius and the motion moves points by up to ~35 mm: the fit must land within 0.3 mm.
      assert.ok(errors.mean < 0.3, `${model} (${what}): mean error ${errors.mean.toFixed(3)} mm`);
      for (let i = 0; i < 9; i++) assert.ok(Math.abs(result.map.matrix[i] - truth.matrix[i]) < 0.01, `${model}: matrix[${i}] ${result.map.matrix[i]} vs ${truth.matrix[i]}`);
      for (let i = 0; i < 3; i++) assert.ok(Math.abs(result.map.translation[i] - truth.translation[i]) < 1, `${model}: translation[${i}] ${result.map.translation[i]} vs ${truth.translation[i]}`);
      if (model === 'rigid') {
        const m = result.map.matrix;
        const det = m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
        assert.ok(Math.abs(det - 1) < 1e-9, 'a rigid fit is a proper rotation');
      }
    }
  } finally {
    await engine.dispose();
  }
});

test('the rotation search finds a shape turned upside down', { skip: needsSharedData(), timeout: 120_000 }, async () => {
  const moving = await realCloud(500);
  const n = moving.length / 3;
  const mass = new Float64Array(n).fill(1);
  // 180° about x plus a small extra tilt: far outside the basin of a local alignment.
  const truth: LinearMap = { matrix: Float64Array.from(matmul(rotation([1, 0, 0], 180), rotation([0, 1, 0], 8))), translation: Float64Array.of(4, -3, 6) };
  const fixed = applyLinear(truth, moving);
  const { engine } = await createEngine('cpu');
  try {
    const result = await prealign(engine, { pointsLps: moving, mass }, { pointsLps: fixed, mass }, { model: 'rigid', blursMm: [20, 8, 3], toleranceMm: 0.02, maxIterations: 15, rotationSearch: true });
    const errors = summarizeErrors(landmarkErrors(applyLinear(result.map, moving), fixed));
    assert.ok(errors.mean < 0.3, `mean error ${errors.mean.toFixed(3)} mm after the rotation search`);
    assert.ok(result.startRotation, 'the search reports the start it kept');
  } finally {
    await engine.dispose();
  }
});

test('the 24 cube rotations are distinct proper rotations, identity first', () => {
  const rotations = cubeRotations();
  assert.equal(rotations.length, 24);
  assert.deepEqual(Array.from(rotations[0]), [1, 0, 0, 0, 1, 0, 0, 0, 1]);
  const keys = new Set(rotations.map((m) => Array.from(m).join(',')));
  assert.equal(keys.size, 24);
  for (const m of rotations) {
    const det = m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
    assert.equal(det, 1);
  }
});
