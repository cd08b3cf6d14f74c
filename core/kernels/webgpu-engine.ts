/// <reference types="@webgpu/types" />
/**
 * The 'webgpu' engine: the fused reductions of types.ts as WGSL compute shaders (webgpu-shaders.ts) on a WebGPU
 * device (webgpu-device.ts). One GPU invocation per x row streams over y, as KeOps does on CUDA: O(N + M)
 * memory, float32 like the 'cpu' engine. Each call uploads its inputs, dispatches, and reads its outputs
 * back; a call's buffers are its own, so concurrent calls need no lock (the device queue orders them).
 *
 * Rows go out in chunks of at most PAIRS_PER_DISPATCH pairs, so that no single dispatch runs long enough for a
 * desktop driver's watchdog (a GPU that also drives a display) to reset the device.
 */
import { columnRanges } from './block-ranges.ts';
import { costScale, FLOAT32_MAX } from './cost-scale.ts';
import { EMPTY_LSE, EMPTY_SCORE, EMPTY_SOFTMIN, clampOutput } from './output-limits.ts';
import type { BlockSparsity, Cloud, CostExponent, KernelEngine } from './types.ts';
import { checkArgmaxCall, checkGaussianCall, checkKnnCall, checkSoftminCall, checkWeightedCall, type CallSizes } from './validate.ts';
import { createWebGpuContext, type WebGpuAdapterDescription } from './webgpu-device.ts';
import { CAP, MASKED, MASKED_AT_OR_BELOW, WORKGROUP, isNoScore, shaderKeyString, shaderSource, type ShaderKey } from './webgpu-shaders.ts';

/** Pairs per dispatch (about 0.1 s on a laptop GPU, milliseconds on an H100). */
const PAIRS_PER_DISPATCH = 2 ** 30;
/** Workgroups per grid dimension (WebGPU's guaranteed maxComputeWorkgroupsPerDimension). */
const MAX_GROUPS = 65535;

type Words = Float32Array | Uint32Array | Int32Array;

export interface WebGpuEngineOptions {
  /** Largest number of pairs one dispatch covers (default 2³⁰; tests make it small to exercise the chunks). */
  pairsPerDispatch?: number;
}

/** One call's shader, its scalars and its buffers by binding (0 = params, 1 = x, 2 = y; outputs in bytes). */
interface Dispatch {
  key: ShaderKey;
  n: number;
  m: number;
  /** λ = costScale(p, ε) (cost-scale.ts); 0 where unused. */
  lambda: number;
  clusters: number;
  x: Cloud;
  y: Cloud;
  inputs: { binding: number; data: Words }[];
  outputs: { binding: number; bytes: number }[];
}

/** h with −∞ (and anything ≤ MASKED_AT_OR_BELOW) replaced by the shaders' MASKED stand-in: WGSL has no infinities. */
function maskedPotential(h: Float32Array): Float32Array {
  const out = new Float32Array(h.length);
  for (let j = 0; j < h.length; j++) out[j] = h[j] > MASKED_AT_OR_BELOW ? h[j] : MASKED;
  return out;
}

interface GpuBlocks {
  rowCluster: Uint32Array;
  blocks: Uint32Array;
  clusters: number;
}

/** Block structures already laid out for the shaders (they are never mutated once passed, types.ts). */
const laidOut = new WeakMap<BlockSparsity, GpuBlocks>();

/**
 * Each row's x cluster, and [rangePtr (K + 1), ranges] (block-ranges.ts) — laid out once per structure: a
 * Sinkhorn loop passes the same one to every iteration.
 */
function sparseBlocks(s: BlockSparsity, n: number): GpuBlocks {
  const cached = laidOut.get(s);
  if (cached) return cached;
  const clusters = s.xStart.length - 1;
  const rowCluster = new Uint32Array(Math.max(1, n));
  for (let k = 0; k < clusters; k++) rowCluster.fill(k, s.xStart[k], s.xStart[k + 1]);
  const rangePtr = [0];
  const ranges: number[] = [];
  for (let k = 0; k < clusters; k++) {
    ranges.push(...columnRanges(s, k));
    rangePtr.push(ranges.length / 2);
  }
  const blocks = { rowCluster, blocks: Uint32Array.from([...rangePtr, ...ranges]), clusters };
  laidOut.set(s, blocks);
  return blocks;
}

export class WebGpuEngine implements KernelEngine {
  readonly name = 'webgpu' as const;
  readonly threads = 1;
  readonly backend: string;
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private disposed = false;

  private constructor(
    private readonly device: GPUDevice,
    readonly adapter: WebGpuAdapterDescription,
    private readonly pairsPerDispatch: number,
  ) {
    this.backend = `webgpu: ${adapter.description}`;
  }

  /** A device on the machine's WebGPU adapter; throws when the `webgpu` package or an adapter is missing. */
  static async create(options: WebGpuEngineOptions = {}): Promise<WebGpuEngine> {
    const pairs = options.pairsPerDispatch ?? PAIRS_PER_DISPATCH;
    if (!Number.isInteger(pairs) || pairs < 1) throw new RangeError(`kernels: pairsPerDispatch must be a positive integer (got ${pairs})`);
    const { device, adapter } = await createWebGpuContext();
    return new WebGpuEngine(device, adapter, pairs);
  }

  /** The compute pipeline of a specialisation, compiled once; a WGSL error is thrown, not logged. */
  private async pipeline(key: ShaderKey): Promise<GPUComputePipeline> {
    const name = shaderKeyString(key);
    const cached = this.pipelines.get(name);
    if (cached) return cached;
    this.device.pushErrorScope('validation');
    const module = this.device.createShaderModule({ code: shaderSource(key), label: name });
    const pipeline = await this.device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: name });
    const error = await this.device.popErrorScope();
    if (error) throw new Error(`kernels: the WebGPU shader ${name} failed to compile: ${error.message}`);
    this.pipelines.set(name, pipeline);
    return pipeline;
  }

  private buffer(bytes: number, usage: number, data?: Words): GPUBuffer {
    // Bindings may not be empty: at least 16 bytes, a multiple of 4.
    const size = Math.max(16, Math.ceil(bytes / 4) * 4);
    const buffer = this.device.createBuffer({ size, usage, mappedAtCreation: data !== undefined });
    if (data) {
      const view = data instanceof Float32Array ? new Float32Array(buffer.getMappedRange()) : data instanceof Int32Array ? new Int32Array(buffer.getMappedRange()) : new Uint32Array(buffer.getMappedRange());
      view.set(data);
      buffer.unmap();
    }
    return buffer;
  }

  /** Runs a dispatch over all rows (in chunks) and returns each output's bytes, in `outputs` order. */
  private async run(call: Dispatch): Promise<ArrayBuffer[]> {
    if (this.disposed) throw new Error('kernels: the webgpu engine was disposed');
    const pipeline = await this.pipeline(call.key);
    const device = this.device;
    const storage = GPUBufferUsage.STORAGE;
    const owned: GPUBuffer[] = [];
    const keep = (b: GPUBuffer): GPUBuffer => (owned.push(b), b);
    try {
      const shared: GPUBindGroupEntry[] = [
        { binding: 1, resource: { buffer: keep(this.buffer(call.x.points.byteLength, storage, call.x.points)) } },
        { binding: 2, resource: { buffer: keep(this.buffer(call.y.points.byteLength, storage, call.y.points)) } },
        ...call.inputs.map(({ binding, data }) => ({ binding, resource: { buffer: keep(this.buffer(data.byteLength, storage, data)) } })),
      ];
      const outs = call.outputs.map(({ bytes }) => keep(this.buffer(bytes, storage | GPUBufferUsage.COPY_SRC)));
      call.outputs.forEach(({ binding }, o) => shared.push({ binding, resource: { buffer: outs[o] } }));

      const encoder = device.createCommandEncoder();
      const rowsPerChunk = Math.max(WORKGROUP, Math.floor(this.pairsPerDispatch / Math.max(1, call.m) / WORKGROUP) * WORKGROUP);
      const { lambda } = call;
      const cLimit = lambda > 0 ? Math.min(CAP / lambda, FLOAT32_MAX) : FLOAT32_MAX;
      for (let row0 = 0; row0 < call.n; row0 += rowsPerChunk) {
        const rows = Math.min(rowsPerChunk, call.n - row0);
        const params = new ArrayBuffer(32);
        new Uint32Array(params, 0, 4).set([call.n, call.m, row0, call.clusters]);
        new Float32Array(params, 16, 4).set([lambda, cLimit, 0, 0]);
        const uniform = keep(this.buffer(32, GPUBufferUsage.UNIFORM, new Uint32Array(params)));
        const group = device.createBindGroup({
          layout: pipeline.getBindGroupLayout(0),
          entries: [{ binding: 0, resource: { buffer: uniform } }, ...shared],
        });
        const groups = Math.ceil(rows / WORKGROUP);
        const gx = Math.min(groups, MAX_GROUPS);
        const pass = encoder.beginComputePass();
        pass.setPipeline(pipeline);
        pass.setBindGroup(0, group);
        pass.dispatchWorkgroups(gx, Math.ceil(groups / gx));
        pass.end();
      }
      const offsets: number[] = [];
      let total = 0;
      for (const o of outs) {
        offsets.push(total);
        total += o.size;
      }
      const readback = keep(this.buffer(total, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST));
      outs.forEach((o, k) => encoder.copyBufferToBuffer(o, 0, readback, offsets[k], o.size));
      device.queue.submit([encoder.finish()]);
      await readback.mapAsync(GPUMapMode.READ);
      // Each output copied out of the mapping once (the mapped range is gone after unmap).
      const mapped = readback.getMappedRange();
      const results = call.outputs.map(({ bytes: size }, k) => mapped.slice(offsets[k], offsets[k] + size));
      readback.unmap();
      return results;
    } finally {
      for (const b of owned) b.destroy();
    }
  }

  /** The log-sum-exp rows (NO_SCORE where empty) and, with v, the weighted means. */
  private async lse(sizes: CallSizes, eps: number, p: CostExponent, x: Cloud, y: Cloud, h: Float32Array, v: Float32Array | undefined, vdim: number, sparsity?: BlockSparsity) {
    const { n, m, dim } = sizes;
    const blocks = sparsity ? sparseBlocks(sparsity, n) : undefined;
    const inputs: Dispatch['inputs'] = [{ binding: 3, data: maskedPotential(h) }];
    if (v) inputs.push({ binding: 5, data: v });
    if (blocks) inputs.push({ binding: 7, data: blocks.rowCluster }, { binding: 8, data: blocks.blocks });
    const outputs = [{ binding: 4, bytes: 4 * n }];
    if (v) outputs.push({ binding: 6, bytes: 4 * n * vdim });
    const [lse, mean] = await this.run({
      key: { kind: 'lse', dim, p, vdim: v ? vdim : 0, sparse: blocks !== undefined, count: 0 },
      n,
      m,
      lambda: costScale(p, eps),
      clusters: blocks?.clusters ?? 0,
      x,
      y,
      inputs,
      outputs,
    });
    return { lse: new Float32Array(lse), mean: mean ? new Float32Array(mean) : undefined };
  }

  async softmin(eps: number, p: CostExponent, x: Cloud, y: Cloud, h: Float32Array, out: Float32Array, sparsity?: BlockSparsity): Promise<void> {
    const sizes = checkSoftminCall(eps, p, x, y, h, out, sparsity);
    const { lse } = await this.lse(sizes, eps, p, x, y, h, undefined, 0, sparsity);
    const n = sizes.n;
    for (let i = 0; i < n; i++) out[i] = isNoScore(lse[i]) ? EMPTY_SOFTMIN : clampOutput(-eps * lse[i]);
  }

  async softminWeighted(
    eps: number,
    p: CostExponent,
    x: Cloud,
    y: Cloud,
    h: Float32Array,
    v: Float32Array,
    vdim: number,
    outLse: Float32Array,
    outMean: Float32Array,
    sparsity?: BlockSparsity,
  ): Promise<void> {
    const sizes = checkWeightedCall(eps, p, x, y, h, v, vdim, outLse, outMean, sparsity);
    const { lse, mean } = await this.lse(sizes, eps, p, x, y, h, v, vdim, sparsity);
    const n = sizes.n;
    for (let i = 0; i < n; i++) outLse[i] = isNoScore(lse[i]) ? EMPTY_LSE : lse[i];
    if (mean) outMean.set(mean.subarray(0, n * vdim));
  }

  async argmaxScore(eps: number, p: CostExponent, x: Cloud, y: Cloud, h: Float32Array, outIndex: Int32Array, outScore: Float32Array): Promise<void> {
    const { n, m, dim } = checkArgmaxCall(eps, p, x, y, h, outIndex, outScore);
    const [score, index] = await this.run({
      key: { kind: 'argmax', dim, p, vdim: 0, sparse: false, count: 0 },
      n,
      m,
      lambda: costScale(p, eps),
      clusters: 0,
      x,
      y,
      inputs: [{ binding: 3, data: maskedPotential(h) }],
      outputs: [
        { binding: 4, bytes: 4 * n },
        { binding: 5, bytes: 4 * n },
      ],
    });
    outIndex.set(new Int32Array(index).subarray(0, n));
    const s = new Float32Array(score);
    for (let i = 0; i < n; i++) outScore[i] = outIndex[i] >= 0 ? s[i] : EMPTY_SCORE;
  }

  async gaussianSum(sigmas: readonly number[], scaleWeights: readonly number[], x: Cloud, y: Cloud, v: Float32Array, vdim: number, out: Float32Array): Promise<void> {
    const { n, m, dim } = checkGaussianCall(sigmas, scaleWeights, x, y, v, vdim, out);
    const coef = new Float32Array(2 * sigmas.length);
    sigmas.forEach((s, q) => {
      coef[2 * q] = Math.min(1 / (2 * s * s), FLOAT32_MAX);
      coef[2 * q + 1] = scaleWeights[q];
    });
    const [sum] = await this.run({
      key: { kind: 'gaussian', dim, p: 2, vdim, sparse: false, count: sigmas.length },
      n,
      m,
      lambda: 0,
      clusters: 0,
      x,
      y,
      inputs: [
        { binding: 3, data: coef },
        { binding: 4, data: v },
      ],
      outputs: [{ binding: 5, bytes: 4 * n * vdim }],
    });
    const values = new Float32Array(sum);
    for (let i = 0; i < n * vdim; i++) out[i] = clampOutput(values[i]);
  }

  async knn(k: number, x: Cloud, y: Cloud, outIndex: Int32Array, outDist2: Float32Array): Promise<void> {
    const { n, m, dim } = checkKnnCall(k, x, y, outIndex, outDist2);
    const [dist2, index] = await this.run({
      key: { kind: 'knn', dim, p: 2, vdim: 0, sparse: false, count: k },
      n,
      m,
      lambda: 0,
      clusters: 0,
      x,
      y,
      inputs: [],
      outputs: [
        { binding: 3, bytes: 4 * n * k },
        { binding: 4, bytes: 4 * n * k },
      ],
    });
    outDist2.set(new Float32Array(dist2).subarray(0, n * k));
    outIndex.set(new Int32Array(index).subarray(0, n * k));
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.pipelines.clear();
    this.device.destroy();
  }
}
