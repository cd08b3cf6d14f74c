import type { ImageLps } from '../image/index.ts';
import { gridMaps } from './grid.ts';

/**
 * What a sampler returns at LPS points away from the image:
 *  - 'zero': ITK's rule (itk::ImageFunction::IsInsideBuffer, used by DisplacementFieldTransform and
 *    ResampleImageFilter): a point is inside when its continuous index lies in [−0.5, n − 0.5) on every axis, i.e.
 *    within the voxel boxes; inside, neighbours past the last voxel centre are clamped to the edge; outside, the
 *    value is 0 (a zero displacement, the default pixel value 0);
 *  - 'clamp': the nearest edge value everywhere (for integrating velocity fields, where leaving the grid by a
 *    fraction of a voxel must not drop the field).
 */
export type OutsideMode = 'zero' | 'clamp';

/**
 * Trilinear and nearest-neighbour sampling of an ImageLps (any number of components) at LPS points, with the
 * index ↔ mm map of core/image/geometry.ts inverted once (not per point).
 */
export class GridSampler {
  readonly image: ImageLps;
  private readonly inv: Float64Array;
  private readonly origin: [number, number, number];
  private readonly nx: number;
  private readonly ny: number;
  private readonly nz: number;
  private readonly comps: number;
  private readonly lo = new Int32Array(3);
  private readonly hi = new Int32Array(3);
  private readonly frac = new Float64Array(3);

  constructor(image: ImageLps) {
    this.image = image;
    const maps = gridMaps(image);
    this.inv = maps.inv;
    this.origin = maps.origin;
    [this.nx, this.ny, this.nz] = image.size;
    this.comps = image.components;
  }

  /** Continuous index of an LPS point, into `ci`. */
  continuousIndex(x: number, y: number, z: number, ci: Float64Array): void {
    const inv = this.inv;
    const dx = x - this.origin[0];
    const dy = y - this.origin[1];
    const dz = z - this.origin[2];
    ci[0] = inv[0] * dx + inv[1] * dy + inv[2] * dz;
    ci[1] = inv[3] * dx + inv[4] * dy + inv[5] * dz;
    ci[2] = inv[6] * dx + inv[7] * dy + inv[8] * dz;
  }

  private inside(ci: Float64Array): boolean {
    return ci[0] >= -0.5 && ci[0] < this.nx - 0.5 && ci[1] >= -0.5 && ci[1] < this.ny - 0.5 && ci[2] >= -0.5 && ci[2] < this.nz - 0.5;
  }

  /** Whether the LPS point lies inside the grid under the 'zero' rule (within the voxel boxes). */
  contains(x: number, y: number, z: number, ci = new Float64Array(3)): boolean {
    this.continuousIndex(x, y, z, ci);
    return this.inside(ci);
  }

  /** How many of the interleaved LPS points lie outside the grid under the 'zero' rule (where a field is 0). */
  countOutside(pointsLps: ArrayLike<number>): number {
    const ci = new Float64Array(3);
    let outside = 0;
    for (let i = 0; i < pointsLps.length; i += 3) if (!this.contains(pointsLps[i], pointsLps[i + 1], pointsLps[i + 2], ci)) outside++;
    return outside;
  }

  /**
   * Trilinear interpolation at LPS (x, y, z) into out[offset .. offset + components). Returns false (and writes
   * zeros) when the point is outside under 'zero'.
   */
  linear(x: number, y: number, z: number, out: ArrayLike<number> & { [i: number]: number }, offset: number, outside: OutsideMode, ci = new Float64Array(3)): boolean {
    this.continuousIndex(x, y, z, ci);
    const comps = this.comps;
    if (outside === 'zero' && !this.inside(ci)) {
      for (let c = 0; c < comps; c++) out[offset + c] = 0;
      return false;
    }
    // The neighbours and weights per axis, clamped to the grid, into preallocated scratch (this is the hot loop of
    // every warp and field inversion: no per-point allocation).
    const { lo, hi, frac } = this;
    const nx = this.nx;
    const ny = this.ny;
    axisNeighbours(ci[0], nx, 0, lo, hi, frac);
    axisNeighbours(ci[1], ny, 1, lo, hi, frac);
    axisNeighbours(ci[2], this.nz, 2, lo, hi, frac);
    const i0 = lo[0];
    const j0 = lo[1];
    const k0 = lo[2];
    const i1 = hi[0];
    const j1 = hi[1];
    const k1 = hi[2];
    const fx = frac[0];
    const fy = frac[1];
    const fz = frac[2];
    const d = this.image.data;
    const sx = comps;
    const sy = comps * nx;
    const sz = sy * ny;
    const b000 = i0 * sx + j0 * sy + k0 * sz;
    const b100 = i1 * sx + j0 * sy + k0 * sz;
    const b010 = i0 * sx + j1 * sy + k0 * sz;
    const b110 = i1 * sx + j1 * sy + k0 * sz;
    const b001 = i0 * sx + j0 * sy + k1 * sz;
    const b101 = i1 * sx + j0 * sy + k1 * sz;
    const b011 = i0 * sx + j1 * sy + k1 * sz;
    const b111 = i1 * sx + j1 * sy + k1 * sz;
    const gx = 1 - fx;
    const gy = 1 - fy;
    const gz = 1 - fz;
    for (let c = 0; c < comps; c++) {
      const c00 = d[b000 + c] * gx + d[b100 + c] * fx;
      const c10 = d[b010 + c] * gx + d[b110 + c] * fx;
      const c01 = d[b001 + c] * gx + d[b101 + c] * fx;
      const c11 = d[b011 + c] * gx + d[b111 + c] * fx;
      out[offset + c] = (c00 * gy + c10 * fy) * gz + (c01 * gy + c11 * fy) * fz;
    }
    return true;
  }

  /**
   * Nearest-neighbour value (ITK's NearestNeighborInterpolateImageFunction: index = floor(ci + 0.5)) at LPS
   * (x, y, z); the flat voxel index, or −1 when outside under 'zero' (then zeros are written).
   */
  nearest(x: number, y: number, z: number, out: ArrayLike<number> & { [i: number]: number }, offset: number, outside: OutsideMode, ci = new Float64Array(3)): number {
    this.continuousIndex(x, y, z, ci);
    const comps = this.comps;
    if (outside === 'zero' && !this.inside(ci)) {
      for (let c = 0; c < comps; c++) out[offset + c] = 0;
      return -1;
    }
    const i = clampIndex(Math.floor(ci[0] + 0.5), this.nx);
    const j = clampIndex(Math.floor(ci[1] + 0.5), this.ny);
    const k = clampIndex(Math.floor(ci[2] + 0.5), this.nz);
    const v = i + this.nx * (j + this.ny * k);
    for (let c = 0; c < comps; c++) out[offset + c] = this.image.data[v * comps + c];
    return v;
  }
}

function clampIndex(i: number, n: number): number {
  return i < 0 ? 0 : i > n - 1 ? n - 1 : i;
}

/**
 * Lower and upper neighbour indices (clamped to the grid) and the weight of the upper one along one axis, for
 * continuous index c on an axis of n voxels, written into slot `a` of lo / hi / frac.
 */
function axisNeighbours(c: number, n: number, a: number, lo: Int32Array, hi: Int32Array, frac: Float64Array): void {
  if (n === 1 || c <= 0) {
    lo[a] = hi[a] = 0;
    frac[a] = 0;
  } else if (c >= n - 1) {
    lo[a] = hi[a] = n - 1;
    frac[a] = 0;
  } else {
    const l = Math.floor(c);
    lo[a] = l;
    hi[a] = l + 1;
    frac[a] = c - l;
  }
}
