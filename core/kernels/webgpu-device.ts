/// <reference types="@webgpu/types" />
/**
 * A WebGPU device for the 'webgpu' engine, from the optional `webgpu` package (Dawn's Node binding: Vulkan on
 * Linux, Metal on macOS, D3D12 on Windows). Unlike @tensorflow/tfjs-node-gpu, which needs CUDA 11 and cuDNN 8
 * beside a libtensorflow downloaded at install, it needs only the GPU driver, so it runs on current CUDA
 * machines (an H100 with driver 580 here) and on AMD, Intel and Apple GPUs.
 *
 * Software adapters (Mesa's llvmpipe / lavapipe, SwiftShader) report `isFallbackAdapter`: they are correct but
 * slower than the 'cpu' engine, so 'auto' never picks them; tests use them to check the shaders without a GPU.
 */

/** The optional package, named through a variable so that bundlers leave it a runtime import. */
const WEBGPU_PACKAGE = 'webgpu';

interface DawnModule {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

export interface WebGpuAdapterDescription {
  /** e.g. 'nvidia', 'mesa'. */
  vendor: string;
  /** Human-readable adapter, e.g. 'NVIDIA H100 80GB HBM3'. */
  description: string;
  /** A software rasteriser (llvmpipe, SwiftShader) rather than a GPU. */
  fallback: boolean;
}

export interface WebGpuContext {
  device: GPUDevice;
  adapter: WebGpuAdapterDescription;
}

let dawn: Promise<DawnModule | undefined> | undefined;

/** The `webgpu` package when it is installed and its native binding loads, else undefined. */
function loadDawn(): Promise<DawnModule | undefined> {
  dawn ??= import(WEBGPU_PACKAGE).then(
    (m: Partial<DawnModule>) => {
      if (typeof m.create !== 'function' || !m.globals) return undefined;
      // The GPU* constants (GPUBufferUsage, GPUMapMode, …) that the WebGPU API expects as globals.
      for (const [name, value] of Object.entries(m.globals)) {
        if (!(name in globalThis)) Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
      }
      return m as DawnModule;
    },
    () => undefined,
  );
  return dawn;
}

function describe(adapter: GPUAdapter): WebGpuAdapterDescription {
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const description = info.description || [info.vendor, info.architecture, info.device].filter(Boolean).join(' ');
  return { vendor: info.vendor, description: description || 'unknown adapter', fallback: info.isFallbackAdapter === true };
}

/**
 * The process's one Dawn instance. It must outlive every adapter and device made from it: Dawn's Node binding
 * does not keep it alive, and a collected instance takes its devices' event processing down with it (the
 * process aborts at the next mapAsync).
 */
let instance: GPU | undefined;

/** The adapter a device would be created on (high-performance preference), or undefined without one. */
async function requestAdapter(): Promise<GPUAdapter | undefined> {
  const module = await loadDawn();
  if (!module) return undefined;
  instance ??= module.create([]);
  const gpu = instance;
  return (await gpu.requestAdapter({ powerPreference: 'high-performance' })) ?? undefined;
}

let probe: Promise<WebGpuAdapterDescription | undefined> | undefined;

/** The WebGPU adapter this machine offers (probed once per process; about 50 ms), or undefined. */
export function probeWebGpu(): Promise<WebGpuAdapterDescription | undefined> {
  probe ??= requestAdapter().then(
    (adapter) => (adapter ? describe(adapter) : undefined),
    () => undefined,
  );
  return probe;
}

/**
 * A device with the adapter's largest storage-buffer limits (the defaults, 128 MiB bindings, would cap a
 * cloud at 2 M points of 16 coordinates). Throws, naming what is missing, when there is no adapter.
 */
export async function createWebGpuContext(): Promise<WebGpuContext> {
  const adapter = await requestAdapter();
  if (!adapter) {
    throw new Error(
      (await loadDawn())
        ? "kernels: the 'webgpu' engine found no WebGPU adapter (no Vulkan / Metal / D3D12 driver for a GPU)"
        : `kernels: the 'webgpu' engine needs the optional package '${WEBGPU_PACKAGE}', which is not installed or failed to load`,
    );
  }
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
    },
  });
  return { device, adapter: describe(adapter) };
}
