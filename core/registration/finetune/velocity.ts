/**
 * The diffeomorphic option: a stationary velocity v whose exponential exp(v) (scaling and squaring, core/field
 * exponentiateVelocityField) stands for a fitted displacement u, so that the final map cannot fold however large u
 * is. v = u is exact to first order; optional fixed-point corrections
 *
 *   v ← v + (u − (exp(v) − id))
 *
 * remove the second-order difference where id + u is itself a diffeomorphism, but chase the folds where it is not
 * (measured on DIR-Lab copd1: two corrections drove v to extremes and exp(v) folded numerically on the 3 mm grid),
 * so the pipeline uses none.
 */
import { invertByFixedPoint } from '../../field/fixed-point-inverse.ts';
import { GridDisplacement } from '../../field/grid-displacement.ts';
import type { Deformation, InverseEvaluation, InversionOptions } from '../../field/types.ts';
import { exponentiateVelocityField } from '../../field/stationary-velocity.ts';
import { gridImage, type WorkGrid } from './work-grid.ts';

export function velocityForDisplacement(grid: WorkGrid, displacement: Float64Array, corrections = 0): Float64Array {
  const v = Float64Array.from(displacement);
  for (let k = 0; k < corrections; k++) {
    const { field } = exponentiateVelocityField(gridImage(grid, v));
    for (let i = 0; i < v.length; i++) v[i] += displacement[i] - field.data[i];
  }
  return v;
}

/**
 * φ = exp(v) as a core/field Deformation on the working grid: forward exp(v), inverse by fixed-point iteration
 * preconditioned with exp(−v) (core/field invertByFixedPoint), both continued with their edge values outside the
 * grid — so the map has no jump at the grid's faces (core/field's StationaryVelocityDeformation drops to zero there,
 * ITK's rule for fields read from files).
 */
export class VelocityGridDeformation implements Deformation {
  readonly kind = 'velocity' as const;
  readonly forward: GridDisplacement;
  readonly backward: GridDisplacement;
  readonly squarings: number;

  constructor(grid: WorkGrid, velocity: Float64Array) {
    const fwd = exponentiateVelocityField(gridImage(grid, velocity));
    const negated = velocity.map((v) => -v);
    const bwd = exponentiateVelocityField(gridImage(grid, negated), { squarings: fwd.squarings });
    this.forward = new GridDisplacement(fwd.field, 'clamp');
    this.backward = new GridDisplacement(bwd.field, 'clamp');
    this.squarings = fwd.squarings;
  }

  async evaluate(pointsLps: Float64Array): Promise<Float64Array> {
    return this.forward.sample(pointsLps);
  }

  evaluateInverse(pointsLps: Float64Array, options?: InversionOptions): Promise<InverseEvaluation> {
    return invertByFixedPoint(
      async (p) => this.forward.sample(p),
      pointsLps,
      options,
      undefined,
      async (p) => this.backward.sample(p),
    );
  }
}

/**
 * φ = exp(v) as a grid displacement that continues with its edge values outside the grid ('clamp'), so the map has
 * no jump at the grid's faces (core/field's StationaryVelocityDeformation drops to zero there, ITK's rule for
 * fields read from files). Inside the grid it is the scaling-and-squaring diffeomorphism; the inverse is found by
 * fixed-point iteration (GridDisplacement.evaluateInverse).
 */
export function diffeomorphismFromVelocity(grid: WorkGrid, velocity: Float64Array): { deformation: GridDisplacement; squarings: number } {
  const { field, squarings } = exponentiateVelocityField(gridImage(grid, velocity));
  return { deformation: new GridDisplacement(field, 'clamp'), squarings };
}
