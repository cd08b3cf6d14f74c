import type { ImageLps } from '../image/index.ts';
import { decimateQem } from './decimate.ts';
import { marchingTetrahedra, type MaskSelector } from './marching-cubes.ts';
import { vertexAreaMass } from './mass.ts';
import { vertexNormals } from './normals.ts';
import { taubinSmooth } from './smooth.ts';
import { enclosedVolume } from './volume.ts';
import type { Shape } from './types.ts';
import { selectionProblem, selectionWords, type VoxelSelection } from './voxel-selection.ts';

/**
 * Mask or grey image → surface mesh: the closed iso-surface of the selected voxels (marching tetrahedra, see
 * marching-cubes.ts), optionally Taubin-smoothed (smooth.ts), then optionally decimated by quadric edge collapse
 * (decimate.ts), with area-weighted outward normals and per-vertex area mass (mm²). Smoothing comes before
 * decimation so that the quadrics see the anatomy rather than the voxel staircase.
 */

/** Which voxels (voxel-selection.ts); with a threshold the vertices are interpolated on the grey values. */
export interface ExtractSurfaceOptions extends VoxelSelection {
  /** Taubin λ|μ iterations (default 0: none). */
  smoothIterations?: number;
  /** Decimate to about this many vertices (default: keep all). */
  targetVertices?: number;
  /** Told when the result is doubtful (smoothing that melted the shape away). */
  onWarning?: (message: string) => void;
}

/**
 * Taubin smoothing keeps a shape's low frequencies, but a structure a few voxels across is all high frequency: under
 * many iterations it melts to a point (one voxel, 1,000 iterations: 1 mm → 10⁻¹⁴ mm). Losing more than this fraction
 * of the enclosed volume is reported; 5 iterations on a lung mask lose well under 1 %.
 */
const SMOOTHING_SHRINK_WARNING = 0.2;

/** The warning for smoothing that shrank the enclosed volume from `before` to `after` (mm³), if it did too much. */
function smoothingShrinkWarning(before: number, after: number, iterations: number): string | undefined {
  if (!(before > 0) || after >= (1 - SMOOTHING_SHRINK_WARNING) * before) return undefined;
  const lost = 100 * (1 - after / before);
  return (
    `smoothing (${iterations} iterations) shrank the surface's enclosed volume by ${lost.toFixed(0)} % (${before.toPrecision(3)} → ${after.toPrecision(3)} mm³): ` +
    'structures a few voxels across melt away under many iterations; use fewer smoothing iterations'
  );
}

/** The selection chose no voxel; the CLI maps it to exit code 3 (bad input). */
export class EmptyMaskError extends Error {
  override readonly name = 'EmptyMaskError';
}

/** The selector the options describe, and its wording for messages. */
function selectorOf(options: ExtractSurfaceOptions): { selector: MaskSelector; words: string } {
  const problem = selectionProblem(options);
  if (problem) throw new Error(problem);
  const { label, threshold } = options;
  const selector: MaskSelector = label !== undefined ? { kind: 'label', label } : threshold !== undefined ? { kind: 'threshold', threshold } : { kind: 'foreground' };
  return { selector, words: selectionWords(options) };
}

/** Extracts the surface of a labelled / thresholded image as a mesh Shape in LPS mm. */
export function extractSurface(image: ImageLps, options: ExtractSurfaceOptions = {}): Shape {
  const { selector, words } = selectorOf(options);
  const smoothIterations = options.smoothIterations ?? 0;
  if (!Number.isInteger(smoothIterations) || smoothIterations < 0) throw new Error(`smoothing iterations must be a non-negative integer (got ${smoothIterations})`);
  const target = options.targetVertices;
  if (target !== undefined && (!Number.isInteger(target) || target < 4)) throw new Error(`target vertex count must be an integer ≥ 4 (got ${target})`);

  const iso = marchingTetrahedra(image, selector);
  if (iso.foregroundVoxels === 0) throw new EmptyMaskError(`no foreground voxels (${words})`);
  let points = smoothIterations > 0 ? taubinSmooth(iso.pointsLps, iso.triangles, smoothIterations) : iso.pointsLps;
  if (smoothIterations > 0 && options.onWarning) {
    const warning = smoothingShrinkWarning(enclosedVolume(iso.pointsLps, iso.triangles), enclosedVolume(points, iso.triangles), smoothIterations);
    if (warning) options.onWarning(warning);
  }
  let triangles = iso.triangles;
  if (target !== undefined && points.length / 3 > target) {
    const d = decimateQem(points, triangles, target);
    points = d.points;
    triangles = d.triangles;
  }
  return {
    kind: 'mesh',
    pointsLps: points,
    triangles,
    normalsLps: vertexNormals(points, triangles),
    mass: vertexAreaMass(points, triangles),
    arrays: [],
    sourceFrame: 'LPS',
  };
}
