import { indexToLpsLinear, invert3 } from '../image/index.ts';
import type { GridLps, Vec3 } from './types.ts';

/**
 * Sampling grids for displacement fields and Jacobian maps: the fixed image's own grid (`gridOfImage`), or an
 * axis-aligned box around a shape (`gridAroundBounds`). Geometry as in core/image/geometry.ts: voxel (i, j, k)
 * is at o + D·diag(s)·(i, j, k), LPS mm.
 */

/** The geometry of an image (copied), e.g. the fixed image's grid for ITK resampling. */
export function gridOfImage(image: GridLps): GridLps {
  return {
    size: [image.size[0], image.size[1], image.size[2]],
    spacingMm: [image.spacingMm[0], image.spacingMm[1], image.spacingMm[2]],
    originLps: [image.originLps[0], image.originLps[1], image.originLps[2]],
    directionLps: Float64Array.from(image.directionLps),
  };
}

/**
 * An axis-aligned LPS grid (identity direction) covering `boundsLps` ([xmin, xmax, ymin, ymax, zmin, zmax], as
 * core/shape boundsOf) grown by `marginMm` on every side, at `spacingMm` (one value or one per axis). The box is
 * centred on the bounds: n = ceil(extent / s) + 1 voxels per axis, so the voxel centres span at least the box.
 */
export function gridAroundBounds(boundsLps: readonly number[], spacingMm: number | readonly [number, number, number], marginMm: number): GridLps {
  if (boundsLps.length !== 6 || !boundsLps.every(Number.isFinite)) throw new RangeError('gridAroundBounds: 6 finite bounds expected');
  if (!(marginMm >= 0) || !Number.isFinite(marginMm)) throw new RangeError(`gridAroundBounds: margin must be finite and ≥ 0 (got ${marginMm})`);
  const s: Vec3 = typeof spacingMm === 'number' ? [spacingMm, spacingMm, spacingMm] : [spacingMm[0], spacingMm[1], spacingMm[2]];
  if (!s.every((v) => Number.isFinite(v) && v > 0)) throw new RangeError(`gridAroundBounds: spacing must be > 0 (got ${s.join(', ')})`);
  const size: Vec3 = [1, 1, 1];
  const origin: Vec3 = [0, 0, 0];
  for (let a = 0; a < 3; a++) {
    const lo = boundsLps[2 * a] - marginMm;
    const hi = boundsLps[2 * a + 1] + marginMm;
    if (!(hi >= lo)) throw new RangeError('gridAroundBounds: empty bounds (max < min)');
    const n = Math.ceil((hi - lo) / s[a] - 1e-9) + 1;
    size[a] = n;
    origin[a] = (lo + hi) / 2 - ((n - 1) * s[a]) / 2;
  }
  return { size, spacingMm: s, originLps: origin, directionLps: Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]) };
}

/** Number of voxels. */
export function gridVoxelCount(grid: GridLps): number {
  return grid.size[0] * grid.size[1] * grid.size[2];
}

/**
 * Precomputed index ↔ LPS maps of a grid: `m` = D·diag(s) (index → mm, row-major) and `inv` = m⁻¹, with the
 * origin.
 */
export interface GridMaps {
  grid: GridLps;
  m: Float64Array;
  inv: Float64Array;
  origin: Vec3;
}

export function gridMaps(grid: GridLps): GridMaps {
  const m = indexToLpsLinear(grid);
  return { grid, m, inv: invert3(m), origin: [grid.originLps[0], grid.originLps[1], grid.originLps[2]] };
}

/**
 * LPS positions of the voxel centres with linear indices [start, start + count) (i fastest, then j, then k), as
 * interleaved xyz.
 */
export function gridPointsLps(grid: GridLps, start = 0, count = gridVoxelCount(grid) - start): Float64Array {
  const { m, origin } = gridMaps(grid);
  const [nx, ny] = grid.size;
  const out = new Float64Array(3 * count);
  for (let q = 0; q < count; q++) {
    const v = start + q;
    const i = v % nx;
    const j = Math.floor(v / nx) % ny;
    const k = Math.floor(v / (nx * ny));
    out[3 * q] = origin[0] + m[0] * i + m[1] * j + m[2] * k;
    out[3 * q + 1] = origin[1] + m[3] * i + m[4] * j + m[5] * k;
    out[3 * q + 2] = origin[2] + m[6] * i + m[7] * j + m[8] * k;
  }
  return out;
}
