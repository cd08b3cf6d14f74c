/**
 * Registration metrics: landmark error (TRE), vertex error, point-to-surface and point-to-point distances (signed
 * with angle-weighted pseudo-normals), chamfer and Hausdorff distances, and the bundled surface-distance report. Also
 * exported here: Jacobian determinant statistics (core/field, beside the Jacobian map they summarise) and value ranges
 * (core/shape).
 */
export { AabbTree, type NearestHit, type PrimitiveDistance } from './aabb-tree.ts';
export { chamferDistance, chamferFromDirected, meanOf } from './chamfer.ts';
export { closestPointOnTriangle, featureCorner, featureSide, TriangleFeature } from './closest-point-triangle.ts';
export { directedDistances, hasTriangles, type DirectedDistanceOptions, type DirectedDistances, type DistanceMethod } from './directed-distance.ts';
export { distanceArrays, distanceArraysOf } from './distance-arrays.ts';
export { directedPercentile, hausdorffDistance, hausdorffFromDirected, percentileHausdorffFromDirected, type HausdorffDistances } from './hausdorff.ts';
export { assertSameGrid, jacobianStats, type JacobianStats } from '../field/jacobian-stats.ts';
export { landmarkErrors, quantileSorted, summarizeErrors, type ErrorSummary } from './landmark-error.ts';
export { landmarkErrorsThroughField } from './landmark-error-through-field.ts';
export { valueRange } from '../shape/index.ts';
export { PointLocator, pointToPointsDistance, type PointToPointsResult } from './point-to-points.ts';
export {
  pointToSurfaceDistance,
  SurfaceLocator,
  type PointToSurfaceOptions,
  type PointToSurfaceResult,
  type SurfaceHit,
  type TriangleSurface,
} from './point-to-surface.ts';
export { pseudoNormals, type PseudoNormals } from './pseudo-normals.ts';
export {
  summarizeAbsolute,
  summarizeSigned,
  surfaceDistanceReport,
  type AbsoluteDistanceSummary,
  type DirectedDistanceSummary,
  type SignedDistanceSummary,
  type SurfaceDistanceReport,
} from './surface-distance-report.ts';
export { vertexError, type VertexError } from './vertex-error.ts';
