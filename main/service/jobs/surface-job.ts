/**
 * Job 'surface': a mask (or a grey image with a threshold) → a display surface, in a worker thread. The volume is
 * subsampled first when it has more than `maxVoxels` voxels (subsample-image.ts: same surface to the eye, a
 * fraction of the decimation time), then core/shape's extractSurface makes a closed, Taubin-smoothed surface,
 * decimated to `targetVertices`.
 */
import type { ImageLps } from '../../../core/image/index.ts';
import { readImage } from '../../../core/io/index.ts';
import { throwIfCancelled } from '../../../core/progress/index.ts';
import { extractSurface, taubinSmooth } from '../../../core/shape/index.ts';
import { displayShapeBuffers, toDisplayShape } from '../display-shape.ts';
import { strideFor, subsampleImage } from '../subsample-image.ts';
import type { JobContext, JobOutput } from './job-module.ts';

export interface SurfaceJobParams {
  /** The volume itself, or … */
  image?: ImageLps;
  /** … the file to read it from. */
  path?: string;
  targetVertices?: number;
  smoothIterations?: number;
  label?: number;
  threshold?: number;
  /** Taubin iterations after decimation (default 10). */
  postSmoothIterations?: number;
  /** Subsample volumes larger than this (default 2,000,000 voxels). */
  maxVoxels?: number;
}

export const DISPLAY_SURFACE_DEFAULTS = { targetVertices: 3000, smoothIterations: 20, postSmoothIterations: 10, maxVoxels: 2_000_000 } as const;

export async function run(params: unknown, { onProgress, signal }: JobContext): Promise<JobOutput> {
  const p = params as SurfaceJobParams;
  let image = p.image;
  if (!image) {
    if (typeof p.path !== 'string') throw new Error('surface job: give an image or a path');
    onProgress({ stage: 'reading the volume', fraction: 0 });
    image = await readImage(p.path);
  }
  throwIfCancelled(signal, 'reading the volume');
  const stride = strideFor(image.size, p.maxVoxels ?? DISPLAY_SURFACE_DEFAULTS.maxVoxels);
  onProgress({ stage: 'extracting the surface', fraction: 0.1 });
  const shape = extractSurface(subsampleImage(image, stride), {
    label: p.label,
    threshold: p.threshold,
    smoothIterations: p.smoothIterations ?? DISPLAY_SURFACE_DEFAULTS.smoothIterations,
    targetVertices: p.targetVertices ?? DISPLAY_SURFACE_DEFAULTS.targetVertices,
  });
  throwIfCancelled(signal, 'extracting the surface');
  // Quadric decimation keeps the voxel terraces that survive smoothing as sharp features; a few more Taubin
  // passes on the decimated mesh round them off (display only: volume-preserving, cheap at 3000 vertices).
  const smoothed = { ...shape, pointsLps: taubinSmooth(shape.pointsLps, shape.triangles ?? [], p.postSmoothIterations ?? DISPLAY_SURFACE_DEFAULTS.postSmoothIterations) };
  onProgress({ stage: 'extracting the surface', fraction: 1 });
  const display = toDisplayShape(smoothed);
  return { result: display, transfer: displayShapeBuffers(display) };
}
