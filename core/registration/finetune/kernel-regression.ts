/**
 * Confidence-weighted multi-scale Gaussian kernel regression (Nadaraya 1964, Watson 1964) of a displacement field
 * from scattered matches (z_i, d_i, w_i): at each scale σ, coarse to fine, the residual of the scales before is
 * smoothed by the normalised convolution (Knutsson & Westin 1993, "Normalized and differential convolution")
 *
 *   u_σ(x) = Σ_i K_σ(x, z_i) w_i r_i / (Σ_i K_σ(x, z_i) w_i + δ_σ),      r_i = d_i − Σ_{σ' > σ} u_σ'(z_i)
 *
 * and the scales add up: u = Σ_σ u_σ — a Laplacian-pyramid fit in which the large scales carry the global motion
 * and the small ones the local detail near the data. δ_σ (a fraction `shrink` of the mean denominator at the data)
 * makes u_σ fade to 0 away from the data instead of extrapolating a noisy ratio.
 *
 * The kernel sums are grid convolutions (work-grid.ts); scales much wider than the grid spacing run on a coarser
 * grid (spacing σ/3) and are resampled, which keeps every scale at O(V) work.
 */
import { throwIfCancelled } from '../../progress/index.ts';
import { gaussianBlur, resampleGrid, sampleGrid, splat, voxelCount, workGridAround, type WorkGrid } from './work-grid.ts';

export interface RegressionOptions {
  /** Kernel widths σ (mm), applied coarse to fine (sorted descending here). */
  sigmasMm: readonly number[];
  /** δ_σ as a fraction of the weighted mean denominator at the data (default 0.001). */
  shrink?: number;
  signal?: AbortSignal;
}

/**
 * The spacing of a kernel of width σ: σ / steps (3 by default: a few per cent of kernel error), but the work grid's
 * own spacing when that is at most 1.5× finer.
 */
export function levelSpacing(gridMm: number, sigmaMm: number, steps = 3): number {
  const h = Math.max(gridMm, sigmaMm / steps);
  return h <= 1.5 * gridMm ? gridMm : h;
}

/** The grid of spacing levelSpacing(σ) spanning the same box as `grid` (the grid itself when it is fine enough already). */
export function levelGrid(grid: WorkGrid, sigmaMm: number): WorkGrid {
  const h = levelSpacing(grid.spacingMm, sigmaMm);
  if (h === grid.spacingMm) return grid;
  const bounds = [0, 1, 2].flatMap((a) => [grid.originLps[a], grid.originLps[a] + (grid.size[a] - 1) * grid.spacingMm]);
  return workGridAround(bounds, h, h);
}

/**
 * One normalised convolution at scale σ on `grid`: the field (3 per voxel) Σ K w r / (Σ K w + δ), evaluated on
 * the level grid and returned on `grid`.
 */
export function normalisedConvolution(grid: WorkGrid, pointsLps: Float64Array, values: Float64Array, weights: Float64Array, sigmaMm: number, shrink: number, signal?: AbortSignal): Float64Array {
  const level = levelGrid(grid, sigmaMm);
  const n = weights.length;
  const packed = new Float64Array(4 * n);
  for (let i = 0; i < n; i++) {
    const w = weights[i];
    packed[4 * i] = w * values[3 * i];
    packed[4 * i + 1] = w * values[3 * i + 1];
    packed[4 * i + 2] = w * values[3 * i + 2];
    packed[4 * i + 3] = w;
  }
  const sums = gaussianBlur(level, splat(level, pointsLps, packed, 4), 4, [sigmaMm], undefined, signal);
  // δ: a fraction of the weighted mean denominator at the data points.
  const atData = sampleGrid(level, sums, 4, pointsLps);
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += weights[i] * atData[4 * i + 3];
    den += weights[i];
  }
  const delta = den > 0 ? (shrink * num) / den : 1e-12;
  const v = voxelCount(level);
  const field = new Float64Array(3 * v);
  for (let q = 0; q < v; q++) {
    const d = sums[4 * q + 3] + delta;
    field[3 * q] = sums[4 * q] / d;
    field[3 * q + 1] = sums[4 * q + 1] / d;
    field[3 * q + 2] = sums[4 * q + 2] / d;
  }
  return level === grid ? field : resampleGrid(level, field, 3, grid);
}

/** Multi-scale Nadaraya–Watson fit of displacements `d` (3 per point) at `z` with weights `w`: a field on `grid`. */
export function fitKernelRegression(grid: WorkGrid, z: Float64Array, d: Float64Array, w: Float64Array, options: RegressionOptions): Float64Array {
  const sigmas = [...options.sigmasMm].sort((a, b) => b - a);
  const shrink = options.shrink ?? 0.001;
  const field = new Float64Array(3 * voxelCount(grid));
  const residual = Float64Array.from(d);
  for (const sigma of sigmas) {
    throwIfCancelled(options.signal, 'kernel regression');
    const level = normalisedConvolution(grid, z, residual, w, sigma, shrink, options.signal);
    for (let i = 0; i < field.length; i++) field[i] += level[i];
    const fitted = sampleGrid(grid, level, 3, z);
    for (let i = 0; i < residual.length; i++) residual[i] -= fitted[i];
  }
  return field;
}
