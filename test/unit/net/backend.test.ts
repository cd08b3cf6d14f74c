// The network runs on tfjs's wasm and cpu backends with the same outputs (to 1e-4), through the full inference
// path: pyramids, network, interpolation to every moving point.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { JsEngine } from '../../../core/kernels/js-engine.ts';
import { useNetBackend } from '../../../core/registration/net/backend.ts';
import { loadRegistrationNet, predictDisplacement, type NetPrediction } from '../../../core/registration/net/inference.ts';
import { buildRegistrationModel } from '../../../core/registration/net/model.ts';
import { ellipsoidCloud, saveModelFolder, tinyConfig } from './tiny.ts';
import { tempDir } from '../../support/temp-dir.ts';

after(async () => {
  await useNetBackend('wasm');
});

test('wasm and cpu backends give the same displacements to 1e-4', async (t) => {
  const config = tinyConfig();
  const dir = await tempDir(t, 'net-backend');
  // Non-trivial weights: a seeded network whose output heads are scaled up so the flow is not ~0.
  await useNetBackend('wasm');
  const model = buildRegistrationModel(config, 21);
  model.setWeights(model.getWeights().map((w) => (w.shape.length === 2 && w.shape[1] === 3 ? tf.mul(w, 300) : w)));
  await saveModelFolder(dir, config, model);
  const moving = ellipsoidCloud(3000, 1);
  const fixed = ellipsoidCloud(2500, 2).map((v, i) => v * 1.05 + (i % 3 === 2 ? 8 : 0));
  const results: NetPrediction[] = [];
  for (const backend of ['wasm', 'cpu'] as const) {
    const net = await loadRegistrationNet(dir, { backend });
    assert.equal(tf.getBackend(), backend);
    results.push(await predictDisplacement(net, moving, fixed, { engine: new JsEngine() }));
    assert.equal(results[results.length - 1].report.backend, backend);
    net.dispose();
  }
  const [a, b] = results;
  let largest = 0;
  let diff = 0;
  for (let i = 0; i < a.controlDisplacementLps.length; i++) {
    largest = Math.max(largest, Math.abs(a.controlDisplacementLps[i]));
    diff = Math.max(diff, Math.abs(a.controlDisplacementLps[i] - b.controlDisplacementLps[i]));
  }
  assert.ok(largest > 1, `displacements should not be trivial (largest ${largest} mm)`);
  // 1e-4 of the normalisation scale (network outputs are normalised by scaleMm).
  assert.ok(diff <= 1e-4 * config.scaleMm, `control displacements differ by ${diff} mm`);
  for (let i = 0; i < a.displacementLps.length; i++) assert.ok(Math.abs(a.displacementLps[i] - b.displacementLps[i]) <= 1e-4 * config.scaleMm);
  assert.equal(a.displacementLps.length, moving.length);
});
