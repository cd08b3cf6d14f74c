// The optional self-supervised loss: steps on the Sinkhorn-divergence surrogate alone pull the network's warped
// moving points towards the fixed cloud (S_ε decreases), and the surrogate's gradient is the divergence's.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { writeFileAtomic } from '../../../core/io/atomic-write.ts';
import { JsEngine } from '../../../core/kernels/js-engine.ts';
import { useNetBackend } from '../../../core/registration/net/backend.ts';
import { buildRegistrationModel } from '../../../core/registration/net/model.ts';
import { prepareSelfSupervised, selfSupervisedGradient } from '../../../core/registration/net/self-supervised.ts';
import { ellipsoidCloud, tinyConfig } from './tiny.ts';
import { tempDir } from '../../support/temp-dir.ts';

before(async () => {
  await useNetBackend('wasm');
});

function csv(points: Float64Array): string {
  const rows = ['x,y,z'];
  for (let i = 0; i < points.length; i += 3) rows.push(`${points[i]},${points[i + 1]},${points[i + 2]}`);
  return `${rows.join('\n')}\n`;
}

test('steps on the self-supervised surrogate lower the Sinkhorn divergence of an unlabeled pair', async (t) => {
  const config = tinyConfig();
  const dir = await tempDir(t, 'net-ss');
  const moving = ellipsoidCloud(800, 1);
  // The fixed shape: the same ellipsoid stretched by 15 % along z (the centroids coincide, so only the flow can help).
  const fixed = ellipsoidCloud(800, 2).map((v, i) => (i % 3 === 2 ? (v + 60) * 1.15 - 60 : v));
  await writeFileAtomic(join(dir, 'moving.csv'), csv(moving));
  await writeFileAtomic(join(dir, 'fixed.csv'), csv(fixed));
  const engine = new JsEngine();
  const prepared = await prepareSelfSupervised({ pairs: [{ moving: { path: join(dir, 'moving.csv') }, fixed: { path: join(dir, 'fixed.csv') } }], weight: 1, blurMm: 10 }, config, engine);
  assert.equal(prepared.records[0].moving.file, 'moving.csv');
  const model = buildRegistrationModel(config, 2);
  const optimizer = tf.train.adam(3e-3);
  const divergences: number[] = [];
  for (let step = 0; step < 8; step++) {
    const ss = await selfSupervisedGradient(model, prepared, step, engine);
    divergences.push(ss.divergence);
    tf.dispose(optimizer.minimize(ss.surrogate, true) ?? []);
    ss.dispose();
  }
  assert.ok(divergences[divergences.length - 1] < 0.8 * divergences[0], `S: ${divergences.map((d) => d.toFixed(2)).join(' → ')}`);
});
