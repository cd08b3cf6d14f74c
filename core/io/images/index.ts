/**
 * Image I/O: 3-D volumes (masks, label maps, CT/MR, displacement fields) with their LPS geometry, read and written
 * through itk-wasm in an isolated worker. See read-image.ts, write-image.ts and geometry.ts.
 */
export type { ImageFormat, ImageLps } from './types.ts';
export { readImage, type ReadImageOptions, type ReadImageResult } from './read-image.ts';
export { writeImage, type WriteImageOptions } from './write-image.ts';
export { indexToLps, lpsToContinuousIndex, voxelToLpsMatrix, worldBoundsLps, indexToLpsLinear } from './geometry.ts';
export { imageFormatOf, IMAGE_SUFFIXES, WRITABLE_IMAGE_SUFFIXES } from './image-format.ts';
export { stopItkWasmWorker } from './itk-wasm-runner.ts';
