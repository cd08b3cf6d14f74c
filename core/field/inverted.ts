import type { ImageLps } from '../image/index.ts';
import { GridDisplacement } from './grid-displacement.ts';
import type { Deformation, InverseEvaluation, InversionOptions } from './types.ts';

/**
 * The inverse of a deformation: evaluate ↔ evaluateInverse swapped. The forward evaluation of the result runs the
 * wrapped deformation's inverse (iterative for non-linear ones, with its default options unless `options` are
 * given); its residuals are then dropped.
 */
export class InvertedDeformation implements Deformation {
  readonly kind = 'inverted' as const;
  readonly inner: Deformation;
  readonly options: InversionOptions | undefined;

  constructor(inner: Deformation, options?: InversionOptions) {
    this.inner = inner;
    this.options = options;
  }

  async evaluate(pointsLps: Float64Array): Promise<Float64Array> {
    return (await this.inner.evaluateInverse(pointsLps, this.options)).displacementsLps;
  }

  async evaluateInverse(pointsLps: Float64Array): Promise<InverseEvaluation> {
    return { displacementsLps: await this.inner.evaluate(pointsLps), maxResidualMm: 0, meanResidualMm: 0, unconverged: 0, iterations: 0 };
  }
}

/**
 * The Monge deformation (moving → fixed) of a displacement field in ITK's resampling convention — a field read from
 * a .nii.gz / .nrrd / .mha that ITK, ANTs or Slicer (or core/field/export-displacement-field.ts) wrote: the field
 * holds T(y) = φ⁻¹(y) − y on the fixed grid, so `evaluateInverse` is the exact trilinear lookup of T (ITK's
 * DisplacementFieldTransform::TransformPoint, zero outside the grid) and `evaluate` inverts it iteratively.
 */
export function deformationFromItkField(field: ImageLps, options?: InversionOptions): Deformation {
  return new InvertedDeformation(new GridDisplacement(field, 'zero'), options);
}
