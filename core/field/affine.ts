import { checkAffine, invertAffine, transformPoints, type Matrix4 } from './matrix4.ts';
import type { Deformation, InverseEvaluation } from './types.ts';

/**
 * The linear step of a registration (the OT pre-alignment): φ(x) = A·x + t, a moving-space point to a fixed-space
 * point, with `movingToFixedLps` the 4×4 row-major matrix of core/field/matrix4.ts. Its inverse is exact.
 *
 * Written for ITK as the INVERSE matrix (fixed → moving), see core/field/itk-transform-text.ts.
 */
export class AffineDeformation implements Deformation {
  readonly kind = 'affine' as const;
  readonly movingToFixedLps: Matrix4;
  /** φ⁻¹: fixed → moving (ITK's resampling direction). */
  readonly fixedToMovingLps: Matrix4;

  constructor(movingToFixedLps: ArrayLike<number>) {
    checkAffine(movingToFixedLps, 'AffineDeformation');
    this.movingToFixedLps = Float64Array.from(movingToFixedLps);
    this.fixedToMovingLps = invertAffine(this.movingToFixedLps);
  }

  /** φ(x) − x. */
  async evaluate(pointsLps: Float64Array): Promise<Float64Array> {
    return displacementOf(this.movingToFixedLps, pointsLps);
  }

  /** φ⁻¹(y) − y, exact. */
  async evaluateInverse(pointsLps: Float64Array): Promise<InverseEvaluation> {
    return { displacementsLps: displacementOf(this.fixedToMovingLps, pointsLps), maxResidualMm: 0, meanResidualMm: 0, unconverged: 0, iterations: 0 };
  }
}

function displacementOf(m: Matrix4, pointsLps: Float64Array): Float64Array {
  const out = transformPoints(m, pointsLps);
  for (let i = 0; i < out.length; i++) out[i] -= pointsLps[i];
  return out;
}
