/**
 * The in-memory 3-D image Monge works with: ImageLps (voxels with their geometry, in LPS millimetres), the
 * voxel ↔ LPS geometry of it (geometry.ts, ITK's model), and whether its voxels hold labels (looks-like-mask.ts).
 * No files: core/io reads and writes images into this model, and core/shape extracts surfaces from it.
 */
export type { ImageLps } from './types.ts';
export { det3, indexToLps, indexToLpsLinear, invert3, lpsToContinuousIndex, voxelToLpsMatrix, worldBoundsLps } from './geometry.ts';
export { looksLikeMask, MAX_LABEL_VALUES, MIN_EQUAL_NEIGHBOUR_SHARE } from './looks-like-mask.ts';
