/**
 * Image I/O: 3-D volumes (masks, label maps, CT/MR, displacement fields) with their LPS geometry, read and written
 * through itk-wasm in an isolated worker. See read-image.ts and write-image.ts; the image they read into (ImageLps)
 * and its geometry are core/image's, re-exported here.
 */
export type { ImageFormat } from './image-format.ts';
export type { ImageLps } from '../../image/index.ts';
export { readImage, type ReadImageOptions, type ReadImageResult } from './read-image.ts';
export { writeImage, type WriteImageOptions } from './write-image.ts';
export { indexToLps, lpsToContinuousIndex, voxelToLpsMatrix, worldBoundsLps, indexToLpsLinear } from '../../image/index.ts';
export { imageFormatOf, IMAGE_SUFFIXES, WRITABLE_IMAGE_SUFFIXES } from './image-format.ts';
export { stopItkWasmWorker } from './itk-wasm-runner.ts';
