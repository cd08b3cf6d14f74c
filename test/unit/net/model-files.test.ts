// Saving and loading a network folder: save → load gives identical outputs; corrupt or mismatched files give an
// InputError that names the file.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../../../core/io/errors.ts';
import { JsEngine } from '../../../core/kernels/js-engine.ts';
import { useNetBackend } from '../../../core/registration/net/backend.ts';
import { modelInputs } from '../../../core/registration/net/batch.ts';
import { loadRegistrationNet } from '../../../core/registration/net/inference.ts';
import { MANIFEST_JSON } from '../../../core/registration/net/manifest.ts';
import { MODEL_JSON, modelFiles, WEIGHTS_BIN } from '../../../core/registration/net/model-files.ts';
import { buildRegistrationModel } from '../../../core/registration/net/model.ts';
import { buildPyramid } from '../../../core/registration/net/pyramid.ts';
import { ellipsoidCloud, saveModelFolder, tinyConfig } from './tiny.ts';
import { tempDir } from '../../support/temp-dir.ts';

const config = tinyConfig();

before(async () => {
  await useNetBackend('wasm');
});

async function inputsFor(seed: number): Promise<tf.Tensor[]> {
  const engine = new JsEngine();
  const a = await buildPyramid(ellipsoidCloud(600, seed), config, engine, 0);
  const b = await buildPyramid(ellipsoidCloud(600, seed + 1), config, engine, 1);
  return modelInputs([a], [b], config);
}

async function expectInputError(promise: Promise<unknown>, file: string, problem?: string): Promise<InputError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof InputError, `expected an InputError, got ${String(e)}`);
    assert.equal(e.file, file);
    if (problem) assert.equal(e.problem, problem);
    assert.ok(e.message.startsWith(file));
    return e;
  }
  assert.fail('expected an InputError');
}

test('save → load gives identical outputs', async (t) => {
  const dir = await tempDir(t, 'net-save');
  const model = buildRegistrationModel(config, 5);
  await saveModelFolder(dir, config, model);
  const net = await loadRegistrationNet(dir, { backend: 'wasm' });
  const x = await inputsFor(10);
  const a = (model.predict(x) as tf.Tensor[]).map((t) => t.dataSync());
  const b = (net.model.predict(x) as tf.Tensor[]).map((t) => t.dataSync());
  assert.equal(a.length, 3);
  for (let l = 0; l < 3; l++) assert.deepEqual(b[l], a[l]);
  // And the weights are not those of a fresh network: another seed gives other outputs.
  const other = (buildRegistrationModel(config, 6).predict(x) as tf.Tensor[])[1].dataSync();
  assert.notDeepEqual(other, a[1]);
  net.dispose();
});

test('a truncated, altered or non-finite weights file is refused, naming weights.bin', async (t) => {
  const dir = await tempDir(t, 'net-corrupt');
  await saveModelFolder(dir, config);
  const bin = join(dir, WEIGHTS_BIN);
  const original = await readFile(bin);
  await writeFile(bin, original.subarray(0, original.length - 8));
  await expectInputError(loadRegistrationNet(dir), bin, 'truncated');
  await writeFile(bin, Buffer.concat([original, Buffer.alloc(4)]));
  await expectInputError(loadRegistrationNet(dir), bin, 'count-mismatch');
  const flipped = Buffer.from(original);
  flipped[100] ^= 0x40;
  await writeFile(bin, flipped);
  const e = await expectInputError(loadRegistrationNet(dir), bin, 'malformed');
  assert.match(e.message, /sha256/);
  // Without a recorded checksum (the bare IO handler), a NaN is still caught.
  const nan = Buffer.from(original);
  nan.writeFloatLE(NaN, 40);
  await writeFile(bin, nan);
  await expectInputError(modelFiles(dir).load!(), bin, 'non-finite');
  await rm(bin);
  await expectInputError(loadRegistrationNet(dir), bin, 'not-found');
});

test('a broken model.json or manifest.json is refused, naming the file', async (t) => {
  const dir = await tempDir(t, 'net-json');
  await saveModelFolder(dir, config);
  const json = join(dir, MODEL_JSON);
  const text = await readFile(json, 'utf8');
  await writeFile(json, text.slice(0, 200));
  await expectInputError(loadRegistrationNet(dir), json, 'malformed');
  await writeFile(json, text);
  const manifestPath = join(dir, MANIFEST_JSON);
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Record<string, unknown>;
  await writeFile(manifestPath, JSON.stringify({ ...manifest, format: 'something-else' }));
  await expectInputError(loadRegistrationNet(dir), manifestPath, 'bad-magic');
  await writeFile(manifestPath, JSON.stringify({ ...manifest, config: { ...config, levels: [10, 20, 30] } }));
  await expectInputError(loadRegistrationNet(dir), manifestPath, 'malformed');
  await rm(manifestPath);
  await expectInputError(loadRegistrationNet(dir), manifestPath, 'not-found');
});

test('weights of another network are refused, naming model.json', async (t) => {
  // Folder A: tiny network; folder B: a wider one. B's files under A's manifest (checksum updated) do not fit it.
  const a = await tempDir(t, 'net-mismatch-a');
  const b = await tempDir(t, 'net-mismatch-b');
  await saveModelFolder(a, config);
  const wide = tinyConfig({ width: 0.5 });
  const manifestB = await saveModelFolder(b, wide);
  await copyFile(join(b, WEIGHTS_BIN), join(a, WEIGHTS_BIN));
  const manifestPath = join(a, MANIFEST_JSON);
  const manifestA = JSON.parse(await readFile(manifestPath, 'utf8')) as { files: Record<string, unknown> };
  await writeFile(manifestPath, JSON.stringify({ ...manifestA, files: { ...manifestA.files, weightsSha256: manifestB.files.weightsSha256 } }));
  // model.json of A lists fewer weight bytes than B's weights.bin holds.
  await expectInputError(loadRegistrationNet(a), join(a, WEIGHTS_BIN), 'count-mismatch');
  // Both files of B with A's manifest: the network loads, but its inputs are not what A's config describes.
  await copyFile(join(b, MODEL_JSON), join(a, MODEL_JSON));
  await writeFile(manifestPath, JSON.stringify({ ...manifestA, config: tinyConfig({ levels: [128, 64, 16] }), files: { ...manifestA.files, weightsSha256: manifestB.files.weightsSha256 } }));
  await expectInputError(loadRegistrationNet(a), join(a, MODEL_JSON), 'count-mismatch');
  // model.json's weight list disagreeing with the layers (a kernel's shape edited) is refused by tfjs: wrapped.
  const topo = JSON.parse(await readFile(join(b, MODEL_JSON), 'utf8')) as { weightsManifest: { weights: { shape: number[] }[] }[] };
  const w0 = topo.weightsManifest[0].weights[0];
  w0.shape = [w0.shape[1], w0.shape[0]];
  await writeFile(join(a, MODEL_JSON), JSON.stringify(topo));
  await writeFile(manifestPath, JSON.stringify({ ...manifestA, config: wide, files: { ...manifestA.files, weightsSha256: manifestB.files.weightsSha256 } }));
  await expectInputError(loadRegistrationNet(a), join(a, MODEL_JSON), 'malformed');
});
