/**
 * Vertex error for shapes with known correspondence (same vertex count, vertex i of A ↔ vertex i of B, e.g. a
 * registered template against its target, or FreeSurfer white ↔ pial surfaces that share one triangulation):
 *   e_i = |a_i − b_i|   (mm)
 * summarised like landmark errors (summarizeErrors of landmark-error.ts: mean, median, population SD, p90, max).
 */
import type { Shape } from '../shape/index.ts';
import { landmarkErrors, summarizeErrors, type ErrorSummary } from './landmark-error.ts';

export interface VertexError {
  /** e_i = |a_i − b_i|, mm, per vertex. */
  perVertexMm: Float64Array;
  summary: ErrorSummary;
}

/** Per-vertex distances between corresponding vertices, and their summary. Throws when the counts differ. */
export function vertexError(a: Pick<Shape, 'pointsLps'>, b: Pick<Shape, 'pointsLps'>): VertexError {
  if (a.pointsLps.length !== b.pointsLps.length) {
    throw new RangeError(`vertex error needs corresponding vertices: ${a.pointsLps.length / 3} vs ${b.pointsLps.length / 3} vertices`);
  }
  const perVertexMm = landmarkErrors(a.pointsLps, b.pointsLps);
  return { perVertexMm, summary: summarizeErrors(perVertexMm) };
}
