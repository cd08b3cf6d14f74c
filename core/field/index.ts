/**
 * The deformation object of Monge's registration pipeline and its exports (see types.ts for the directions):
 * φ: moving → fixed, evaluated forward at moving points and inverted at fixed points; written for ITK, ANTs and
 * 3D Slicer in their resampling convention (fixed → moving).
 */
export type { Deformation, DeformationKind, GridLps, InverseEvaluation, InversionOptions, Vec3, VectorFunctionLps } from './types.ts';
export { AffineDeformation } from './affine.ts';
export { KernelDisplacement, type GaussianKernelSpec, type KernelDisplacementInit } from './kernel-displacement.ts';
export { GridDisplacement } from './grid-displacement.ts';
export { StationaryVelocityDeformation, exponentiateVelocityField, type ScalingSquaringOptions } from './stationary-velocity.ts';
export { ComposedDeformation, linearThenNonLinear } from './composed.ts';
export { InvertedDeformation, deformationFromItkField } from './inverted.ts';
export { invertByFixedPoint, DEFAULT_INVERSION_MAX_ITERATIONS, DEFAULT_INVERSION_TOLERANCE_MM } from './fixed-point-inverse.ts';
export { gridAroundBounds, gridOfImage, gridPointsLps, gridVoxelCount } from './grid.ts';
export { GridSampler, type OutsideMode } from './grid-sampler.ts';
export { sampleOnGrid, type FieldDirection, type SampledField, type SampleOnGridOptions } from './sample-on-grid.ts';
export { jacobianDeterminantMap, jacobianOfDeformation } from './jacobian.ts';
export { assertSameGrid, jacobianStats, type JacobianStats } from './jacobian-stats.ts';
export { affineFromParts, identity4, invertAffine, multiply4, transformPoints, type Matrix4 } from './matrix4.ts';
export { formatItkAffineText, parseItkAffineText } from './itk-transform-text.ts';
export { writeItkAffineTransform, readItkAffineTransform } from './export-itk-transform.ts';
export { formatAffineMatrixText, writeAffineMatrixText } from './export-affine-matrix.ts';
export { writeDisplacementField, writeDisplacementFieldImage, DISPLACEMENT_FIELD_SUFFIXES } from './export-displacement-field.ts';
export { FIELD_FILE_STEMS, FIELD_FORMATS, type FieldFormat } from './field-files.ts';
export { writeJacobianMap } from './export-jacobian.ts';
