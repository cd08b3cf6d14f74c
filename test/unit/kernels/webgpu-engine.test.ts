// The 'webgpu' engine (WGSL compute shaders) against the plain-JS reference. Without a GPU it runs on a software
// Vulkan adapter (Mesa's lavapipe, which .ci/run installs), so the shaders are checked on every CI run; a machine
// with neither skips these tests unless MONGE_REQUIRE_WEBGPU=1 (set by .ci/run), which makes their absence fail.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { WebGpuEngine } from '../../../core/kernels/webgpu-engine.ts';
import { probeWebGpu } from '../../../core/kernels/webgpu-device.ts';
import { checkEmptyRows, checkOtherReductions, checkSoftminAgreement, checkSparseAgreement } from './engine-agreement.ts';

const adapter = await probeWebGpu();
const required = process.env.MONGE_REQUIRE_WEBGPU === '1';
const skip = adapter || required ? false : 'no WebGPU adapter on this machine (install mesa-vulkan-drivers for a software one)';

let engine: WebGpuEngine;

before(async () => {
  if (!skip) engine = await WebGpuEngine.create();
});

after(async () => {
  await engine?.dispose();
});

test('the engine names its adapter', { skip }, () => {
  assert.ok(adapter, 'MONGE_REQUIRE_WEBGPU=1 but no WebGPU adapter was found');
  assert.equal(engine.name, 'webgpu');
  assert.match(engine.backend, /^webgpu: ./);
});

test('softmin and softminWeighted agree with the JS reference', { skip }, async () => {
  const cases = await checkSoftminAgreement(engine, { rows: [1, 7, 50, 130], cols: [1, 6, 90] }, 31);
  assert.ok(cases > 100);
});

test('empty rows give the documented value, never NaN or Infinity', { skip }, async () => {
  await checkEmptyRows(engine);
});

test('block-sparse reductions: = dense when all blocks are kept, = the masked sum otherwise', { skip }, async () => {
  await checkSparseAgreement(engine, 33);
});

test('argmaxScore, gaussianSum and knn agree with the JS reference', { skip }, async () => {
  await checkOtherReductions(engine, 34);
});

test('rows beyond one grid dimension (65,535 workgroups), in several dispatches, and zero-size inputs', { skip }, async () => {
  // 4.3 M rows: in one dispatch they need a second grid row of workgroups; with a small pairsPerDispatch they
  // go out in 9 dispatches.
  const chunked = await WebGpuEngine.create({ pairsPerDispatch: 1_000_000 });
  try {
    const n = 4_300_000;
    const x = { points: new Float32Array(n).map((_, i) => (i % 1009) / 1009), dim: 1 };
    const y = { points: Float32Array.from([0.25, 0.75]), dim: 1 };
    for (const [what, e] of [['one dispatch', engine], ['chunks', chunked]] as const) {
      const idx = new Int32Array(n).fill(-2);
      const score = new Float32Array(n);
      await e.argmaxScore(1, 2, x, y, Float32Array.from([0, 0]), idx, score);
      let wrong = 0;
      for (let i = 0; i < n; i++) {
        const t = x.points[i];
        const want = Math.abs(t - 0.75) < Math.abs(t - 0.25) ? 1 : 0;
        if (idx[i] !== want || Math.abs(score[i] + (t - y.points[want]) ** 2 / 2) > 1e-6) wrong++;
      }
      assert.equal(wrong, 0, what);
    }
  } finally {
    await chunked.dispose();
  }
  const none = new Float32Array(0);
  await engine.softmin(1, 2, { points: none, dim: 3 }, { points: Float32Array.from([0, 0, 0]), dim: 3 }, new Float32Array(1), none);
  const out = new Float32Array(4);
  await engine.softmin(1, 2, { points: new Float32Array(12), dim: 3 }, { points: none, dim: 3 }, none, out);
  assert.deepEqual([...out], new Array(4).fill(Math.fround(1e30)));
});

test('a disposed engine refuses work', { skip }, async () => {
  const spare = await WebGpuEngine.create();
  await spare.dispose();
  await assert.rejects(spare.softmin(1, 2, { points: new Float32Array(3), dim: 3 }, { points: new Float32Array(3), dim: 3 }, new Float32Array(1), new Float32Array(1)), /disposed/);
});
