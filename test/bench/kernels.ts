/**
 * Kernel benchmark (`npm run bench -- kernels`): dense softmin throughput in millions of (i, j) pairs per
 * second for 3-D clouds, N = M = 20 000, ε = 0.01 on the unit cube — plain single-threaded JS (the reference
 * engine), the 'cpu' engine (WASM SIMD) on one thread and on all threads, and the 'tfjs' engine on tfjs's wasm
 * backend — plus the other reductions on the cpu engine and the per-call overhead of the worker pool.
 * Slow engines run on a subset of the rows (throughput is per pair, rows are independent). Each figure is the
 * best of a few timed runs after a warm-up call.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CpuEngine } from '../../core/kernels/cpu-engine.ts';
import { JsEngine } from '../../core/kernels/js-engine.ts';
import { TfjsEngine } from '../../core/kernels/tfjs-engine.ts';
import type { Cloud, KernelEngine } from '../../core/kernels/types.ts';

const N = 20000;
const M = 20000;
const DIM = 3;
const EPS = 0.01;

/** n points uniform in the unit cube (3-D), from a seeded LCG. */
export function randomCloud(n: number, seed: number): Cloud {
  let s = seed >>> 0;
  const points = new Float32Array(n * DIM);
  for (let i = 0; i < points.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    points[i] = s / 4294967296;
  }
  return { points, dim: DIM };
}

/** Best time in ms of `runs` timed calls after one warm-up call. */
export async function bestMs(runs: number, call: () => Promise<void>): Promise<number> {
  await call();
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    await call();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

function rowsOf(cloud: Cloud, n: number): Cloud {
  return { points: cloud.points.subarray(0, n * DIM), dim: DIM };
}

/** Dense softmin throughput (M pairs/s) of `engine` on the first `rows` rows of x. */
async function softminRate(engine: KernelEngine, x: Cloud, y: Cloud, h: Float32Array, rows: number, runs: number): Promise<number> {
  const xs = rowsOf(x, rows);
  const out = new Float32Array(rows);
  const ms = await bestMs(runs, () => engine.softmin(EPS, 2, xs, y, h, out));
  return (rows * M) / ms / 1e3;
}

const round = (v: number, digits = 1): number => Number(v.toFixed(digits));

export async function benchKernels(): Promise<Record<string, unknown>> {
  const x = randomCloud(N, 1);
  const y = randomCloud(M, 2);
  const h = new Float32Array(M);
  for (let j = 0; j < M; j++) h[j] = Math.log(1 / M);

  const js = new JsEngine();
  const jsRate = await softminRate(js, x, y, h, 1000, 2);

  const cpu1 = await CpuEngine.create({ threads: 1 });
  const cpu1Rate = await softminRate(cpu1, x, y, h, N, 2);
  await cpu1.dispose();

  const cpu = await CpuEngine.create({ threads: availableParallelism() });
  const cpuRate = await softminRate(cpu, x, y, h, N, 3);

  // The other reductions, all threads, on 4000 rows.
  const rows = 4000;
  const xs = rowsOf(x, rows);
  const pairs = rows * M;
  const rate = (ms: number): number => round(pairs / ms / 1e3);
  const out = new Float32Array(rows);
  const others: Record<string, number> = {
    softmin_p1: rate(await bestMs(2, () => cpu.softmin(EPS, 1, xs, y, h, out))),
    softmin_weighted_vdim3: rate(await bestMs(2, () => cpu.softminWeighted(EPS, 2, xs, y, h, y.points, 3, out, new Float32Array(3 * rows)))),
    argmax: rate(await bestMs(2, () => cpu.argmaxScore(EPS, 2, xs, y, h, new Int32Array(rows), out))),
    gaussian_3_sigmas_vdim3: rate(await bestMs(2, () => cpu.gaussianSum([0.02, 0.05, 0.1], [1, 1, 1], xs, y, y.points, 3, new Float32Array(3 * rows)))),
    knn_k8: rate(await bestMs(2, () => cpu.knn(8, xs, y, new Int32Array(8 * rows), new Float32Array(8 * rows)))),
  };

  // Block-sparse softmin, all 20k × 20k: 100 × 100 clusters of 200 points, every 10th block kept.
  const clusters = 100;
  const starts = Uint32Array.from({ length: clusters + 1 }, (_, k) => (k * N) / clusters);
  const cols: number[] = [];
  const rowPtr = new Uint32Array(clusters + 1);
  for (let k = 0; k < clusters; k++) {
    for (let l = k % 10; l < clusters; l += 10) cols.push(l);
    rowPtr[k + 1] = cols.length;
  }
  const sparsity = { xStart: starts, yStart: starts, rowPtr, cols: Uint32Array.from(cols) };
  const keptPairs = (cols.length / clusters) * (N / clusters) * M;
  const fullOut = new Float32Array(N);
  const sparseMs = await bestMs(3, () => cpu.softmin(EPS, 2, x, y, h, fullOut, sparsity));
  others.softmin_block_sparse_10pct_kept = round(keptPairs / sparseMs / 1e3);

  // Per-call overhead: a tiny job (2 × 64 pairs) through the pool vs inline on the calling thread.
  const tinyX = rowsOf(x, 2);
  const tinyY = rowsOf(y, 64);
  const tinyH = h.subarray(0, 64);
  const tinyOut = new Float32Array(2);
  const perCallUs = async (engine: CpuEngine): Promise<number> => {
    for (let r = 0; r < 3000; r++) await engine.softmin(EPS, 2, tinyX, tinyY, tinyH, tinyOut);
    const t0 = performance.now();
    for (let r = 0; r < 3000; r++) await engine.softmin(EPS, 2, tinyX, tinyY, tinyH, tinyOut);
    return ((performance.now() - t0) * 1000) / 3000;
  };
  const forcedPool = await CpuEngine.create({ threads: availableParallelism(), inlinePairs: 0 });
  const poolUs = await perCallUs(forcedPool);
  await forcedPool.dispose();
  const inlineUs = await perCallUs(cpu);
  // A Sinkhorn-sized call: 2000 × 2000 points, all threads.
  const sx = rowsOf(x, 2000);
  const sy = rowsOf(y, 2000);
  const sOut = new Float32Array(2000);
  const sinkhornMs = await bestMs(5, () => cpu.softmin(EPS, 2, sx, sy, h.subarray(0, 2000), sOut));
  const threads = cpu.threads;
  await cpu.dispose();

  const tfjs = await TfjsEngine.create({ backend: 'wasm' });
  const tfjsRate = await softminRate(tfjs, x, y, h, 512, 1);
  await tfjs.dispose();

  const result = {
    problem: { n: N, m: M, dim: DIM, p: 2, eps: EPS },
    softmin_mpairs_per_s: {
      js_1_thread: round(jsRate),
      cpu_1_thread: round(cpu1Rate),
      [`cpu_${threads}_threads`]: round(cpuRate),
      tfjs_wasm: round(tfjsRate),
    },
    ratio_cpu_all_threads_over_js: round(cpuRate / jsRate, 2),
    ratio_cpu_1_thread_over_js: round(cpu1Rate / jsRate, 2),
    cpu_all_threads_other_reductions_mpairs_per_s: others,
    per_call_overhead_us: {
      pool_tiny_call: round(poolUs),
      inline_tiny_call: round(inlineUs),
      pool_minus_inline: round(poolUs - inlineUs),
    },
    softmin_2000x2000_ms: round(sinkhornMs, 2),
  };
  return result;
}

// Also runnable on its own: `node --import tsx test/bench/kernels.ts`.
if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  process.stdout.write(`${JSON.stringify(await benchKernels(), null, 2)}\n`);
}
