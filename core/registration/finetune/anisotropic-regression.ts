/**
 * Anisotropic kernel regression, the option for line-like shapes (vessel trees, airways): each data point i gets its
 * own Gaussian, stretched along the local principal direction d_i of its neighbourhood (local PCA, the same
 * analysis the synthetic deformations use, core/registration/synth/local-directions.ts) in proportion to how
 * line-like it is,
 *
 *   K_i(x) = exp(−½ (x − z_i)ᵀ P_i (x − z_i)),   P_i = I/σ⊥² + (1/σ∥² − 1/σ⊥²) d_i d_iᵀ,
 *   σ⊥ = σ,   σ∥ = σ · (1 + (anisotropy − 1) · linearity_i),
 *
 * so a displacement measured on a vessel spreads along the vessel rather than across to its neighbours
 * (the "anisotropic kernels" of RobOT's vessel experiments). The normalised convolution and the coarse-to-fine
 * cascade are those of kernel-regression.ts; the kernels are not separable, so each point is splatted directly
 * into the voxels of its 3σ∥ box, on a grid of spacing σ/3 (resampled to the working grid).
 */
import { throwIfCancelled } from '../../progress/index.ts';
import { localDirections } from '../synth/local-directions.ts';
import { levelGrid } from './kernel-regression.ts';
import { resampleGrid, sampleGrid, voxelCount, type WorkGrid } from './work-grid.ts';

export interface AnisotropicOptions {
  sigmasMm: readonly number[];
  /** σ∥/σ⊥ for a perfectly line-like neighbourhood (> 1). */
  anisotropy: number;
  /** Neighbours of the local PCA (default 12). */
  neighbours?: number;
  /** δ fraction of the normalised convolution (default 0.001). */
  shrink?: number;
  signal?: AbortSignal;
}

/** Per-point precision matrices (6 per point: xx xy xz yy yz zz) and the along-direction widths. */
function precisions(sigma: number, anisotropy: number, direction: Float64Array, linearity: Float64Array): { p: Float64Array; along: Float64Array } {
  const n = linearity.length;
  const p = new Float64Array(6 * n);
  const along = new Float64Array(n);
  const across = 1 / (sigma * sigma);
  for (let i = 0; i < n; i++) {
    const sAlong = sigma * (1 + (anisotropy - 1) * Math.max(0, Math.min(1, linearity[i])));
    along[i] = sAlong;
    const b = 1 / (sAlong * sAlong) - across;
    const d0 = direction[3 * i];
    const d1 = direction[3 * i + 1];
    const d2 = direction[3 * i + 2];
    p.set([across + b * d0 * d0, b * d0 * d1, b * d0 * d2, across + b * d1 * d1, b * d1 * d2, across + b * d2 * d2], 6 * i);
  }
  return { p, along };
}

/** Σ_i K_i(x) w_i [r_i, 1] on `grid` (4 per voxel), each point splatted within its 3σ∥ box. */
function splatAnisotropic(grid: WorkGrid, z: Float64Array, r: Float64Array, w: Float64Array, p: Float64Array, along: Float64Array): Float64Array {
  const [nx, ny, nz] = grid.size;
  const h = grid.spacingMm;
  const [ox, oy, oz] = grid.originLps;
  const out = new Float64Array(4 * voxelCount(grid));
  for (let i = 0; i < w.length; i++) {
    if (!(w[i] > 0)) continue;
    const reach = 3 * along[i];
    const cx = z[3 * i];
    const cy = z[3 * i + 1];
    const cz = z[3 * i + 2];
    const i0 = Math.max(0, Math.ceil((cx - reach - ox) / h));
    const i1 = Math.min(nx - 1, Math.floor((cx + reach - ox) / h));
    const j0 = Math.max(0, Math.ceil((cy - reach - oy) / h));
    const j1 = Math.min(ny - 1, Math.floor((cy + reach - oy) / h));
    const k0 = Math.max(0, Math.ceil((cz - reach - oz) / h));
    const k1 = Math.min(nz - 1, Math.floor((cz + reach - oz) / h));
    const [pxx, pxy, pxz, pyy, pyz, pzz] = p.subarray(6 * i, 6 * i + 6);
    const wr0 = w[i] * r[3 * i];
    const wr1 = w[i] * r[3 * i + 1];
    const wr2 = w[i] * r[3 * i + 2];
    for (let k = k0; k <= k1; k++) {
      const dz = oz + k * h - cz;
      for (let j = j0; j <= j1; j++) {
        const dy = oy + j * h - cy;
        const base = nx * (j + ny * k);
        for (let ii = i0; ii <= i1; ii++) {
          const dx = ox + ii * h - cx;
          const q = dx * (pxx * dx + 2 * pxy * dy + 2 * pxz * dz) + dy * (pyy * dy + 2 * pyz * dz) + pzz * dz * dz;
          if (q > 18) continue;
          const kv = Math.exp(-0.5 * q);
          const o = 4 * (base + ii);
          out[o] += kv * wr0;
          out[o + 1] += kv * wr1;
          out[o + 2] += kv * wr2;
          out[o + 3] += kv * w[i];
        }
      }
    }
  }
  return out;
}

/** Multi-scale anisotropic normalised convolution of displacements `d` at `z` (weights `w`): a field on `grid`. */
export function fitAnisotropicRegression(grid: WorkGrid, z: Float64Array, d: Float64Array, w: Float64Array, options: AnisotropicOptions): Float64Array {
  if (!(options.anisotropy >= 1)) throw new RangeError(`anisotropy must be ≥ 1 (got ${options.anisotropy})`);
  const { direction, linearity } = localDirections(z, options.neighbours ?? 12);
  const shrink = options.shrink ?? 0.001;
  const field = new Float64Array(3 * voxelCount(grid));
  const residual = Float64Array.from(d);
  for (const sigma of [...options.sigmasMm].sort((a, b) => b - a)) {
    throwIfCancelled(options.signal, 'anisotropic regression');
    const level = levelGrid(grid, sigma);
    const { p, along } = precisions(sigma, options.anisotropy, direction, linearity);
    const sums = splatAnisotropic(level, z, residual, w, p, along);
    const atData = sampleGrid(level, sums, 4, z);
    let num = 0;
    let den = 0;
    for (let i = 0; i < w.length; i++) {
      num += w[i] * atData[4 * i + 3];
      den += w[i];
    }
    const delta = den > 0 ? (shrink * num) / den : 1e-12;
    const v = voxelCount(level);
    const part = new Float64Array(3 * v);
    for (let q = 0; q < v; q++) for (let c = 0; c < 3; c++) part[3 * q + c] = sums[4 * q + c] / (sums[4 * q + 3] + delta);
    const onGrid = level === grid ? part : resampleGrid(level, part, 3, grid);
    for (let q = 0; q < field.length; q++) field[q] += onGrid[q];
    const fitted = sampleGrid(grid, onGrid, 3, z);
    for (let q = 0; q < residual.length; q++) residual[q] -= fitted[q];
  }
  return field;
}
