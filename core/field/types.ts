import type { ImageLps } from '../image/index.ts';

/**
 * The deformation object of Monge's registration pipeline. Everything is in LPS millimetres.
 *
 * DIRECTION. Monge's registration estimates a map φ: MOVING space → FIXED space: the moving shape is warped onto the
 * fixed one, and its displacement at a moving point x is u(x) = φ(x) − x. That is the "forward" direction here:
 *
 *   evaluate(x)        = φ(x) − x           at moving-space points x   (warping meshes, point sets, landmarks)
 *   evaluateInverse(y) = φ⁻¹(y) − y         at fixed-space points y    (ITK's resampling direction)
 *
 * ITK, ANTs and 3D Slicer store the OPPOSITE direction in their files: a transform file or a displacement field maps
 * a point of the fixed (reference, output) image to the moving (input) image point whose value is pulled there —
 * the "resampling" convention (ITK Software Guide, §3.9 "Resampling"; Slicer calls it "TransformFromParent"). A
 * displacement field file therefore holds T(y) = φ⁻¹(y) − y on the FIXED image's grid, which is exactly what
 * `evaluateInverse` returns (core/field/sample-on-grid.ts samples it, core/field/export-displacement-field.ts writes it).
 */
export interface Deformation {
  /** What the deformation is made of (for reports). */
  readonly kind: DeformationKind;
  /**
   * Forward displacements u(x) = φ(x) − x at moving-space points `pointsLps` (interleaved xyz, mm): a new array of the
   * same length.
   */
  evaluate(pointsLps: Float64Array): Promise<Float64Array>;
  /**
   * Inverse displacements φ⁻¹(y) − y at fixed-space points `pointsLps`, with how well the inverse was found. Linear
   * maps and stored inverses are exact (residual 0); non-linear maps without a stored inverse are inverted by
   * fixed-point iteration (core/field/fixed-point-inverse.ts), whose residual |φ(x) − y| is reported.
   */
  evaluateInverse(pointsLps: Float64Array, options?: InversionOptions): Promise<InverseEvaluation>;
}

export type DeformationKind = 'affine' | 'kernel' | 'grid' | 'velocity' | 'composed' | 'inverted';

/** Options of the iterative inversion (core/field/fixed-point-inverse.ts). */
export interface InversionOptions {
  /** Stop a point once |φ(x) − y| ≤ this (mm); default 1e-4. */
  toleranceMm?: number;
  /** Iteration limit; default 100. */
  maxIterations?: number;
}

/** The result of evaluateInverse. */
export interface InverseEvaluation {
  /** φ⁻¹(y) − y at each query point, interleaved xyz (mm). */
  displacementsLps: Float64Array;
  /** Largest residual |φ(x) − y| over the points (mm); 0 for exact inverses. */
  maxResidualMm: number;
  /** Mean residual (mm). */
  meanResidualMm: number;
  /** Points whose residual stayed above the tolerance. */
  unconverged: number;
  /** Iterations used (0 for exact inverses). */
  iterations: number;
}

/** A vector function of LPS points (a velocity or displacement model): interleaved xyz in, interleaved xyz out. */
export type VectorFunctionLps = (pointsLps: Float64Array) => Promise<Float64Array>;

/**
 * A regular sampling grid in LPS: the geometry part of ImageLps (core/image/types.ts). Voxel (i, j, k) sits at
 * originLps + directionLps · diag(spacingMm) · (i, j, k).
 */
export type GridLps = Pick<ImageLps, 'size' | 'spacingMm' | 'originLps' | 'directionLps'>;

export type Vec3 = [number, number, number];
