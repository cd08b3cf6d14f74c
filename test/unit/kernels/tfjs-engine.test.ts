// The 'tfjs' engine (dense tiles of tfjs ops) against the plain-JS reference on tfjs's 'cpu' and 'wasm'
// backends, with small tiles so that every reduction merges across several x and y tiles. (The CUDA backend,
// tfjs-node-gpu, is optional and not installed here; the same code runs on it.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { TfjsEngine } from '../../../core/kernels/tfjs-engine.ts';
import { loadTfjsNodeGpu } from '../../../core/kernels/tfjs-loader.ts';
import { checkEmptyRows, checkOtherReductions, checkSoftminAgreement, checkSparseAgreement } from './engine-agreement.ts';

let wasm: TfjsEngine;
let cpu: TfjsEngine;

before(async () => {
  wasm = await TfjsEngine.create({ backend: 'wasm', tileRows: 24, tileCols: 40 });
  cpu = await TfjsEngine.create({ backend: 'cpu', tileRows: 16, tileCols: 32 });
});

after(async () => {
  await Promise.all([wasm.dispose(), cpu.dispose()]);
});

const SIZES = { rows: [1, 7, 50], cols: [1, 6, 90] };

test('the engines report their tfjs backend', () => {
  assert.equal(wasm.backend, 'wasm');
  assert.equal(cpu.backend, 'cpu');
  assert.equal(wasm.name, 'tfjs');
});

test('softmin and softminWeighted agree with the JS reference (tfjs wasm, then cpu)', async () => {
  await checkSoftminAgreement(wasm, SIZES, 21);
  await checkSoftminAgreement(cpu, { rows: [5, 33], cols: [3, 70] }, 22);
});

test('empty rows give the documented value, never NaN or Infinity', async () => {
  await checkEmptyRows(wasm);
  await checkEmptyRows(cpu);
});

test('block-sparse reductions: = dense when all blocks are kept, = the masked sum otherwise', async () => {
  await checkSparseAgreement(wasm, 23, 40, 120);
});

test('argmaxScore, gaussianSum and knn agree with the JS reference', async () => {
  await checkOtherReductions(wasm, 24, 30, 100);
  await checkOtherReductions(cpu, 25, 10, 45);
});

test('tfjs-node-gpu is optional: its absence is reported, not thrown', async () => {
  // Not installed in this repository's environment: the dynamic import fails and resolves to undefined.
  const gpu = await loadTfjsNodeGpu();
  assert.ok(gpu === undefined || typeof gpu.getBackend === 'function');
  if (gpu === undefined) await assert.rejects(TfjsEngine.create({ backend: 'tensorflow' }), /tfjs-node-gpu/);
});
