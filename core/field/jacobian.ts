import type { ImageLps } from '../image/index.ts';
import { gridMaps, gridOfImage, gridVoxelCount } from './grid.ts';
import { jacobianStats, type JacobianStats } from './jacobian-stats.ts';
import { nextTurn, throwIfCancelled } from '../progress/index.ts';
import { sampleOnGrid } from './sample-on-grid.ts';
import type { Deformation, GridLps } from './types.ts';

/**
 * det ∇ψ for ψ(x) = x + w(x), w a displacement field on a grid (3 components, LPS mm): ∇ψ = I + ∇w, with ∇w from
 * central finite differences of the sampled field (one-sided at the grid's faces; no change along an axis of one
 * voxel), taken in index space and mapped to mm through the grid's direction and spacing:
 *
 *   ∂w_r/∂p_d = Σ_c (∂w_r/∂i_c) · (D·diag(s))⁻¹[c][d]
 *
 * For Monge's forward field u = φ − id (sampleOnGrid direction 'forward', on a moving-space grid) this is the
 * Jacobian of φ: > 1 expands, < 1 compresses, ≤ 0 folds. (On ITK's field T = φ⁻¹ − id it is det ∇φ⁻¹.) Returns a
 * float32 scalar image on the same grid and its statistics over all voxels (jacobian-stats.ts; restrict
 * them to a mask there). Central differences are exact for affine maps.
 */
export function jacobianDeterminantMap(field: ImageLps): { image: ImageLps; stats: JacobianStats } {
  const out = new Float32Array(checkedVoxelCount(field));
  determinantSlices(field, out, 0, field.size[2]);
  return withStats({ ...gridOfImage(field), components: 1, data: out });
}

/**
 * jacobianDeterminantMap a few slices at a time, with a turn of the event loop between slabs (`slicesPerTurn`,
 * default 8): other work of this thread's event loop — a file write handing its data to a worker, a Ctrl-C — goes
 * on while a large map is computed. Same values.
 */
export async function jacobianDeterminantMapInTurns(
  field: ImageLps,
  options: { signal?: AbortSignal; slicesPerTurn?: number } = {},
): Promise<{ image: ImageLps; stats: JacobianStats }> {
  const out = new Float32Array(checkedVoxelCount(field));
  const slab = Math.max(1, Math.floor(options.slicesPerTurn ?? 8));
  for (let k = 0; k < field.size[2]; k += slab) {
    await nextTurn();
    throwIfCancelled(options.signal, 'jacobian');
    determinantSlices(field, out, k, Math.min(field.size[2], k + slab));
  }
  return withStats({ ...gridOfImage(field), components: 1, data: out });
}

function checkedVoxelCount(field: ImageLps): number {
  if (field.components !== 3) throw new RangeError(`jacobian: a 3-component displacement field is needed (got ${field.components})`);
  return gridVoxelCount(field);
}

/**
 * The map with its statistics, taken when first read (of the map as it is then): a caller that only wants the map
 * (register turns it into 1/J and takes its own statistics inside the fixed mask) does not pay for a pass over every
 * voxel.
 */
function withStats(image: ImageLps): { image: ImageLps; stats: JacobianStats } {
  let stats: JacobianStats | undefined;
  return {
    image,
    get stats() {
      stats ??= jacobianStats(image);
      return stats;
    },
  };
}

/** det ∇ψ on the slices k ∈ [k0, k1) of `field`, into `out` (one value per voxel of the whole grid). */
function determinantSlices(field: ImageLps, out: Float32Array, k0: number, k1: number): void {
  const [nx, ny, nz] = field.size;
  const inv = gridMaps(field).inv;
  const d = field.data;
  const g = new Float64Array(9); // g[3r + c] = ∂w_r/∂i_c
  const strides = [1, nx, nx * ny];
  const sizes = [nx, ny, nz];
  const idx = [0, 0, 0];
  for (let k = k0; k < k1; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const v = i + nx * (j + ny * k);
        idx[0] = i;
        idx[1] = j;
        idx[2] = k;
        for (let c = 0; c < 3; c++) {
          const nc = sizes[c];
          const at = idx[c];
          if (nc === 1) {
            g[c] = g[3 + c] = g[6 + c] = 0;
            continue;
          }
          const lo = at > 0 ? v - strides[c] : v;
          const hi = at < nc - 1 ? v + strides[c] : v;
          const h = (at > 0 ? 1 : 0) + (at < nc - 1 ? 1 : 0);
          for (let r = 0; r < 3; r++) g[3 * r + c] = (d[3 * hi + r] - d[3 * lo + r]) / h;
        }
        // J = I + g · inv
        const j00 = 1 + g[0] * inv[0] + g[1] * inv[3] + g[2] * inv[6];
        const j01 = g[0] * inv[1] + g[1] * inv[4] + g[2] * inv[7];
        const j02 = g[0] * inv[2] + g[1] * inv[5] + g[2] * inv[8];
        const j10 = g[3] * inv[0] + g[4] * inv[3] + g[5] * inv[6];
        const j11 = 1 + g[3] * inv[1] + g[4] * inv[4] + g[5] * inv[7];
        const j12 = g[3] * inv[2] + g[4] * inv[5] + g[5] * inv[8];
        const j20 = g[6] * inv[0] + g[7] * inv[3] + g[8] * inv[6];
        const j21 = g[6] * inv[1] + g[7] * inv[4] + g[8] * inv[7];
        const j22 = 1 + g[6] * inv[2] + g[7] * inv[5] + g[8] * inv[8];
        const det = j00 * (j11 * j22 - j12 * j21) - j01 * (j10 * j22 - j12 * j20) + j02 * (j10 * j21 - j11 * j20);
        out[v] = det;
      }
    }
  }
}

/** det ∇φ of a deformation on a (moving-space) grid: samples u = φ − id in float64, then jacobianDeterminantMap. */
export async function jacobianOfDeformation(deformation: Deformation, grid: GridLps): Promise<{ image: ImageLps; stats: JacobianStats }> {
  const sampled = await sampleOnGrid(deformation, grid, { direction: 'forward', precision: 'float64' });
  return jacobianDeterminantMap(sampled.image);
}
