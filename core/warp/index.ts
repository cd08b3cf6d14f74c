/**
 * Warping with Monge's deformation φ (moving → fixed, core/field), or with a field file read back (readItkField):
 * meshes, point sets and landmarks are pushed forward by φ; images are pulled back through φ⁻¹ on the fixed grid (ITK's
 * resampling).
 */
export { warpPoints, type WarpedPoints } from './warp-points.ts';
export { displacedShape, warpShape, DISPLACEMENT_ARRAY } from './warp-shape.ts';
export { warpImage, resampleThroughField, type ImageInterpolation, type WarpImageOptions, type WarpedImage } from './warp-image.ts';
export { inverseFieldIn, readInverseFieldIn, readItkField, type ItkFieldFile } from './field-file.ts';
export { applyField, applyFieldProblem, applyFieldWith, type ApplyFieldRequest, type ApplyFieldResult } from './apply-field.ts';
export { appliedFileName } from './applied-name.ts';
