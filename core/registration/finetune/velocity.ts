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
import { exponentiateVelocityField, StationaryVelocityDeformation } from '../../field/stationary-velocity.ts';
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
 * φ = exp(v) on the working grid: core/field's StationaryVelocityDeformation (forward exp(v), inverse by fixed-point
 * iteration preconditioned with exp(−v)) continued with its edge values outside the grid, so the map has no jump at
 * the grid's faces.
 */
export class VelocityGridDeformation extends StationaryVelocityDeformation {
  constructor(grid: WorkGrid, velocity: Float64Array) {
    super(gridImage(grid, velocity), {}, 'clamp');
  }
}
