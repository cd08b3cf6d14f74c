/**
 * Shapes: the surface mesh or point set Monge registers (types.ts: Shape, in LPS millimetres, with its per-point
 * arrays), the geometry of triangle meshes (normals, areas and masses, enclosed volume, topology, smoothing,
 * decimation), point sampling, and surfaces extracted from masks and label maps (marching tetrahedra), with the checks
 * that tell a volume fit to be a shape. The images it reads are core/image's ImageLps; core/io, above this folder,
 * reads and writes Shapes.
 */
export { boundsOf, pointCount, type Shape } from './types.ts';
export type { ArrayValues, PointArray } from '../arrays/index.ts';
export { subsetShape } from './subset-shape.ts';
export { triangleCrossInto, triangleUnitNormalInto } from './triangle-geometry.ts';
export { vertexNormals } from './normals.ts';
export { surfaceArea, triangleAreas, uniformMass, vertexAreaMass } from './mass.ts';
export { enclosedVolume } from './volume.ts';
export { connectedComponents, edgeUse, eulerCharacteristic, isClosed, isConsistentlyOriented, type Components, type EdgeUse } from './topology.ts';
export { vertexAdjacency, type VertexAdjacency } from './vertex-adjacency.ts';
export { taubinSmooth, type TaubinOptions } from './smooth.ts';
export { decimateQem, type DecimatedMesh } from './decimate.ts';
export { mulberry32 } from './prng.ts';
export { farthestPointSample, massProportionalSample, voxelGridSample } from './sampling.ts';
export { marchingTetrahedra, type IsoSurface, type MaskSelector } from './marching-cubes.ts';
export { EmptyMaskError, extractSurface, type ExtractSurfaceOptions } from './extract-surface.ts';
export { maskOfSelection, selectionProblem, selectionWords, type VoxelSelection } from './voxel-selection.ts';
export { GREY_IMAGE_REMEDY, greyVolumeProblem, vectorVolumeProblem } from './grey-volume.ts';
export { anatomicalDirection, fieldOfViewCuts, type FieldOfViewCut } from './field-of-view.ts';
export { valueRange } from './value-range.ts';
