import type { ImageLps } from '../image/index.ts';
import { cancellationPoint, type ProgressOptions } from '../progress/index.ts';
import { defaultThreadCount } from '../runtime/thread-count.ts';
import { deformationData } from './deformation-data.ts';
import { gridOfImage, gridPointsLps, gridVoxelCount } from './grid.ts';
import { startSampleWorker, type SampleWorker } from './sample-workers.ts';
import type { Deformation, GridLps, InversionOptions } from './types.ts';

/**
 * Which displacement a sampled field holds:
 *  - 'inverse' — T(y) = φ⁻¹(y) − y at FIXED-space voxel centres y: ITK's resampling convention, what ITK, ANTs and
 *    3D Slicer expect in a displacement field file on the fixed image's grid (the default);
 *  - 'forward' — u(x) = φ(x) − x at MOVING-space voxel centres x (for Jacobian maps of φ, or a grid stand-in for φ).
 */
export type FieldDirection = 'inverse' | 'forward';

export interface SampleOnGridOptions extends InversionOptions, ProgressOptions {
  /** Default 'inverse'. */
  direction?: FieldDirection;
  /** Voxel type: float32 (default, ITK/ANTs' usual; ~1e-6 mm rounding for displacements of tens of mm) or float64. */
  precision?: 'float32' | 'float64';
  /** Voxels per evaluation (bounds memory; default 65 536). */
  chunkVoxels?: number;
  /**
   * Threads that sample slabs of the grid at once, this one included (default: MONGE_THREADS or the machine's cores,
   * at most 8).
   * Grids under PARALLEL_MIN_VOXELS, and deformations without a data form (deformation-data.ts), use this thread
   * only. The values are the same either way: each voxel is computed by the same code.
   */
  threads?: number;
}

/**
 * Grids smaller than this are sampled on the calling thread: a worker costs ~0.3 s to start from the sources
 * (tsx compiles its modules) and ~0.05 s bundled, against ~0.5 µs a voxel for an inverted chain.
 */
export const PARALLEL_MIN_VOXELS = 1 << 20;

const MAX_DEFAULT_THREADS = 8;

/** A sampled displacement field and, for 'inverse', how well φ was inverted at its voxels. */
export interface SampledField {
  /** 3 components per voxel, LPS mm, on the requested grid. */
  image: ImageLps;
  direction: FieldDirection;
  /** Largest |φ(x) − y| over the voxels (0 for 'forward' and exact inverses). */
  maxResidualMm: number;
  meanResidualMm: number;
  /** Voxels whose inversion did not reach the tolerance. */
  unconverged: number;
  /** Threads that sampled it (1: the calling thread alone). */
  threads: number;
}

/** Residuals of a sampled run of voxels (sums, so that runs add up). */
export interface RangeResiduals {
  maxResidualMm: number;
  sumResidualMm: number;
  unconverged: number;
}

/** How sampleRange samples (what a worker is told, less the deformation and grid). */
export interface RangeSettings {
  direction: FieldDirection;
  chunkVoxels: number;
  inversion: InversionOptions;
}

/**
 * Samples the displacements at voxels [start, start + count) of `grid` (i fastest) into `out` from index 0, one chunk
 * at a time; `onChunk` hears how many voxels are done. The one loop both the calling thread and the workers run.
 */
export async function sampleRange(
  deformation: Deformation,
  grid: GridLps,
  start: number,
  count: number,
  out: Float32Array | Float64Array,
  settings: RangeSettings,
  progress: { signal?: AbortSignal; stage?: string; onChunk?: (done: number) => void } = {},
): Promise<RangeResiduals> {
  const r: RangeResiduals = { maxResidualMm: 0, sumResidualMm: 0, unconverged: 0 };
  for (let done = 0; done < count; ) {
    await cancellationPoint(progress.signal, progress.stage ?? 'displacement field');
    const size = Math.min(settings.chunkVoxels, count - done);
    const points = gridPointsLps(grid, start + done, size);
    if (settings.direction === 'forward') {
      out.set(await deformation.evaluate(points), 3 * done);
    } else {
      const e = await deformation.evaluateInverse(points, settings.inversion);
      out.set(e.displacementsLps, 3 * done);
      r.maxResidualMm = Math.max(r.maxResidualMm, e.maxResidualMm);
      r.sumResidualMm += e.meanResidualMm * size;
      r.unconverged += e.unconverged;
    }
    done += size;
    progress.onChunk?.(done);
  }
  return r;
}

/**
 * Samples the displacements of `deformation` at every voxel centre of `grid` (i fastest, as ImageLps), in chunks,
 * on several threads when the grid is large (`threads`). For a field to be written for ITK, pass the FIXED image's
 * grid (`gridOfImage(fixed)`) or a box around the fixed shape (`gridAroundBounds(boundsOf(fixed.pointsLps), spacing,
 * margin)`), and keep the default direction 'inverse'.
 */
export async function sampleOnGrid(deformation: Deformation, grid: GridLps, options: SampleOnGridOptions = {}): Promise<SampledField> {
  const direction = options.direction ?? 'inverse';
  const n = gridVoxelCount(grid);
  const settings: RangeSettings = {
    direction,
    chunkVoxels: Math.max(1, Math.floor(options.chunkVoxels ?? 65536)),
    inversion: { toleranceMm: options.toleranceMm, maxIterations: options.maxIterations },
  };
  const precision = options.precision ?? 'float32';
  const data = precision === 'float64' ? new Float64Array(3 * n) : new Float32Array(3 * n);
  const stage = direction === 'inverse' ? 'displacement field (inverse)' : 'displacement field';
  const threads = n >= PARALLEL_MIN_VOXELS ? Math.max(1, Math.floor(options.threads ?? Math.min(defaultThreadCount(), MAX_DEFAULT_THREADS))) : 1;
  const described = threads > 1 ? deformationData(deformation) : undefined;
  // Slab 0 on this thread, the others in workers; equal slabs, so this thread's progress is the whole run's.
  const slab = described ? Math.ceil(n / threads) : n;
  const workers: SampleWorker[] = [];
  const residuals: RangeResiduals[] = [];
  try {
    if (described) {
      const plainGrid = gridOfImage(grid);
      for (let start = slab; start < n; start += slab) {
        workers.push(startSampleWorker({ deformation: described, grid: plainGrid, start, count: Math.min(slab, n - start), precision, settings }, options.signal, stage));
      }
    }
    const own = data.subarray(0, 3 * slab);
    residuals.push(await sampleRange(deformation, grid, 0, slab, own, settings, { signal: options.signal, stage, onChunk: (done) => options.onProgress?.({ stage, fraction: done / slab }) }));
    for (const part of await Promise.all(workers.map((w) => w.result))) {
      data.set(part.values, 3 * part.start);
      residuals.push(part.residuals);
    }
  } finally {
    for (const w of workers) w.stop();
  }
  const maxRes = Math.max(0, ...residuals.map((r) => r.maxResidualMm));
  const sumRes = residuals.reduce((s, r) => s + r.sumResidualMm, 0);
  const unconverged = residuals.reduce((s, r) => s + r.unconverged, 0);
  return { image: { ...gridOfImage(grid), components: 3, data }, direction, maxResidualMm: maxRes, meanResidualMm: n > 0 ? sumRes / n : 0, unconverged, threads: 1 + workers.length };
}
