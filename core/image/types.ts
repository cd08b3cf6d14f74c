import type { ArrayValues } from '../arrays/index.ts';

/**
 * A 3-D image with full geometry, in LPS millimetres (ITK's convention).
 *
 * Voxel (i, j, k) (0-based, i fastest in memory) sits at the physical LPS point
 *   p = originLps + D · diag(spacingMm) · [i, j, k]ᵀ
 * where D = directionLps is a 3×3 row-major matrix whose COLUMN c is the LPS direction of index axis c.
 */
export interface ImageLps {
  /** [nx, ny, nz]. */
  size: [number, number, number];
  spacingMm: [number, number, number];
  originLps: [number, number, number];
  /** Row-major 3×3 direction cosines; column c = LPS direction of index axis c. */
  directionLps: Float64Array;
  /** Components per voxel (1 for scalars, 3 for a displacement field). */
  components: number;
  /** Voxel values, interleaved by component, i fastest then j then k. */
  data: ArrayValues;
}
