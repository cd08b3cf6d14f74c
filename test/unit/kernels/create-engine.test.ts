// createEngine: names, the MONGE_ENGINE default, and 'auto' choosing 'cpu' where no GPU (WebGPU or tfjs-node-gpu) is found.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, gpuTfjsAvailable } from '../../../core/kernels/index.ts';

async function withEnv<T>(value: string | undefined, body: () => Promise<T>): Promise<T> {
  const saved = process.env.MONGE_ENGINE;
  if (value === undefined) delete process.env.MONGE_ENGINE;
  else process.env.MONGE_ENGINE = value;
  try {
    return await body();
  } finally {
    if (saved === undefined) delete process.env.MONGE_ENGINE;
    else process.env.MONGE_ENGINE = saved;
  }
}

test("'auto' picks tfjs only with a GPU tfjs backend, else cpu; the description names engine, threads, backend", async () => {
  await withEnv(undefined, async () => {
    const { engine, description } = await createEngine();
    try {
      const gpu = await gpuTfjsAvailable();
      assert.equal(description.engine, gpu ? 'tfjs' : 'cpu');
      assert.equal(engine.name, description.engine);
      if (!gpu) {
        assert.equal(description.backend, 'wasm-simd');
        assert.ok(description.threads >= 1);
      }
      // A working engine: one y point gives softmin = ½|x − y|² − ε·h.
      const out = new Float32Array(1);
      await engine.softmin(0.5, 2, { points: Float32Array.of(0, 0, 0), dim: 3 }, { points: Float32Array.of(0, 2, 0), dim: 3 }, Float32Array.of(1), out);
      assert.ok(Math.abs(out[0] - (2 - 0.5)) < 1e-6);
    } finally {
      await engine.dispose();
    }
  });
});

test('explicit names, and MONGE_ENGINE when none is given', async () => {
  await withEnv(undefined, async () => {
    const js = await createEngine('js');
    assert.deepEqual(js.description, { engine: 'js', threads: 1, backend: 'js-float64' });
    await js.engine.dispose();
  });
  await withEnv('js', async () => {
    // An explicit name (the CLI's --engine) beats the environment; 'auto' follows it.
    const explicit = await createEngine('cpu');
    assert.equal(explicit.description.engine, 'cpu');
    await explicit.engine.dispose();
    const { description, engine } = await createEngine();
    assert.equal(description.engine, 'js');
    await engine.dispose();
  });
  await withEnv('TFJS', async () => {
    const { description, engine } = await createEngine();
    assert.equal(description.engine, 'tfjs');
    assert.ok(['tensorflow', 'wasm'].includes(description.backend));
    await engine.dispose();
  });
  await withEnv('gpu-please', async () => {
    await assert.rejects(createEngine(), /MONGE_ENGINE: unknown engine "gpu-please"/);
  });
});
