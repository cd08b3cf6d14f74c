import type { ImageLps } from '../image/index.ts';
import { invertPointwise, type PointDisplacementLps } from './fixed-point-inverse.ts';
import { GridSampler, type OutsideMode } from './grid-sampler.ts';
import type { Deformation, InverseEvaluation, InversionOptions } from './types.ts';

/**
 * A displacement field sampled on a grid: φ(x) = x + u(x), with u trilinearly interpolated between the voxel centres
 * of `field` (an ImageLps of 3 components, LPS mm). Typical uses: a field read back from disk, or a fast stand-in
 * for a kernel model on a dense grid.
 *
 * Outside the grid the displacement is 0 by default — ITK's DisplacementFieldTransform rule (see grid-sampler.ts),
 * so that Monge evaluates a field exactly as ITK, ANTs and Slicer do.
 *
 * A field file in ITK's convention holds T = φ⁻¹ − id on the fixed grid; wrap it with `deformationFromItkField`
 * (core/field/inverted.ts) rather than using it here directly.
 */
export class GridDisplacement implements Deformation {
  readonly kind = 'grid' as const;
  readonly field: ImageLps;
  readonly outside: OutsideMode;
  private readonly sampler: GridSampler;
  private readonly scratch = new Float64Array(3);

  constructor(field: ImageLps, outside: OutsideMode = 'zero') {
    if (field.components !== 3) throw new RangeError(`GridDisplacement: a 3-component field is needed (got ${field.components})`);
    const n = field.size[0] * field.size[1] * field.size[2];
    if (field.data.length !== 3 * n) throw new RangeError(`GridDisplacement: ${field.data.length} values for ${n} voxels × 3`);
    this.field = field;
    this.outside = outside;
    this.sampler = new GridSampler(field);
  }

  /** u(x), trilinear. */
  async evaluate(pointsLps: Float64Array): Promise<Float64Array> {
    return this.sample(pointsLps);
  }

  /** Synchronous form of evaluate. */
  sample(pointsLps: Float64Array): Float64Array {
    if (pointsLps.length % 3 !== 0) throw new RangeError(`points: length ${pointsLps.length} is not a multiple of 3`);
    const out = new Float64Array(pointsLps.length);
    const ci = new Float64Array(3);
    for (let i = 0; i < pointsLps.length; i += 3) this.sampler.linear(pointsLps[i], pointsLps[i + 1], pointsLps[i + 2], out, i, this.outside, ci);
    return out;
  }

  /** u at one point, into out[0..2] (the form the pointwise inversion takes). */
  readonly at: PointDisplacementLps = (x, y, z, out) => {
    this.sampler.linear(x, y, z, out, 0, this.outside, this.scratch);
  };

  /**
   * φ⁻¹(y) − y by fixed-point iteration on the interpolated field, started at y − u(c(y)), with c(y) the nearest
   * point of the grid's box (y itself inside it). Started at y − u(y), a y outside the grid (where u is 0) would stop
   * at once at the solution x = y that ITK's zero rule allows there, although a point x inside the grid may map onto
   * y: the pre-image of the moving points beyond the fixed grid's margin (scans offset by more than the margin), which
   * `register` carries into the fixed space. From the border's displacement the iteration finds that x where it
   * exists; where it does not (y far from the grid), it still ends at x = y.
   */
  async evaluateInverse(pointsLps: Float64Array, options?: InversionOptions): Promise<InverseEvaluation> {
    if (pointsLps.length % 3 !== 0) throw new RangeError(`points: length ${pointsLps.length} is not a multiple of 3`);
    const start = new Float64Array(pointsLps.length);
    const ci = new Float64Array(3);
    for (let i = 0; i < start.length; i += 3) this.sampler.linear(pointsLps[i], pointsLps[i + 1], pointsLps[i + 2], start, i, 'clamp', ci);
    for (let i = 0; i < start.length; i++) start[i] = pointsLps[i] - start[i];
    return invertPointwise(this.at, pointsLps, options, start);
  }
}
