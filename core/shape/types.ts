import type { PointArray } from '../arrays/index.ts';
import type { Frame } from '../frames/index.ts';

/**
 * A surface mesh or a point set, in millimetres, in LPS.
 * Points are Float64 so that float32 and float64 files both round-trip exactly.
 */
export interface Shape {
  kind: 'mesh' | 'points';
  /** Vertex coordinates, mm, LPS, interleaved xyz. */
  pointsLps: Float64Array;
  /** Triangles as interleaved vertex indices (0-based); absent for point sets. */
  triangles?: Uint32Array;
  /** Unit vertex normals, LPS, interleaved xyz. */
  normalsLps?: Float32Array;
  /** Per-point mass (e.g. the area share of each vertex in mm², or vessel-radius weights). */
  mass?: Float64Array;
  /** Named per-point arrays. Spatial vectors among them are LPS. */
  arrays: PointArray[];
  /** Per-point labels (landmark names), when the source file has them. */
  labels?: string[];
  /** The frame the source file was in; writers write back in this frame unless told otherwise. */
  sourceFrame: Frame;
  /** What the surface is of, where its file says (GIfTI) or its name does (FreeSurfer's lh.white …); kept when it is warped. */
  anatomy?: SurfaceAnatomy;
}

/**
 * The anatomy a surface outlines, in GIfTI's pointset MetaData terms (GIfTI 1.0 §2.3.3; the values Workbench and
 * FreeSurfer's mris_convert use): AnatomicalStructurePrimary (CortexLeft, CortexRight, Cerebellum …),
 * AnatomicalStructureSecondary (GrayWhite, Pial, MidThickness) and GeometricType (Anatomical, Inflated, Sphere …).
 * Connectome Workbench places a surface by it; without it a warped lh.white.gii is a surface of no hemisphere.
 */
export interface SurfaceAnatomy {
  structurePrimary?: string;
  structureSecondary?: string;
  geometricType?: string;
}

/** Number of points of a shape. */
export function pointCount(shape: Pick<Shape, 'pointsLps'>): number {
  return shape.pointsLps.length / 3;
}

/** Axis-aligned bounds [xmin, xmax, ymin, ymax, zmin, zmax] of interleaved xyz (VTK's order). */
export function boundsOf(xyz: ArrayLike<number>): [number, number, number, number, number, number] {
  const b: [number, number, number, number, number, number] = [Infinity, -Infinity, Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < xyz.length; i += 3) {
    for (let c = 0; c < 3; c++) {
      const v = xyz[i + c];
      if (v < b[2 * c]) b[2 * c] = v;
      if (v > b[2 * c + 1]) b[2 * c + 1] = v;
    }
  }
  return b;
}
