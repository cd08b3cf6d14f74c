/**
 * A registration applied to a file: an image, a mask or label map, a mesh, a point set or landmarks, carried through
 * a displacement field in ITK's resampling convention (T on the fixed grid: y + T(y) is the moving-space point of
 * fixed-space y) — a `monge register` output folder's field.<fmt>, or a field ANTs, ITK or Slicer wrote.
 *
 * Moving → fixed (default):
 *  - images are pulled onto a fixed grid (the field's, or a reference image's): out(y) = INPUT(y + T(y)), ITK's
 *    ResampleImageFilter / antsApplyTransforms, 0 outside INPUT;
 *  - points x are pushed to the y with y + T(y) = x, the field inverted by fixed-point iteration
 *    (core/field/fixed-point-inverse.ts), as `register` warps its own shape and landmarks.
 * Fixed → moving (`inverse`): points go to y + T(y); images are pulled onto a moving-space grid through φ — looked up
 * in the folder's inverse field (`register --inverse-field`: φ − id on the moving grid, whose grid is then the default
 * one) when there is one, else the field inverted at each voxel of a reference grid. Outside a field's grid its
 * displacement is 0 (ITK's rule, core/field/grid-sampler.ts).
 */
import type { Frame } from '../frames/index.ts';
import { GridDisplacement } from '../field/grid-displacement.ts';
import { GridSampler } from '../field/grid-sampler.ts';
import { gridOfImage, gridPointsLps, gridVoxelCount } from '../field/grid.ts';
import { deformationFromItkField } from '../field/inverted.ts';
import type { Deformation, GridLps } from '../field/types.ts';
import { looksLikeMask, type ImageLps } from '../image/index.ts';
import { InputError } from '../io/errors.ts';
import { imageFormatOf, isWritableImagePath, WRITABLE_IMAGE_SUFFIXES } from '../io/images/image-format.ts';
import { readImage } from '../io/images/read-image.ts';
import { writeImage } from '../io/images/write-image.ts';
import { inputKindOf, readShape, writeShape, type InputKind } from '../io/index.ts';
import { dirLabOutputProblem, pointCodecFor } from '../io/points/index.ts';
import type { ProgressOptions } from '../progress/index.ts';
import type { Shape } from '../shape/index.ts';
import { inverseFieldIn, readInverseFieldIn, readItkField, type ItkFieldFile } from './field-file.ts';
import { warpImage, type ImageInterpolation } from './warp-image.ts';
import { displacedShape } from './warp-shape.ts';

export interface ApplyFieldRequest {
  /** The file to carry: an image (volume formats, DICOM folder), a mesh, a point set or landmarks. */
  input: string;
  /** A `monge register` output folder, or a displacement field file (.nii.gz .nrrd .mha …). */
  field: string;
  /** Written atomically: an image format for an image input, a mesh or point format otherwise. */
  output: string;
  /** Fixed → moving instead of moving → fixed. */
  inverse?: boolean;
  /**
   * Images: the output grid's image (default the field's grid, or with `inverse` the inverse field's; required with
   * `inverse` when FIELD has no inverse field).
   */
  reference?: string;
  /** Images: 'auto' (default) is nearest for masks and label maps (looksLikeMask), trilinear otherwise. */
  interpolation?: ImageInterpolation | 'auto';
  /** Frame of a mesh or point file that declares none. */
  assumeFrame?: Frame;
  /** CSV column prefix (`<prefix>_x, …`) of a point file. */
  prefix?: string;
  /** Frame to write a mesh or point set in (default: the input's). */
  frame?: Frame;
}

export interface ApplyFieldResult {
  input: string;
  output: string;
  /** The field file used: FIELD's field.<fmt> (or the file given), or its inverse_field.<fmt>. */
  field: string;
  direction: 'moving-to-fixed' | 'fixed-to-moving';
  kind: InputKind;
  /** Images: the interpolation used. */
  interpolation?: ImageInterpolation;
  /** Points, or voxels of the output grid. */
  count: number;
  /**
   * Points, or output voxels of a moving → fixed image warp, whose fixed-space position lies outside the field's grid,
   * where T is 0; not counted for fixed → moving image warps (it would take φ at every voxel again).
   */
  outsideField?: number;
  /** Images: output voxels whose source point lies outside INPUT, which are given 0. */
  outsideInput?: number;
  /** Largest residual |y + T(y) − x| where the field was inverted (mm), and the points or voxels above 1e-4 mm. */
  maxInversionResidualMm: number;
  unconverged: number;
  seconds: number;
  /** What reading the input, reference and field files warned of, each naming its file (readImage's warnings). */
  warnings: string[];
}

/** What is wrong with the request's combination of input, output and options, before any work; undefined if nothing. */
export async function applyFieldProblem(request: ApplyFieldRequest): Promise<string | undefined> {
  const kind = await inputKindOf(request.input);
  if (kind === undefined) return undefined; // the input itself is the problem: applyField reports it as an InputError
  if (kind === 'image' && !isWritableImagePath(request.output)) return `${request.output}: an image is written as ${WRITABLE_IMAGE_SUFFIXES.join(', ')}`;
  if (kind !== 'image' && imageFormatOf(request.output)) return `${request.output}: a ${kind === 'mesh' ? 'mesh' : 'point set'} cannot be written as an image`;
  if (kind === 'image' && request.inverse && !request.reference && !(await inverseFieldIn(request.field))) {
    return 'an image warped fixed → moving needs the registration\'s inverse field (register --inverse-field, or Parameters › Inverse field in the app) or a reference image for the moving grid (--reference)';
  }
  if (kind !== 'image' && request.reference) return 'a reference image (--reference) applies to image inputs only';
  // DIR-Lab text holds CT voxel indices, which need the CT's spacing that warp is not given: refused before the work.
  return dirLabOutputProblem(request.output);
}

/** Voxel centres of `grid` outside the field's grid, a slab at a time (a CT grid's points would not fit at once). */
function countGridOutside(field: ImageLps, grid: GridLps): number {
  const sampler = new GridSampler(field);
  const n = gridVoxelCount(grid);
  const slab = 1 << 18;
  let outside = 0;
  for (let start = 0; start < n; start += slab) outside += sampler.countOutside(gridPointsLps(grid, start, Math.min(slab, n - start)));
  return outside;
}

/** What applyToImage / applyToShape return; applyFieldWith adds the request's side. */
type Applied = Pick<ApplyFieldResult, 'kind' | 'interpolation' | 'count' | 'outsideField' | 'outsideInput' | 'maxInversionResidualMm' | 'unconverged' | 'warnings'>;

/** An image through the loaded field, on the reference's grid or the field's own. */
async function applyToImage(request: ApplyFieldRequest, loaded: ItkFieldFile, options: ProgressOptions): Promise<Applied> {
  const inverse = request.inverse ?? false;
  const [image, reference] = await Promise.all([readImage(request.input), request.reference ? readImage(request.reference) : undefined]);
  const mode = request.interpolation ?? 'auto';
  const interpolation: ImageInterpolation = mode === 'auto' ? (looksLikeMask(image.data) ? 'nearest' : 'linear') : mode;
  // warpImage pulls through the deformation's inverse: the loaded file's lookup when its grid lies in the output's
  // space (T for moving → fixed, the inverse field for fixed → moving), else T inverted by fixed-point iteration.
  const lookup = loaded.space === (inverse ? 'moving' : 'fixed');
  const deformation: Deformation = lookup ? deformationFromItkField(loaded.field) : new GridDisplacement(loaded.field, 'zero');
  // Without a reference: the loaded file's grid (applyFieldProblem requires a reference when it lies in the other space).
  const grid = gridOfImage(reference ?? loaded.field);
  const warped = await warpImage(image, grid, deformation, { interpolation, ...options });
  // A cancel during the write (seconds for a CT) publishes nothing, rather than the output and a success.
  await writeImage(request.output, warped.image, { signal: options.signal });
  return {
    kind: 'image',
    interpolation,
    count: gridVoxelCount(grid),
    ...(inverse ? {} : { outsideField: reference ? countGridOutside(loaded.field, grid) : 0 }),
    outsideInput: warped.outsideMoving,
    maxInversionResidualMm: warped.maxResidualMm,
    unconverged: warped.unconverged,
    warnings: [...image.warnings, ...(reference?.warnings ?? [])],
  };
}

/** A mesh, point set or landmark file through T (a field on the fixed grid). */
async function applyToShape(request: ApplyFieldRequest, field: ImageLps): Promise<Applied> {
  const shape: Shape = await readShape(request.input, { assumeFrame: request.assumeFrame, prefix: request.prefix });
  const grid = new GridDisplacement(field, 'zero');
  let displacements: Float64Array;
  let maxInversionResidualMm = 0;
  let unconverged = 0;
  if (request.inverse) displacements = grid.sample(shape.pointsLps);
  else ({ displacementsLps: displacements, maxResidualMm: maxInversionResidualMm, unconverged } = await grid.evaluateInverse(shape.pointsLps));
  // Point files keep their columns and labels (as register's landmarks_warped.csv); meshes gain the displacement array.
  const keepColumns = shape.kind === 'points' && pointCodecFor(request.output) !== undefined;
  const warped = keepColumns ? { ...shape, pointsLps: shape.pointsLps.map((v, i) => v + displacements[i]) } : displacedShape(shape, displacements);
  await writeShape(request.output, warped, { frame: request.frame, ...(keepColumns ? { source: { path: request.input, prefix: request.prefix } } : {}) });
  const fixedSide = request.inverse ? shape.pointsLps : warped.pointsLps;
  return { kind: shape.kind, count: shape.pointsLps.length / 3, outsideField: new GridSampler(field).countOutside(fixedSide), maxInversionResidualMm, unconverged, warnings: [] };
}

/**
 * Carries `request.input` (of `kind`) through a field already read — what `register --apply` does with the field it
 * has just written, for every file — without applyField's checks. Shapes need T (`loaded.space` 'fixed').
 */
export async function applyFieldWith(request: ApplyFieldRequest, kind: InputKind, loaded: ItkFieldFile, options: ProgressOptions = {}): Promise<ApplyFieldResult> {
  const started = performance.now();
  if (kind !== 'image' && loaded.space !== 'fixed') throw new RangeError('meshes and points are carried through the field on the fixed grid');
  const result = kind === 'image' ? await applyToImage(request, loaded, options) : await applyToShape(request, loaded.field);
  return {
    input: request.input,
    output: request.output,
    field: loaded.path,
    direction: request.inverse ? 'fixed-to-moving' : 'moving-to-fixed',
    ...result,
    seconds: (performance.now() - started) / 1000,
    warnings: [...loaded.warnings, ...result.warnings],
  };
}

/** What a result counts: voxels, vertices or points. */
export function appliedUnit(result: Pick<ApplyFieldResult, 'kind'>): string {
  return result.kind === 'image' ? 'voxels' : result.kind === 'mesh' ? 'vertices' : 'points';
}

/** The warning for points or voxels beyond the field's grid, which stay where they are; undefined where there are none. */
export function outsideFieldWarning(result: Pick<ApplyFieldResult, 'kind' | 'count' | 'outsideField'>): string | undefined {
  if (!result.outsideField) return undefined;
  return `${result.outsideField} of ${result.count} ${appliedUnit(result)} lie outside the field's grid, where it is 0 (ITK's rule): they are not moved`;
}

/**
 * The warning for an image none of whose output voxels found INPUT where the field sent them: the output is all 0,
 * which only happens when the field belongs to another image (another scan or patient), or INPUT lies in the other
 * space. Undefined otherwise.
 */
export function outsideInputWarning(result: Pick<ApplyFieldResult, 'kind' | 'count' | 'outsideInput' | 'direction'>): string | undefined {
  if (result.kind !== 'image' || result.outsideInput === undefined || result.count === 0 || result.outsideInput < result.count) return undefined;
  const other = result.direction === 'moving-to-fixed' ? 'the fixed space (then use --inverse)' : 'the moving space (then leave out --inverse)';
  return `every one of the ${result.count} output voxels maps outside the input image, so the output is all 0: the field belongs to another scan or patient, or the input lies in ${other}`;
}

/** Carries `request.input` through the field into `request.output` (see the module comment). */
export async function applyField(request: ApplyFieldRequest, options: ProgressOptions = {}): Promise<ApplyFieldResult> {
  const problem = await applyFieldProblem(request);
  if (problem) throw new RangeError(problem);
  const kind = await inputKindOf(request.input);
  if (kind === undefined) throw new InputError(request.input, 'unsupported', 'not a file format Monge knows (see `monge --help` for the list)');
  options.onProgress?.({ stage: 'reading', fraction: 0 });
  // One field is read: a fixed → moving image goes through the folder's inverse field when it has one, the rest
  // through T.
  const loaded = (kind === 'image' && request.inverse ? await readInverseFieldIn(request.field) : undefined) ?? (await readItkField(request.field));
  return applyFieldWith(request, kind, loaded, options);
}
