import type { ImageLps } from '../image/index.ts';
import { invertPointwise } from './fixed-point-inverse.ts';
import { GridDisplacement } from './grid-displacement.ts';
import { GridSampler, type OutsideMode } from './grid-sampler.ts';
import { gridOfImage, gridPointsLps, gridVoxelCount } from './grid.ts';
import type { Deformation, GridLps, InverseEvaluation, InversionOptions, VectorFunctionLps } from './types.ts';

export interface ScalingSquaringOptions {
  /**
   * Number of squarings N (the velocity is scaled by 2^−N, then the map composed with itself N times). Default: the
   * smallest N ≥ `minSquarings` with max|v| / 2^N ≤ half the smallest voxel spacing, so the first step is small and
   * the composition stays within trilinear accuracy (Arsigny et al. 2006).
   */
  squarings?: number;
  /** Default 4. */
  minSquarings?: number;
}

/**
 * exp(v) of a stationary velocity field sampled on a grid, by scaling and squaring (Arsigny, Commowick, Pennec,
 * Ayache, "A Log-Euclidean framework for statistics on diffeomorphisms", MICCAI 2006; Ashburner, "A fast
 * diffeomorphic image registration algorithm" (DARTEL), NeuroImage 2007):
 *
 *   u₀ = v / 2^N,      u_{k+1}(x) = u_k(x) + u_k(x + u_k(x))      (φ_{k+1} = φ_k ∘ φ_k),      exp(v) = id + u_N
 *
 * The composition samples u_k trilinearly with edge clamping (a point pushed a fraction of a voxel past the edge
 * keeps the edge value). Returns the displacement field of exp(v) on the same grid (float64).
 */
export function exponentiateVelocityField(velocity: ImageLps, options: ScalingSquaringOptions = {}): { field: ImageLps; squarings: number } {
  if (velocity.components !== 3) throw new RangeError(`velocity field: 3 components expected (got ${velocity.components})`);
  const n = gridVoxelCount(velocity);
  const minSpacing = Math.min(...velocity.spacingMm);
  let maxNorm = 0;
  for (let v = 0; v < n; v++) {
    const norm = Math.hypot(velocity.data[3 * v], velocity.data[3 * v + 1], velocity.data[3 * v + 2]);
    if (!Number.isFinite(norm)) throw new RangeError('velocity field: non-finite value');
    if (norm > maxNorm) maxNorm = norm;
  }
  const squarings =
    options.squarings ?? Math.max(options.minSquarings ?? 4, maxNorm > 0 ? Math.ceil(Math.log2(maxNorm / (0.5 * minSpacing))) : 0);
  if (!Number.isInteger(squarings) || squarings < 0 || squarings > 40) throw new RangeError(`squarings must be an integer in 0..40 (got ${squarings})`);
  const scale = 2 ** -squarings;
  let u = new Float64Array(3 * n);
  for (let i = 0; i < u.length; i++) u[i] = velocity.data[i] * scale;
  const points = gridPointsLps(velocity);
  const geometry = gridOfImage(velocity);
  const ci = new Float64Array(3);
  const look = new Float64Array(3);
  for (let step = 0; step < squarings; step++) {
    const sampler = new GridSampler({ ...geometry, components: 3, data: u });
    const next = new Float64Array(3 * n);
    for (let v = 0; v < n; v++) {
      const o = 3 * v;
      sampler.linear(points[o] + u[o], points[o + 1] + u[o + 1], points[o + 2] + u[o + 2], look, 0, 'clamp', ci);
      next[o] = u[o] + look[0];
      next[o + 1] = u[o + 1] + look[1];
      next[o + 2] = u[o + 2] + look[2];
    }
    u = next;
  }
  return { field: { ...geometry, components: 3, data: u }, squarings };
}

/** exp(v) and exp(−v) as displacement fields on v's grid, with the squarings both used. */
export interface IntegratedVelocity {
  forward: ImageLps;
  backward: ImageLps;
  squarings: number;
}

function integrateBothWays(velocity: ImageLps, options: ScalingSquaringOptions): IntegratedVelocity {
  const fwd = exponentiateVelocityField(velocity, options);
  const negated = new Float64Array(velocity.data.length);
  for (let i = 0; i < negated.length; i++) negated[i] = -velocity.data[i];
  const bwd = exponentiateVelocityField({ ...velocity, data: negated }, { ...options, squarings: fwd.squarings });
  return { forward: fwd.field, backward: bwd.field, squarings: fwd.squarings };
}

/**
 * The diffeomorphic option: φ = exp(v) for a stationary velocity field v, integrated by scaling and squaring on a
 * grid (see exponentiateVelocityField). φ is a diffeomorphism for any smooth v, however large — unlike the plain
 * displacement φ = id + v, which folds (det ∇φ ≤ 0) once |∇v| is large (demonstrated in
 * test/unit/field/stationary-velocity.test.ts).
 *
 * Both exp(v) and exp(−v) = φ⁻¹ are integrated. `evaluate` is a trilinear lookup of exp(v), zero outside the grid by
 * default (ITK's rule for fields read from files: give the grid a margin where v has decayed) or continued with its
 * edge values (`outside = 'clamp'`, for working grids that end close to the shapes); `evaluateInverse` starts from exp(−v) and refines by
 * fixed-point iteration on the interpolated exp(v), preconditioned by exp(−v) (fixed-point-inverse.ts), so
 * φ⁻¹(φ(x)) = x to the inversion tolerance even where exp(v) and exp(−v) disagree slightly (discretisation).
 */
export class StationaryVelocityDeformation implements Deformation {
  readonly kind = 'velocity' as const;
  readonly forward: GridDisplacement;
  readonly backward: GridDisplacement;
  readonly squarings: number;

  /** Integrates `velocity` both ways, or takes exp(v) and exp(−v) already integrated (a copy sent to a worker). */
  constructor(velocity: ImageLps | IntegratedVelocity, options: ScalingSquaringOptions = {}, outside: OutsideMode = 'zero') {
    const integrated = 'forward' in velocity ? velocity : integrateBothWays(velocity, options);
    this.forward = new GridDisplacement(integrated.forward, outside);
    this.backward = new GridDisplacement(integrated.backward, outside);
    this.squarings = integrated.squarings;
  }

  /** Samples a velocity model (e.g. KernelDisplacement.evaluate, read as a velocity) on `grid`, then integrates. */
  static async fromVelocity(velocity: VectorFunctionLps, grid: GridLps, options: ScalingSquaringOptions = {}): Promise<StationaryVelocityDeformation> {
    const data = await velocity(gridPointsLps(grid));
    return new StationaryVelocityDeformation({ ...gridOfImage(grid), components: 3, data }, options);
  }

  async evaluate(pointsLps: Float64Array): Promise<Float64Array> {
    return this.forward.sample(pointsLps);
  }

  async evaluateInverse(pointsLps: Float64Array, options?: InversionOptions): Promise<InverseEvaluation> {
    return invertPointwise(this.forward.at, pointsLps, options, undefined, this.backward.at);
  }
}
