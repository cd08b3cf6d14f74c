/**
 * Warping with Monge's deformation φ (moving → fixed, core/field): meshes, point sets and landmarks are pushed
 * forward by φ; images are pulled back through φ⁻¹ on the fixed grid (ITK's resampling).
 */
export { warpPoints, type WarpedPoints } from './warp-points.ts';
export { warpShape, DISPLACEMENT_ARRAY } from './warp-shape.ts';
export { warpImage, resampleThroughField, type ImageInterpolation, type WarpImageOptions, type WarpedImage } from './warp-image.ts';
