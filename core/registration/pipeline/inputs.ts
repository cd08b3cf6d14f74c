/**
 * The pipeline's inputs, read and checked: a moving and a fixed shape (meshes or point sets as they are; masks
 * and label maps turned into surfaces, keeping the volume for interior points and the field grid), optional
 * landmarks, and the SHA-256 of every input file for the report.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Frame } from '../../frames/index.ts';
import type { ImageLps } from '../../image/index.ts';
import { InputError } from '../../io/errors.ts';
import { isFolderClutter } from '../../io/folder-clutter.ts';
import type { PresetName } from '../types.ts';
import { inputKindOf, readAny, type InputKind } from '../../io/index.ts';
import { readPoints } from '../../io/points/index.ts';
import {
  boundsOf,
  EmptyMaskError,
  extractSurface,
  GREY_IMAGE_REMEDY,
  greyVolumeProblem,
  maskOfSelection,
  selectionWords,
  type Shape,
  uniformMass,
  vectorVolumeProblem,
  vertexAreaMass,
  vertexNormals,
  type VoxelSelection,
} from '../../shape/index.ts';
import { blockAverage, foregroundCount } from '../clouds/mask-volume.ts';
import { appliedFileName } from '../../warp/applied-name.ts';
import type { SurfacePreset } from './presets.ts';

/** One shape input, ready for the pipeline. */
export interface PreparedInput {
  path: string;
  kind: 'mesh' | 'points' | 'image';
  /** The shape registered: the input mesh / point set, or the surface extracted from a volume. */
  shape: Shape;
  /** The volume, for volume inputs: the selected voxels as a 0 / 1 mask when a label or threshold was given. */
  image?: ImageLps;
  sha256: string;
  /** What reading the file warned of, each naming it (readImage's warnings; none for meshes and point sets). */
  warnings: string[];
}

/**
 * SHA-256 of a file, or of a folder's files (sorted names, each name then its bytes), hex. A folder's hidden files
 * and Explorer's Thumbs.db / desktop.ini (isFolderClutter) are left out: no reader reads them, and a file browser
 * adds them to folders the user only opened.
 */
export async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  const info = await stat(path);
  const files = info.isDirectory() ? (await readdir(path)).filter((n) => !isFolderClutter(n)).sort().map((n) => join(path, n)) : [path];
  for (const f of files) {
    if (info.isDirectory()) {
      if (!(await stat(f)).isFile()) continue;
      hash.update(f.slice(path.length + 1));
    }
    await new Promise<void>((resolve, reject) => {
      createReadStream(f)
        .on('data', (chunk) => hash.update(chunk))
        .on('end', () => resolve())
        .on('error', reject);
    });
  }
  return hash.digest('hex');
}

/** Surface of a mask / label map (foreground > 0), as the preset asks: block average, 0.5 iso-surface, smoothing. */
export function surfaceOfVolume(image: ImageLps, path: string, preset: SurfacePreset): Shape {
  const vector = vectorVolumeProblem(image);
  if (vector !== undefined) throw new InputError(path, 'unsupported', vector);
  if (foregroundCount(image) === 0) throw new InputError(path, 'empty', 'the mask is empty (no voxel > 0): nothing to register');
  try {
    if (preset.blockFactor > 1) {
      const coarse = blockAverage(image, preset.blockFactor);
      return extractSurface(coarse, { threshold: 0.5, smoothIterations: preset.smoothIterations });
    }
    return extractSurface(image, { smoothIterations: preset.smoothIterations });
  } catch (e) {
    if (e instanceof EmptyMaskError) throw new InputError(path, 'empty', `no surface: ${e.message}`);
    throw e;
  }
}

/**
 * Reads one shape input. A volume's shape is its voxels > 0, or with `selection` the voxels equal to a label or
 * ≥ a threshold, which then replace the volume by their 0 / 1 mask for the rest of the pipeline (surface, interior
 * points, the Jacobian's region); the field grid keeps the volume's geometry. A grey image (greyVolumeProblem)
 * needs a selection.
 */
export async function prepareInput(path: string, surface: SurfacePreset, selection: VoxelSelection = {}): Promise<PreparedInput> {
  const [input, sha256] = await Promise.all([readAny(path), sha256Of(path).catch(() => '')]);
  if (input.kind === 'image') {
    let image: ImageLps = input.image;
    if (selection.label !== undefined || selection.threshold !== undefined) {
      const vector = vectorVolumeProblem(image, true);
      if (vector !== undefined) throw new InputError(path, 'unsupported', vector);
      const selected = maskOfSelection(image, selection);
      if (selected.count === 0) throw new InputError(path, 'empty', `no voxel is selected (${selectionWords(selection)}): nothing to register`);
      image = selected.mask;
    } else {
      const grey = greyVolumeProblem(image);
      if (grey !== undefined) throw new InputError(path, 'unsupported', `${grey}: ${GREY_IMAGE_REMEDY}`);
    }
    const shape = surfaceOfVolume(image, path, surface);
    return { path, kind: 'image', shape, image, sha256, warnings: input.image.warnings };
  }
  const shape = input.shape;
  const n = shape.pointsLps.length / 3;
  if (n === 0) throw new InputError(path, 'empty', 'holds no points');
  for (let i = 0; i < shape.pointsLps.length; i++) {
    if (!Number.isFinite(shape.pointsLps[i])) throw new InputError(path, 'non-finite', `point ${Math.floor(i / 3)} has a non-finite coordinate`);
  }
  if (shape.triangles && shape.triangles.length > 0) {
    if (!shape.normalsLps) shape.normalsLps = vertexNormals(shape.pointsLps, shape.triangles);
  }
  return { path, kind: input.kind, shape, sha256, warnings: [] };
}

/** Per-point mass of a shape for OT: vertex area (meshes, 'area') or one per point. */
export function massOf(shape: Shape, mode: 'area' | 'uniform'): Float64Array {
  const n = shape.pointsLps.length / 3;
  if (mode === 'area' && shape.triangles && shape.triangles.length > 0) {
    const m = shape.mass ?? vertexAreaMass(shape.pointsLps, shape.triangles);
    let total = 0;
    for (const v of m) total += v;
    if (total > 0) return m;
  }
  return uniformMass(n);
}

/** Bounding-box diagonal of a shape (its "diameter" for the scale check). */
export function diameterOf(shape: Shape): number {
  const b = boundsOf(shape.pointsLps);
  return Math.hypot(b[1] - b[0], b[3] - b[2], b[5] - b[4]);
}

/**
 * The diagonal of the box around what a shape draws: a mesh's vertices that its triangles use (a stray unreferenced
 * vertex far away is no part of the anatomy), every point of a point set.
 */
export function drawnDiameterOf(shape: Shape): number {
  const t = shape.triangles;
  if (!t || t.length === 0) return diameterOf(shape);
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < t.length; i++) {
    for (let k = 0; k < 3; k++) {
      const v = shape.pointsLps[3 * t[i] + k];
      if (v < lo[k]) lo[k] = v;
      if (v > hi[k]) hi[k] = v;
    }
  }
  return Math.hypot(hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]);
}

/** A warning when the two shapes' sizes differ by more than 5× (units mixed up: metres against mm). */
export function scaleWarning(moving: PreparedInput, fixed: PreparedInput, preset: PresetName): string | undefined {
  const dm = drawnDiameterOf(moving.shape);
  const df = drawnDiameterOf(fixed.shape);
  if (!(dm > 0) || !(df > 0)) return undefined;
  const ratio = dm / df;
  if (ratio <= 5 && ratio >= 0.2) return undefined;
  const power = Math.round(Math.log10(ratio));
  const hint =
    Math.abs(power) === 3
      ? `a factor of about 1000 usually means one file is in metres and the other in millimetres; rescale the ${ratio > 1 ? 'fixed' : 'moving'} one to mm`
      : 'check that both files are in millimetres';
  return (
    `the moving shape is ${ratio > 1 ? `${ratio.toPrecision(3)}× larger` : `${(1 / ratio).toPrecision(3)}× smaller`} than the fixed one ` +
    `(diameters ${dm.toPrecision(4)} and ${df.toPrecision(4)}): ${hint}.` +
    (preset === 'generic' ? '' : " The similarity pre-alignment absorbs a global scale, but the preset's lengths assume mm (try --preset generic, which is scale-free).")
  );
}

/** A landmark set read from a file. */
export interface PreparedLandmarks {
  path: string;
  shape: Shape;
  sha256: string;
  prefix?: string;
}

/** Reads a landmark file (frame from the file, else `frame`, else the format's default). */
export async function prepareLandmarks(path: string, frame: Frame | undefined, prefix: string | undefined): Promise<PreparedLandmarks> {
  const [shape, sha256] = await Promise.all([readPoints(path, { assumeFrame: frame, prefix }), sha256Of(path).catch(() => '')]);
  if (shape.pointsLps.length === 0) throw new InputError(path, 'empty', 'holds no landmarks');
  return { path, shape, sha256, ...(prefix ? { prefix } : {}) };
}

/** Throws when moving and fixed landmarks do not pair one to one. */
export function checkLandmarkPairs(moving: PreparedLandmarks, fixed: PreparedLandmarks): void {
  const nm = moving.shape.pointsLps.length / 3;
  const nf = fixed.shape.pointsLps.length / 3;
  if (nm !== nf) {
    throw new InputError(fixed.path, 'count-mismatch', `has ${nf} landmarks but ${moving.path} has ${nm}; landmarks must pair row by row`);
  }
}

/** A file that `apply` carries into the fixed space, its kind, and its name in OUTDIR/applied/. */
export interface ApplyInput {
  input: string;
  kind: InputKind;
  name: string;
}

/**
 * Checks `apply`'s files before the pipeline runs (a typo or a broken file must not cost a registration): each exists,
 * is a format Monge reads and is read whole once (points in `frame` where the file declares none, as they will be
 * carried), and no two would be written under the same name.
 */
export async function checkApplyInputs(paths: readonly string[], frame: Frame | undefined, prefix?: string): Promise<ApplyInput[]> {
  const byName = new Map<string, string>();
  const inputs: ApplyInput[] = [];
  for (const input of paths) {
    if (!(await stat(input).catch(() => undefined))) throw new InputError(input, 'not-found', 'no such file or folder (to apply the registration to)');
    const kind = await inputKindOf(input);
    if (kind === undefined) throw new InputError(input, 'unsupported', 'not a file format Monge knows (images, label maps, meshes or landmarks), to apply the registration to');
    const name = appliedFileName(input, kind);
    const other = byName.get(name.toLowerCase());
    if (other !== undefined) throw new InputError(input, 'unsupported', `would be written as applied/${name}, as ${other} is: rename one`);
    byName.set(name.toLowerCase(), input);
    await readAny(input, { ...(frame ? { assumeFrame: frame } : {}), ...(prefix !== undefined ? { prefix } : {}) });
    inputs.push({ input, kind, name });
  }
  return inputs;
}
