/**
 * Opening a finished `monge register` output folder (layout: core/registration/types.ts REGISTRATION_OUTPUTS) for
 * the viewer: the warped shape with its displacement and confidence, the shape after each step, the inputs the
 * report names (or the surfaces extracted from volume inputs), landmarks with their errors, the metrics table,
 * and, for volume inputs, slices of the fixed image with the moving image resampled through the field.
 *
 * Only the warped shape is required; anything else that is missing or unreadable becomes a warning, so a partial
 * folder is still shown; the registration's own warnings (report.json) come first, marked `registration:`.
 * Display-only extras are computed here: the distance of each shape to the fixed surface (`surface_distance`)
 * and, where the pipeline did not store one, the displacement from the moving shape.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type { Frame } from '../../core/frames/index.ts';
import { looksLikeMask } from '../../core/image/index.ts';
import { imageFormatOf } from '../../core/io/images/image-format.ts';
import { readImage } from '../../core/io/images/read-image.ts';
import { InputError, readShape } from '../../core/io/index.ts';
import { meshCodecFor } from '../../core/io/meshes/index.ts';
import { pointCodecFor } from '../../core/io/points/index.ts';
import { landmarkErrors } from '../../core/metrics/landmark-error.ts';
import { FIELD_FORMATS, REGISTRATION_OUTPUTS, SHAPE_PHASE_NAMES, type ShapePhaseName } from '../../core/registration/types.ts';
import { readWarpedLandmarks } from '../../core/registration/warped-landmarks.ts';
import type { Shape } from '../../core/shape/index.ts';
import { RESULTS_FOLDER_ERROR, type DisplayShape, type ResultSlices, type ResultsPayload } from './api.ts';
import { displayArray, toDisplayShape } from './display-shape.ts';
import { LinearSampler } from './image-sampler.ts';
import { readReportFile } from '../../core/registration/report-file.ts';
import { reportInputs, reportLandmarksFrame, reportView, reportWarnings, reportWarpedLandmarksRun } from './report-view.ts';
import { SharedArrays } from './shared-arrays.ts';
import { densestIndices, extractSlices, resampleOnSlices } from './slices.ts';
import { SurfaceLocator } from '../../core/metrics/point-to-surface.ts';


const isShapeFile = (name: string): boolean => meshCodecFor(name) !== undefined || pointCodecFor(name) !== undefined;

/** The file in `names` called `<stem>.<a shape extension>`, if any. */
function shapeFileNamed(names: string[], stem: string): string | undefined {
  return names.find((n) => n.startsWith(`${stem}.`) && isShapeFile(n));
}

/** Per-vertex displacement (LPS mm) from `from` to `to` when they have the same vertex count. */
function displacementBetween(from: Shape, to: Shape): Float32Array | undefined {
  if (from.pointsLps.length !== to.pointsLps.length) return undefined;
  const d = new Float32Array(to.pointsLps.length);
  for (let i = 0; i < d.length; i++) d[i] = to.pointsLps[i] - from.pointsLps[i];
  return d;
}

/**
 * The arrays the results view colours by (renderer: Color by). The files' other arrays (Normals, which the view
 * computes itself; ModelToModelDistance's Signed / Absolute) stay in the files and out of the payload.
 */
const SHOWN_ARRAYS: ReadonlySet<string> = new Set(['displacement', 'confidence', 'surface_distance']);

/**
 * Each vertex's distance to the fixed surface, queried once per distinct point set: the last step's shape is the
 * warped shape, whose 100 k vertices (copd1) were queried twice.
 */
class SurfaceDistances {
  private readonly byPoints = new Map<Float32Array, Float32Array>();
  constructor(private readonly locator: SurfaceLocator) {}

  /** `shared` is the display points as SharedArrays returned them: equal point sets are one object. */
  of(shape: Shape, shared: Float32Array): Float32Array {
    let d = this.byPoints.get(shared);
    if (!d) this.byPoints.set(shared, (d = Float32Array.from(this.locator.query(shape.pointsLps).distanceMm)));
    return d;
  }
}

/**
 * The display form of a result shape, with displacement (when missing) and surface distance added, its arrays those
 * the view shows, and each array that equals one of an earlier shape the same object (shared-arrays.ts).
 */
function resultShape(shape: Shape, moving: Shape | undefined, distances: SurfaceDistances | undefined, shared: SharedArrays): DisplayShape {
  const display = toDisplayShape(shape);
  const pointsLps = shared.share(display.pointsLps);
  const arrays = display.arrays.filter((a) => SHOWN_ARRAYS.has(a.name));
  if (moving && !arrays.some((a) => a.name === 'displacement')) {
    const d = displacementBetween(moving, shape);
    if (d) arrays.push(displayArray('displacement', 3, d, true));
  }
  if (distances) arrays.push(displayArray('surface_distance', 1, distances.of(shape, pointsLps)));
  return { ...display, pointsLps, triangles: shared.share(display.triangles), arrays: arrays.map((a) => ({ ...a, values: shared.share(a.values) })) };
}

export interface ResultsReadOptions {
  /** Compute the slices of volume inputs (default true). */
  slices?: boolean;
}

/** True for the files that name their results folder when opened or dropped: its report.json and warped shape. */
const isFolderOutput = (name: string): boolean => name === REGISTRATION_OUTPUTS.report || shapeFileNamed([name], REGISTRATION_OUTPUTS.warped) !== undefined;

/**
 * True when `path` is a folder that `monge register` wrote (its warped shape or report.json is there), so that
 * opening it as an input shape is a mistake the user interface can mend by opening it as results instead.
 */
export async function isResultsFolder(path: string): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isDirectory()) return false;
  const names = await readdir(path).catch(() => [] as string[]);
  return names.some(isFolderOutput);
}

/**
 * Thrown where a results folder is opened as an input shape; `name` crosses the service boundary
 * (RESULTS_FOLDER_ERROR), so the renderer can open the folder as results.
 */
export class ResultsFolderError extends Error {
  override readonly name = RESULTS_FOLDER_ERROR;
  constructor(readonly file: string) {
    super(`${file}: is a Monge results folder, not a shape: open it with Open results…`);
  }
}

/**
 * Reads a results folder. A path to its report.json or warped shape opens the folder holding it (what a user drops
 * or picks when a dialog shows files).
 */
export async function readResultsFolder(dirPath: string, options: ResultsReadOptions = {}): Promise<ResultsPayload> {
  const given = resolve(dirPath);
  const givenInfo = await stat(given).catch(() => undefined);
  if (!givenInfo) throw new InputError(given, 'not-found', 'no such folder');
  const dir = givenInfo.isDirectory() ? given : isFolderOutput(basename(given)) ? dirname(given) : undefined;
  if (dir === undefined) throw new InputError(given, 'unsupported', 'is a file; open the output folder of `monge register`');
  const names = (await readdir(dir)).sort();
  const stepNames = await readdir(join(dir, REGISTRATION_OUTPUTS.stepsDir)).catch(() => [] as string[]);
  const files = [...names, ...stepNames.map((n) => `${REGISTRATION_OUTPUTS.stepsDir}/${n}`)];
  const warnings: string[] = [];

  const warpedName = shapeFileNamed(names, REGISTRATION_OUTPUTS.warped);
  if (!warpedName) throw new InputError(dir, 'malformed', 'has no warped shape (warped.<ext>): not a `monge register` output folder');

  let report: unknown;
  if (names.includes(REGISTRATION_OUTPUTS.report)) {
    try {
      report = await readReportFile(join(dir, REGISTRATION_OUTPUTS.report));
    } catch (error) {
      warnings.push(`${REGISTRATION_OUTPUTS.report} could not be read: ${(error as Error).message}`);
    }
  } else {
    warnings.push(`no ${REGISTRATION_OUTPUTS.report} in the folder: no metrics to show`);
  }
  for (const w of reportWarnings(report)) warnings.push(`registration: ${w}`);
  const inputs = reportInputs(report);
  const inputPath = (p: string | undefined): string | undefined => (p === undefined ? undefined : isAbsolute(p) ? p : resolve(dir, p));
  const landmarksFrame = reportLandmarksFrame(report);

  /** Runs a read of `path`, turning a failure into a warning. */
  const attempt = async (read: () => Promise<Shape>, path: string, what: string): Promise<Shape | undefined> => {
    try {
      return await read();
    } catch (error) {
      warnings.push(`the ${what} (${basename(path)}) could not be read: ${(error as Error).message}`);
      return undefined;
    }
  };
  /** Reads a shape, turning a failure into a warning. */
  const tryRead = async (path: string | undefined, what: string, assumeFrame?: Frame, prefix?: string): Promise<Shape | undefined> =>
    path === undefined ? undefined : attempt(() => readShape(path, { ...(assumeFrame ? { assumeFrame } : {}), ...(prefix ? { prefix } : {}) }), path, what);
  /** An input shape: the surface the pipeline extracted from a volume, else the mesh the report names. */
  const inputShape = async (surfaceName: string, path: string | undefined, what: string): Promise<Shape | undefined> => {
    if (names.includes(surfaceName)) return tryRead(join(dir, surfaceName), what);
    if (path !== undefined && isShapeFile(path)) return tryRead(path, what);
    if (path === undefined) warnings.push(`the report names no ${what}`);
    return undefined;
  };

  const warped = await readShape(join(dir, warpedName));
  const moving = await inputShape(REGISTRATION_OUTPUTS.movingSurface, inputPath(inputs.moving), 'moving shape');
  const fixed = await inputShape(REGISTRATION_OUTPUTS.fixedSurface, inputPath(inputs.fixed), 'fixed shape');
  const distances = fixed?.triangles && fixed.triangles.length > 0 ? new SurfaceDistances(SurfaceLocator.build({ pointsLps: fixed.pointsLps, triangles: fixed.triangles })) : undefined;

  const shared = new SharedArrays();
  const movingDisplay = moving ? resultShape(moving, undefined, distances, shared) : undefined;
  const steps: { step: ShapePhaseName; shape: DisplayShape }[] = [];
  for (const step of SHAPE_PHASE_NAMES) {
    const name = shapeFileNamed(stepNames, step);
    if (!name) continue;
    const shape = await tryRead(join(dir, REGISTRATION_OUTPUTS.stepsDir, name), `${step} step shape`);
    if (shape) steps.push({ step, shape: resultShape(shape, moving, distances, shared) });
  }

  // Landmark files holding several point sets (DIR-Lab's exp_* / insp_* CSV) are read with the prefixes the run used.
  const movingLandmarks = await tryRead(inputPath(inputs.movingLandmarks), 'moving landmarks', landmarksFrame, inputs.movingLandmarksPrefix);
  const fixedLandmarks = await tryRead(inputPath(inputs.fixedLandmarks), 'fixed landmarks', landmarksFrame, inputs.fixedLandmarksPrefix);
  const warpedLandmarks = names.includes(REGISTRATION_OUTPUTS.landmarksWarped)
    ? await attempt(() => readWarpedLandmarks(dir, reportWarpedLandmarksRun(report)), REGISTRATION_OUTPUTS.landmarksWarped, 'warped landmarks')
    : undefined;
  const errorsFrom = warpedLandmarks ?? movingLandmarks;
  let errorsMm: Float32Array | undefined;
  if (errorsFrom && fixedLandmarks) {
    try {
      errorsMm = Float32Array.from(landmarkErrors(errorsFrom.pointsLps, fixedLandmarks.pointsLps));
    } catch (error) {
      warnings.push(`landmark errors: ${(error as Error).message}`);
    }
  }

  const fieldFormat = FIELD_FORMATS.find((f) => names.includes(`${REGISTRATION_OUTPUTS.field}.${f}`));
  let slices: ResultSlices | undefined;
  const movingImage = inputPath(inputs.moving);
  const fixedImage = inputPath(inputs.fixed);
  if (options.slices !== false && movingImage && fixedImage && imageFormatOf(movingImage) && imageFormatOf(fixedImage)) {
    try {
      slices = await resultSlices(movingImage, fixedImage, fieldFormat ? join(dir, `${REGISTRATION_OUTPUTS.field}.${fieldFormat}`) : undefined);
    } catch (error) {
      warnings.push(`slices of the input volumes: ${(error as Error).message}`);
    }
  }

  return {
    dir,
    warped: resultShape(warped, moving, distances, shared),
    ...(movingDisplay ? { moving: movingDisplay } : {}),
    ...(fixed ? { fixed: toDisplayShape(fixed) } : {}),
    steps,
    landmarks: {
      ...(movingLandmarks ? { moving: toDisplayShape(movingLandmarks) } : {}),
      ...(fixedLandmarks ? { fixed: toDisplayShape(fixedLandmarks) } : {}),
      ...(warpedLandmarks ? { warped: toDisplayShape(warpedLandmarks) } : {}),
      ...(errorsMm ? { errorsMm } : {}),
    },
    ...(slices ? { slices } : {}),
    ...(report !== undefined ? { report: reportView(report) } : {}),
    files,
    ...(fieldFormat ? { fieldFormat } : {}),
    inputNames: {
      ...(inputs.moving !== undefined ? { moving: basename(inputs.moving) } : {}),
      ...(inputs.fixed !== undefined ? { fixed: basename(inputs.fixed) } : {}),
    },
    warnings,
  };
}

/** Fixed slices, and the moving image on them (x ↦ moving(x + u(x)) through the field when there is one). */
async function resultSlices(movingPath: string, fixedPath: string, fieldPath: string | undefined): Promise<ResultSlices> {
  const [movingImage, fixedImage] = await Promise.all([readImage(movingPath), readImage(fixedPath)]);
  const fixed = extractSlices(fixedImage, looksLikeMask(fixedImage.data) ? densestIndices(fixedImage) : undefined);
  let map: ((p: Float64Array) => void) | undefined;
  if (fieldPath) {
    const field = await readImage(fieldPath);
    if (field.components !== 3) throw new InputError(fieldPath, 'malformed', `a displacement field has 3 components, this one ${field.components}`);
    const sampler = new LinearSampler(field, 0);
    const u = new Float64Array(3);
    map = (p) => {
      sampler.sampleInto(p[0], p[1], p[2], u);
      p[0] += u[0];
      p[1] += u[1];
      p[2] += u[2];
    };
  }
  return { fixed, moving: resampleOnSlices(fixed, movingImage, map), warpedThroughField: map !== undefined };
}
