// The 'cpu' engine (WASM SIMD on worker threads) against the plain-JS reference, through the worker pool and
// inline, plus the pieces specific to it: the SIMD exponential, the pool's lifecycle and thread count.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CpuEngine } from '../../../core/kernels/cpu-engine.ts';
import { defaultThreadCount } from '../../../core/runtime/index.ts';
import { CpuPool } from '../../../core/kernels/cpu-pool.ts';
import { JsEngine } from '../../../core/kernels/js-engine.ts';
import { createKernelMemory, instantiateKernels, kernelModule } from '../../../core/kernels/wasm-binary.ts';
import { checkEmptyRows, checkOtherReductions, checkSoftminAgreement, checkSparseAgreement } from './engine-agreement.ts';
import { assertClose, randomCloud, randomPotential, rng } from './kernel-cases.ts';

let pooled: CpuEngine;
let inline: CpuEngine;

before(async () => {
  // Every job through the two workers (the shared-memory path), and the default engine whose small jobs run inline.
  [pooled, inline] = await Promise.all([CpuEngine.create({ threads: 2, inlinePairs: 0 }), CpuEngine.create({ threads: 1 })]);
});

after(async () => {
  await Promise.all([pooled.dispose(), inline.dispose()]);
});

const SIZES = { rows: [1, 7, 130], cols: [1, 6, 1100] };

test('softmin and softminWeighted agree with the JS reference (worker pool)', async () => {
  assert.equal(pooled.threads, 2);
  assert.ok((await checkSoftminAgreement(pooled, SIZES, 1)) >= 160);
});

test('softmin and softminWeighted agree with the JS reference (inline)', async () => {
  await checkSoftminAgreement(inline, SIZES, 2);
});

test('empty rows give the documented value, never NaN or Infinity', async () => {
  await checkEmptyRows(pooled);
  await checkEmptyRows(inline);
});

test('block-sparse reductions: = dense when all blocks are kept, = the masked sum otherwise', async () => {
  await checkSparseAgreement(pooled, 4);
  await checkSparseAgreement(inline, 5, 40, 300);
});

test('argmaxScore, gaussianSum and knn agree with the JS reference', async () => {
  await checkOtherReductions(pooled, 6);
  await checkOtherReductions(inline, 7, 20, 90);
});

test('the SIMD exponential is within 5e-7 of Math.exp on [−87, 0] and exactly 0 below', async () => {
  const memory = createKernelMemory(16);
  const k = await instantiateKernels(await kernelModule(), memory);
  const count = 40000;
  const at = 65536;
  const xs = new Float32Array(memory.buffer, at, count);
  for (let t = 0; t < count - 4; t++) xs[t] = Math.fround(-90 + (90 * t) / (count - 5));
  xs.set([0, -Infinity, -87.5, -1e30], count - 4);
  k.expChunk(at, at + 4 * count, count / 4, at + 8 * count);
  const ys = new Float32Array(memory.buffer, at + 4 * count, count);
  let worst = 0;
  for (let t = 0; t < count; t++) {
    const want = Math.exp(xs[t]);
    if (xs[t] < -87) assert.equal(ys[t], 0, `exp(${xs[t]})`);
    else worst = Math.max(worst, Math.abs(ys[t] - want) / want);
  }
  assert.ok(worst < 5e-7, `max relative error ${worst}`);
  assert.ok(Math.abs(ys[count - 4] - 1) < 5e-7);

  // The log-sum-exp loop's copy (no exact-zero mask: terms below −87 count as e^−87): a vector of one value
  // across the range, then a sum.
  const lane = new Float32Array(memory.buffer, at, 4);
  let worstSum = 0;
  for (let x = -87; x <= 0; x += 0.37) {
    lane.fill(Math.fround(x));
    const got = k.expSumChunk(at, 1, 0, at + 8 * count) / 4;
    worstSum = Math.max(worstSum, Math.abs(got - Math.exp(Math.fround(x))) / Math.exp(Math.fround(x)));
  }
  assert.ok(worstSum < 5e-7, `log-sum-exp exponential: max relative error ${worstSum}`);
  const sumOf = new Float32Array(memory.buffer, at, 400);
  for (let t = 0; t < 400; t++) sumOf[t] = Math.fround(-t / 40);
  const want = Array.from(sumOf).reduce((acc, v) => acc + Math.exp(v - 0.5), 0);
  assert.ok(Math.abs(k.expSumChunk(at, 100, 0.5, at + 8 * count) - want) / want < 1e-6);
});

test('inputs are re-read on every call (arrays updated in place are seen)', async () => {
  const rand = rng(9);
  const x = randomCloud(50, 3, rand);
  const y = randomCloud(700, 3, rand);
  const h = randomPotential(700, rand);
  const js = new JsEngine();
  const got = new Float32Array(50);
  const want = new Float32Array(50);
  for (let round = 0; round < 3; round++) {
    await pooled.softmin(0.05, 2, x, y, h, got);
    await js.softmin(0.05, 2, x, y, h, want);
    assertClose(got, want, 1e-4, `round ${round}`);
    for (let t = 0; t < y.points.length; t++) y.points[t] += 0.1;
    for (let t = 0; t < h.length; t++) h[t] = Number.isFinite(h[t]) ? h[t] * 0.5 : h[t];
  }
});

test('concurrent calls on one engine are serialised and each gets its own result', async () => {
  const rand = rng(10);
  const js = new JsEngine();
  const jobs = Array.from({ length: 6 }, (_, q) => {
    const x = randomCloud(20 + q, 3, rand);
    const y = randomCloud(400 + 37 * q, 3, rand);
    return { x, y, h: randomPotential(y.points.length / 3, rand), out: new Float32Array(20 + q), ref: new Float32Array(20 + q) };
  });
  await Promise.all(jobs.map((j) => pooled.softmin(0.02, 1, j.x, j.y, j.h, j.out)));
  for (const j of jobs) {
    await js.softmin(0.02, 1, j.x, j.y, j.h, j.ref);
    assertClose(j.out, j.ref, 1e-4, 'concurrent');
  }
});

test('a kernel that traps in a worker rejects the call instead of hanging, and the pool stays usable', async () => {
  const pool = await CpuPool.create(2);
  try {
    pool.inlinePairs = 0;
    // A parameter block far outside the shared memory: every worker traps on its first load.
    for (let round = 0; round < 2; round++) {
      await assert.rejects(pool.run('lseRows', 0xfffffff0, 64, 1 << 20), /lseRows failed in a worker: .*out of bounds/);
    }
  } finally {
    await pool.dispose();
  }
  await assert.rejects(pool.run('lseRows', 0, 1, 1), /disposed/);
});

test('MONGE_THREADS sets the pool size; invalid values are rejected', async () => {
  const saved = process.env.MONGE_THREADS;
  try {
    process.env.MONGE_THREADS = '3';
    assert.equal(defaultThreadCount(), 3);
    const engine = await CpuEngine.create();
    assert.equal(engine.threads, 3);
    await engine.dispose();
    await assert.rejects(engine.softmin(1, 2, { points: new Float32Array(3), dim: 3 }, { points: new Float32Array(3), dim: 3 }, new Float32Array(1), new Float32Array(1)));
    process.env.MONGE_THREADS = 'many';
    assert.throws(() => defaultThreadCount(), RangeError);
  } finally {
    if (saved === undefined) delete process.env.MONGE_THREADS;
    else process.env.MONGE_THREADS = saved;
  }
});

test('from the command line, the pool works and an undisposed engine does not keep the process alive', () => {
  const child = fileURLToPath(new URL('./fixtures/pool-child.ts', import.meta.url));
  const r = spawnSync(process.execPath, ['--import', 'tsx', child], { encoding: 'utf8', timeout: 30000, env: { ...process.env, MONGE_THREADS: '2' } });
  assert.equal(r.error, undefined, 'child timed out or failed to start');
  assert.equal(r.status, 0, r.stderr);
  const result = JSON.parse(r.stdout) as { threads: number; out: number[] };
  assert.equal(result.threads, 2);
  // One y point: softmin = C(x, y) − ε·h = ½|x − y|².
  assertClose(result.out, [0.5, 1], 1e-6, 'child softmin');
});
