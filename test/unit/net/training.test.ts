// Training: a few optimisation steps lower the loss; `trainRegistrationNet` writes a loadable folder with a
// valid manifest; the same seed gives the same weights, with or without an interruption and --resume.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { writeFileAtomic } from '../../../core/io/atomic-write.ts';
import { JsEngine } from '../../../core/kernels/js-engine.ts';
import { useNetBackend } from '../../../core/registration/net/backend.ts';
import { flowTargets, modelInputs } from '../../../core/registration/net/batch.ts';
import { CHECKPOINT_DIR } from '../../../core/registration/net/checkpoint.ts';
import { loadRegistrationNet } from '../../../core/registration/net/inference.ts';
import { multiScaleEpe } from '../../../core/registration/net/loss.ts';
import { readManifest } from '../../../core/registration/net/manifest.ts';
import { buildRegistrationModel } from '../../../core/registration/net/model.ts';
import { epochPlan, learningRateAt, trainRegistrationNet, TrainOptionsError, type TrainOptions } from '../../../core/registration/net/train.ts';
import { trainingSample } from '../../../core/registration/net/training-sample.ts';
import { inProcessSamples, workerSamples } from '../../../core/registration/net/sample-source.ts';
import { SYNTH_PRESETS } from '../../../core/registration/synth/index.ts';
import { ellipsoidMesh } from '../synth/shapes.ts';
import { ellipsoidShape, saveModelFolder, tinyConfig } from './tiny.ts';
import { tempDir } from '../../support/temp-dir.ts';

const config = tinyConfig();

before(async () => {
  await useNetBackend('wasm');
});

test('a few steps on a fixed batch lower the loss', async () => {
  const engine = new JsEngine();
  const shape = ellipsoidShape();
  const samples = [await trainingSample(shape, SYNTH_PRESETS.lung, config, engine, 1), await trainingSample(shape, SYNTH_PRESETS.lung, config, engine, 2)];
  const model = buildRegistrationModel(config, 3);
  const optimizer = tf.train.adam(3e-3);
  const x = modelInputs(
    samples.map((s) => s.source),
    samples.map((s) => s.target),
    config,
  );
  const gt = flowTargets(
    samples.map((s) => s.flow),
    samples.map((s) => s.weight),
    config,
  );
  const lossOf = () => multiScaleEpe(model.apply(x, { training: true }) as tf.Tensor[], gt.flow, gt.weight, config.levelWeights);
  const before = (await lossOf().data())[0];
  for (let step = 0; step < 25; step++) tf.dispose(optimizer.minimize(lossOf, true) ?? []);
  const after = (await lossOf().data())[0];
  assert.ok(after < 0.8 * before, `loss ${before} → ${after}`);
});

test('learning-rate schedule and epoch plans', () => {
  assert.equal(learningRateAt(1, 0), 1);
  assert.ok(Math.abs(learningRateAt(1, 1) - 0.05) < 1e-12);
  assert.ok(Math.abs(learningRateAt(1, 0.5) - 0.525) < 1e-12);
  const plan = epochPlan(7, 0, 9, 3);
  // Shapes in a shuffled round-robin: every shape once per round of 3.
  for (let r = 0; r < 3; r++) assert.deepEqual(plan.slice(3 * r, 3 * r + 3).map((p) => p.shape).sort(), [0, 1, 2]);
  assert.deepEqual(plan, epochPlan(7, 0, 9, 3));
  assert.notDeepEqual(plan.map((p) => p.seed), epochPlan(7, 1, 9, 3).map((p) => p.seed));
});

test('samples drawn on the worker thread equal those drawn in-process (same seed)', async () => {
  const shape = ellipsoidShape();
  const engine = new JsEngine();
  const local = inProcessSamples([shape], SYNTH_PRESETS.brain, config, engine);
  const remote = await workerSamples([shape], SYNTH_PRESETS.brain, config);
  try {
    const [a, b] = await Promise.all([local.get(0, 77), remote.get(0, 77)]);
    assert.deepEqual(b.flow, a.flow);
    assert.deepEqual(b.source.points, a.source.points);
    assert.deepEqual(b.target.nbr21, a.target.nbr21);
    assert.equal(b.identityEpeMm, a.identityEpeMm);
  } finally {
    await remote.close();
  }
});

async function meshFile(dir: string): Promise<string> {
  const { pointsLps, triangles } = ellipsoidMesh(140, 100, 120, [0, 0, 0], 20, 40);
  const lines = ['OFF', `${pointsLps.length / 3} ${triangles.length / 3} 0`];
  for (let i = 0; i < pointsLps.length; i += 3) lines.push(`${pointsLps[i]} ${pointsLps[i + 1]} ${pointsLps[i + 2]}`);
  for (let f = 0; f < triangles.length; f += 3) lines.push(`3 ${triangles[f]} ${triangles[f + 1]} ${triangles[f + 2]}`);
  const path = join(dir, 'ellipsoid.off');
  await writeFileAtomic(path, `${lines.join('\n')}\n`);
  return path;
}

test('trainRegistrationNet writes a loadable model with its manifest; same seed, same weights, resumed or not', async (t) => {
  const dir = await tempDir(t, 'net-train');
  const data = [{ path: await meshFile(dir) }];
  const common: TrainOptions = { preset: 'lung', data, outDir: '', epochs: 2, pairsPerEpoch: 4, validationPairs: 2, batchSize: 2, seed: 11, config, worker: false };
  const a = join(dir, 'a');
  const result = await trainRegistrationNet({ ...common, outDir: a });
  const manifest = await readManifest(a);
  assert.equal(manifest.preset, 'lung');
  assert.equal(manifest.training.data[0].file, 'ellipsoid.off');
  assert.match(manifest.training.data[0].sha256, /^[0-9a-f]{64}$/);
  assert.equal(manifest.metrics.epochs.length, 2);
  assert.ok(manifest.metrics.final.valIdentityEpeMm > 0 && Number.isFinite(manifest.metrics.final.valEpeMm));
  assert.equal(result.manifest.files.weightsSha256, manifest.files.weightsSha256);
  assert.equal(await stat(join(a, CHECKPOINT_DIR)).catch(() => undefined), undefined, 'checkpoint removed at the end');
  (await loadRegistrationNet(a)).dispose();

  // Interrupted after one epoch (keep the checkpoint), then resumed: the same weights as the straight run.
  const b = join(dir, 'b');
  await trainRegistrationNet({ ...common, outDir: b, epochs: 2, keepCheckpoint: true, signal: abortAfterEpoch(b) }).catch((e: Error) => {
    assert.equal(e.name, 'CancelledError');
  });
  // As a process killed mid-save leaves it: the complete checkpoint moved aside, a half-written next one. Resuming
  // takes the complete one back.
  await rename(join(b, CHECKPOINT_DIR), join(b, `${CHECKPOINT_DIR}.previous`));
  await mkdir(join(b, `${CHECKPOINT_DIR}.next`));
  await writeFile(join(b, `${CHECKPOINT_DIR}.next`, 'model.json'), '{"trunc');
  // Resuming needs the same options: another validation count would mix metrics of two runs.
  await assert.rejects(trainRegistrationNet({ ...common, outDir: b, resume: true, validationPairs: 5 }), /validationPairs/);
  const resumed = await trainRegistrationNet({ ...common, outDir: b, resume: true });
  assert.ok(!(await readdir(b)).some((n) => n.startsWith(`${CHECKPOINT_DIR}`)), 'no checkpoint folder of any kind left at the end');
  // The same losses and validation, and weights equal to float rounding (tfjs's Adam.setWeights recomputes its
  // bias-correction powers β^t instead of restoring the running products, which can move the last bit).
  const close = (x: number, y: number): boolean => Math.abs(x - y) <= 1e-5 * Math.abs(y);
  manifest.metrics.epochs.forEach((e, i) => {
    const r = resumed.manifest.metrics.epochs[i];
    assert.ok(close(r.trainLoss, e.trainLoss) && close(r.valEpeMm, e.valEpeMm), `epoch ${i + 1}: ${JSON.stringify([r, e])}`);
  });
  const weightsA = new Float32Array((await readFile(join(a, 'weights.bin'))).buffer.slice(0));
  const weightsB = new Float32Array((await readFile(join(b, 'weights.bin'))).buffer.slice(0));
  assert.equal(weightsA.length, weightsB.length);
  for (let i = 0; i < weightsA.length; i++) assert.ok(Math.abs(weightsA[i] - weightsB[i]) <= 1e-6 * Math.max(1, Math.abs(weightsA[i])), `weight ${i}`);
  // A second straight run with the same seed is bit-identical.
  const again = await trainRegistrationNet({ ...common, outDir: join(dir, 'again') });
  assert.equal(again.manifest.files.weightsSha256, manifest.files.weightsSha256);

  // Without validation pairs nothing was measured: the manifest says so (null), not a perfect 0 mm.
  await trainRegistrationNet({ ...common, outDir: join(dir, 'unvalidated'), epochs: 1, validationPairs: 0 });
  const unvalidated = (await readManifest(join(dir, 'unvalidated'))).metrics.final as unknown as Record<string, number | null>;
  assert.deepEqual([unvalidated.valEpeMm, unvalidated.reduction], [null, null]);

  await assert.rejects(trainRegistrationNet({ ...common, outDir: join(dir, 'c'), resume: true }), TrainOptionsError);
  await assert.rejects(trainRegistrationNet({ ...common, outDir: join(dir, 'c'), batchSize: 0 }), TrainOptionsError);
});

/** An AbortSignal that fires once the first epoch's checkpoint exists. */
function abortAfterEpoch(outDir: string): AbortSignal {
  const controller = new AbortController();
  const timer = setInterval(() => {
    void stat(join(outDir, CHECKPOINT_DIR, 'state.json')).then(
      () => {
        controller.abort();
        clearInterval(timer);
      },
      () => {},
    );
  }, 5);
  return controller.signal;
}

test('a warm start (--init) begins from the given model: its config and weights; a model of another preset is refused', async (t) => {
  const dir = await tempDir(t, 'net-init');
  const data = [{ path: await meshFile(dir) }];
  const start = join(dir, 'start');
  const startModel = buildRegistrationModel(config, 42);
  await saveModelFolder(start, config, startModel);
  const common: TrainOptions = { preset: 'lung', data, outDir: '', epochs: 1, pairsPerEpoch: 2, validationPairs: 1, batchSize: 2, seed: 5, worker: false };
  // A vanishing learning rate: the result must still be the starting weights, not a fresh seed-5 initialisation.
  const out = join(dir, 'warm');
  await trainRegistrationNet({ ...common, outDir: out, initFrom: start, learningRate: 1e-12 });
  const warm = await loadRegistrationNet(out, { backend: 'wasm' });
  const fresh = buildRegistrationModel(config, 5);
  const a = startModel.getWeights();
  const b = warm.model.getWeights();
  const c = fresh.getWeights();
  let dWarm = 0;
  let dFresh = 0;
  for (let k = 0; k < a.length; k++) {
    const [va, vb, vc] = [a[k].dataSync(), b[k].dataSync(), c[k].dataSync()];
    for (let i = 0; i < va.length; i++) {
      dWarm = Math.max(dWarm, Math.abs(va[i] - vb[i]));
      dFresh = Math.max(dFresh, Math.abs(va[i] - vc[i]));
    }
  }
  assert.ok(dWarm < 1e-6, `warm-started weights moved by ${dWarm}`);
  assert.ok(dFresh > 1e-3, 'the fresh initialisation differs from the starting model');
  const manifest = await readManifest(out);
  assert.equal(manifest.training.initFrom?.dir, 'start');
  assert.deepEqual(manifest.config, config);
  warm.dispose();
  await assert.rejects(trainRegistrationNet({ ...common, preset: 'brain', outDir: join(dir, 'wrong'), initFrom: start }), TrainOptionsError);
});

test('a cancel that comes as validation starts stops training before the first validation pair: no model is written', async (t) => {
  const dir = await tempDir(t, 'net-cancel-validation');
  const data = [{ path: await meshFile(dir) }];
  const controller = new AbortController();
  const out = join(dir, 'model');
  // The last training step's progress comes right before validation: cancel there.
  const run = trainRegistrationNet({
    preset: 'lung',
    data,
    outDir: out,
    epochs: 1,
    pairsPerEpoch: 2,
    validationPairs: 3,
    batchSize: 2,
    seed: 3,
    config,
    worker: false,
    signal: controller.signal,
    onProgress: (p) => {
      if (p.fraction === 1) controller.abort();
    },
  });
  await assert.rejects(run, (e: Error) => e.name === 'CancelledError' && /validating epoch 1/.test(e.message));
  assert.deepEqual(await readdir(out).catch(() => []), [], 'no model, manifest or checkpoint written');
});
