/**
 * The typed arrays Monge keeps values in (ArrayValues: a shape's per-point data, an image's voxels) and the named
 * per-point array meshes and point sets carry (PointArray). Types only, and the lowest of core's folders: core/frames
 * converts PointArrays between frames, core/shape's Shape holds them and an image's voxels are ArrayValues.
 */
export type { ArrayValues, PointArray } from './types.ts';
