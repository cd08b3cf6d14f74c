/**
 * Per-point distance arrays to attach to a shape for display or export, named as 3D Slicer's ModelToModelDistance
 * names its point data: "Absolute" = d(a, B) and "Signed" = ±d(a, B), positive outside B (only when B has
 * triangles). Float32, 1 component, one value per point of A, mm.
 */
import type { PointArray, Shape } from '../shape/index.ts';
import { directedDistances } from './directed-distance.ts';

/** ["Absolute", "Signed"] arrays of distances from the points of `a` to `b` ("Signed" only towards a surface). */
export function distanceArrays(a: Pick<Shape, 'pointsLps'>, b: Pick<Shape, 'pointsLps' | 'triangles'>): PointArray[] {
  const d = directedDistances(a, b, { signed: true });
  return distanceArraysOf(d.distanceMm, d.signedDistanceMm);
}

/** The same arrays from distances already measured (absolute, and signed when towards a surface). */
export function distanceArraysOf(distanceMm: ArrayLike<number>, signedDistanceMm?: ArrayLike<number>): PointArray[] {
  const arrays: PointArray[] = [{ name: 'Absolute', components: 1, values: Float32Array.from(distanceMm) }];
  if (signedDistanceMm) arrays.push({ name: 'Signed', components: 1, values: Float32Array.from(signedDistanceMm) });
  return arrays;
}
