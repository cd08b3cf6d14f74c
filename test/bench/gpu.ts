/**
 * GPU benchmark (`npm run bench -- gpu`): the 'webgpu' engine beside the 'cpu' engine on all threads, same run,
 * same inputs.
 * - dense softmin throughput (M pairs/s) on 3-D clouds in the unit cube, ε = 0.01, at N = M = 20 000 and
 *   N = M = 200 000 (the CPU engine on a subset of the rows: throughput is per pair, rows are independent);
 * - the other reductions at 20 000 × 20 000 (p = 1, weighted mean, argmax, 3-σ Gaussian sum, kNN k = 8);
 * - the latency of one Sinkhorn-sized call (2 000 × 2 000), which is what a registration's many small calls pay;
 * - robust matching (core/ot `match`, blur 1 mm, reach 10 mm, scaling 0.8) of the real copd1 vessel trees, 60k ×
 *   60k, when ../shared/data is there: wall time, and how far the two engines' matches are apart (mm).
 * Ratios are webgpu over cpu. Without a WebGPU adapter the section says so; on a software adapter (llvmpipe)
 * it runs the small sizes only.
 */
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { CpuEngine } from '../../core/kernels/cpu-engine.ts';
import type { Cloud, KernelEngine } from '../../core/kernels/types.ts';
import { probeWebGpu } from '../../core/kernels/webgpu-device.ts';
import { WebGpuEngine } from '../../core/kernels/webgpu-engine.ts';
import { match } from '../../core/ot/index.ts';
import { sharedPath } from '../support/data.ts';
import { bestMs, randomCloud } from './kernels.ts';
import { vesselsMm } from './ot-peers.ts';

const EPS = 0.01;

const rowsOf = (cloud: Cloud, n: number): Cloud => ({ points: cloud.points.subarray(0, n * 3), dim: 3 });
const round = (v: number, digits = 1): number => Number(v.toFixed(digits));

/** Dense softmin throughput (M pairs/s) on the first `rows` rows of an n × n problem. */
async function softminRate(engine: KernelEngine, n: number, rows: number, runs: number): Promise<number> {
  const x = rowsOf(randomCloud(n, 1), rows);
  const y = randomCloud(n, 2);
  const h = new Float32Array(n).fill(Math.log(1 / n));
  const out = new Float32Array(rows);
  const ms = await bestMs(runs, () => engine.softmin(EPS, 2, x, y, h, out));
  return (rows * n) / ms / 1e3;
}

/** The other reductions at 20k × 20k on `rows` rows (M pairs/s). */
async function otherRates(engine: KernelEngine, rows: number): Promise<Record<string, number>> {
  const m = 20000;
  const x = rowsOf(randomCloud(m, 1), rows);
  const y = randomCloud(m, 2);
  const h = new Float32Array(m).fill(Math.log(1 / m));
  const out = new Float32Array(rows);
  const rate = (ms: number): number => round((rows * m) / ms / 1e3);
  return {
    softmin_p1: rate(await bestMs(2, () => engine.softmin(EPS, 1, x, y, h, out))),
    softmin_weighted_vdim3: rate(await bestMs(2, () => engine.softminWeighted(EPS, 2, x, y, h, y.points, 3, out, new Float32Array(3 * rows)))),
    argmax: rate(await bestMs(2, () => engine.argmaxScore(EPS, 2, x, y, h, new Int32Array(rows), out))),
    gaussian_3_sigmas_vdim3: rate(await bestMs(2, () => engine.gaussianSum([0.02, 0.05, 0.1], [1, 1, 1], x, y, y.points, 3, new Float32Array(3 * rows)))),
    knn_k8: rate(await bestMs(2, () => engine.knn(8, x, y, new Int32Array(8 * rows), new Float32Array(8 * rows)))),
  };
}

/** One 2000 × 2000 softmin call, ms (the size of a registration's Sinkhorn iterations). */
async function sinkhornCallMs(engine: KernelEngine): Promise<number> {
  const x = randomCloud(2000, 3);
  const y = randomCloud(2000, 4);
  const h = new Float32Array(2000);
  const out = new Float32Array(2000);
  return bestMs(10, () => engine.softmin(EPS, 2, x, y, h, out));
}

/** Robust matching of the copd1 vessel trees (mm) on an engine: seconds and the matched points. */
async function vesselMatch(engine: KernelEngine, x: Float64Array, y: Float64Array): Promise<{ seconds: number; matched: Float64Array; iterations: number }> {
  const t0 = performance.now();
  const result = await match(engine, x, y, { blur: 1, reach: 10, scaling: 0.8 });
  return { seconds: (performance.now() - t0) / 1000, matched: result.matched, iterations: result.iterations };
}

export async function benchGpu(): Promise<Record<string, unknown>> {
  const adapter = await probeWebGpu();
  if (!adapter) return { available: false, note: "no WebGPU adapter: install the optional 'webgpu' package and a Vulkan / Metal / D3D12 driver" };
  const gpu = await WebGpuEngine.create();
  const cpu = await CpuEngine.create({ threads: availableParallelism() });
  const software = adapter.fallback;
  try {
    const dense20k = { webgpu: await softminRate(gpu, 20000, software ? 2000 : 20000, 3), cpu: await softminRate(cpu, 20000, 20000, 3) };
    const result: Record<string, unknown> = {
      adapter,
      cpu_threads: cpu.threads,
      softmin_20k_mpairs_per_s: { webgpu: round(dense20k.webgpu), cpu: round(dense20k.cpu), ratio: round(dense20k.webgpu / dense20k.cpu, 2) },
    };
    if (!software) {
      const big = { webgpu: await softminRate(gpu, 200000, 200000, 2), cpu: await softminRate(cpu, 200000, 4000, 2) };
      result.softmin_200k_mpairs_per_s = { webgpu: round(big.webgpu), cpu: round(big.cpu), ratio: round(big.webgpu / big.cpu, 2) };
    }
    const rows = software ? 500 : 20000;
    const [g, c] = [await otherRates(gpu, rows), await otherRates(cpu, 4000)];
    result.other_reductions_mpairs_per_s = Object.fromEntries(Object.keys(g).map((k) => [k, { webgpu: g[k], cpu: c[k], ratio: round(g[k] / c[k], 2) }]));
    const [gl, cl] = [await sinkhornCallMs(gpu), await sinkhornCallMs(cpu)];
    result.softmin_2000x2000_ms = { webgpu: round(gl, 2), cpu: round(cl, 2), ratio: round(gl / cl, 2) };

    const source = sharedPath('lung/vessels/copd1_source.vtk');
    if (!software && existsSync(source)) {
      const [x, y] = await vesselsMm();
      await vesselMatch(gpu, x.subarray(0, 3000), y.subarray(0, 3000));
      const onGpu = await vesselMatch(gpu, x, y);
      const onCpu = await vesselMatch(cpu, x, y);
      const apart = Float64Array.from({ length: x.length / 3 }, (_, i) =>
        Math.hypot(onGpu.matched[3 * i] - onCpu.matched[3 * i], onGpu.matched[3 * i + 1] - onCpu.matched[3 * i + 1], onGpu.matched[3 * i + 2] - onCpu.matched[3 * i + 2]),
      ).sort();
      result.vessel_match_60k = {
        seconds: { webgpu: round(onGpu.seconds, 2), cpu: round(onCpu.seconds, 2), ratio: round(onGpu.seconds / onCpu.seconds, 3) },
        iterations: { webgpu: onGpu.iterations, cpu: onCpu.iterations },
        matches_apart_mm: { median: Number(apart[apart.length >> 1].toPrecision(3)), max: Number(apart[apart.length - 1].toPrecision(3)) },
      };
    }
    return result;
  } finally {
    await gpu.dispose();
    await cpu.dispose();
  }
}
