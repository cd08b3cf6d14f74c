import type { Deformation } from '../field/types.ts';
import { type PointArray, type Shape, vertexNormals } from '../shape/index.ts';
import { warpPoints } from './warp-points.ts';

/** Name of the per-point array that carries u(x) = φ(x) − x on a warped shape. */
export const DISPLACEMENT_ARRAY = 'displacement';

/**
 * A mesh or point set warped by φ (moving → fixed). Triangles, labels, masses, the source frame and every per-point
 * array are carried over unchanged; an array named 'displacement' (float32, spatialVector, LPS mm, so it changes sign
 * with the points on RAS output) is added — replacing an earlier one — holding u(x) at each original point, so that
 * original = warped − displacement.
 *
 * Mesh normals are recomputed on the warped surface (core/shape/normals.ts); point-set normals cannot be carried
 * without the Jacobian and are dropped. That holds for `normalsLps` and for a 3-component array named `Normals` (any
 * case) — how a VTK file's NORMALS section or Slicer's point data come in — which would otherwise keep pointing as
 * they did before the warp. Other spatial-vector arrays are carried unchanged (not re-oriented).
 */
export async function warpShape(shape: Shape, deformation: Deformation): Promise<Shape> {
  return displacedShape(shape, (await warpPoints(shape.pointsLps, deformation)).displacementsLps);
}

/** The shape with each point x moved to x + u(x), given the displacements u, carried as warpShape describes. */
export function displacedShape(shape: Shape, displacementsLps: Float64Array): Shape {
  const pointsLps = shape.pointsLps.map((v, i) => v + displacementsLps[i]);
  const meshTriangles = shape.triangles && shape.triangles.length > 0 ? shape.triangles : undefined;
  const arrays = shape.arrays
    .filter((a) => a.name !== DISPLACEMENT_ARRAY && !(isNormalsArray(a) && !meshTriangles))
    .map((a) => (isNormalsArray(a) && meshTriangles ? { ...a, values: vertexNormals(pointsLps, meshTriangles), spatialVector: true } : a));
  arrays.push({ name: DISPLACEMENT_ARRAY, components: 3, values: Float32Array.from(displacementsLps), spatialVector: true });
  const warped: Shape = { ...shape, pointsLps, arrays };
  if (shape.normalsLps) {
    if (shape.triangles && shape.triangles.length > 0) warped.normalsLps = vertexNormals(pointsLps, shape.triangles);
    else delete warped.normalsLps;
  }
  return warped;
}

/** A per-point array of vertex normals by its name, as VTK and Slicer name them. */
function isNormalsArray(a: PointArray): boolean {
  return a.components === 3 && a.name.toLowerCase() === 'normals';
}
