/**
 * Reading the shapes a network is trained on: meshes, point sets, or masks/label maps (their closed surface,
 * core/shape/extract-surface.ts: foreground voxels, 10 Taubin iterations, decimated to 30 000 vertices). A folder
 * is searched recursively for files Monge reads (by name; DICOM series are not searched for). A spec may carry a
 * coordinate scale, `PATH:scale=S` (e.g. clouds stored in units of 100 mm). Every file is fingerprinted
 * (sha256) for the manifest.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { InputError } from '../../io/errors.ts';
import { imageFormatOf } from '../../io/images/image-format.ts';
import { readImage } from '../../io/images/read-image.ts';
import { readShape } from '../../io/index.ts';
import { meshCodecFor } from '../../io/meshes/index.ts';
import { throwIfCancelled } from '../../progress/index.ts';
import { EmptyMaskError, extractSurface } from '../../shape/index.ts';
import { prepareSynthShape, type SynthShape } from '../synth/index.ts';
import type { TrainingFile } from './manifest.ts';
import { sha256Hex } from './model-files.ts';

export interface TrainingDataSpec {
  path: string;
  /** Coordinate factor (default 1). */
  scale?: number;
}

export interface LoadedTrainingShape {
  record: TrainingFile;
  shape: SynthShape;
}

const SCALE_SUFFIX = /:scale=([0-9.eE+-]+)$/;

/** Parses `PATH` or `PATH:scale=S`. */
export function parseDataSpec(text: string): TrainingDataSpec {
  const m = SCALE_SUFFIX.exec(text);
  if (!m) return { path: text };
  const scale = Number(m[1]);
  if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`${text}: scale must be a positive number`);
  return { path: text.slice(0, m.index), scale };
}

/**
 * A file a folder search takes as a training shape: a mesh or a volume. Point-set formats are left out there: in a
 * data folder they are landmarks (DIR-Lab's CSV and .txt, a dataset's cases.json read as markups), not shapes; a point
 * set named on its own is still taken.
 */
function shapeFileInFolder(path: string): boolean {
  return imageFormatOf(path) !== undefined || meshCodecFor(path) !== undefined;
}

/** Files named by a spec: the file itself, or a folder's meshes and volumes (recursive, sorted). */
async function expand(spec: TrainingDataSpec): Promise<TrainingDataSpec[]> {
  const info = await stat(spec.path).catch(() => undefined);
  if (!info) throw new InputError(spec.path, 'not-found', 'training data not found');
  if (!info.isDirectory()) return [spec];
  const out: TrainingDataSpec[] = [];
  const entries = (await readdir(spec.path, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = join(spec.path, e.name);
    if (e.isDirectory()) out.push(...(await expand({ path: p, scale: spec.scale })));
    else if (shapeFileInFolder(p)) out.push({ path: p, scale: spec.scale });
  }
  if (out.length === 0) throw new InputError(spec.path, 'empty', 'this folder holds no mesh or image file Monge reads (name point sets one by one)');
  return out;
}

async function loadOne(spec: TrainingDataSpec): Promise<LoadedTrainingShape> {
  const { path } = spec;
  const scale = spec.scale ?? 1;
  const sha256 = sha256Hex(new Uint8Array(await readFile(path)));
  let points: Float64Array;
  let triangles: Uint32Array | undefined;
  let kind: TrainingFile['kind'];
  if (imageFormatOf(path)) {
    try {
      const surface = extractSurface(await readImage(path), { smoothIterations: 10, targetVertices: 30000 });
      points = surface.pointsLps;
      triangles = surface.triangles;
      kind = 'mask-surface';
    } catch (e) {
      if (e instanceof EmptyMaskError) throw new InputError(path, 'empty', e.message);
      throw e;
    }
  } else {
    const shape = await readShape(path);
    points = shape.pointsLps;
    triangles = shape.triangles && shape.triangles.length > 0 ? shape.triangles : undefined;
    kind = triangles ? 'mesh' : 'points';
  }
  if (scale !== 1) points = points.map((v) => v * scale);
  const n = points.length / 3;
  if (n < 16) throw new InputError(path, 'empty', `has ${n} points; a training shape needs at least 16`);
  return {
    record: { file: basename(path), sha256, points: n, triangles: triangles ? triangles.length / 3 : 0, scale, kind },
    shape: prepareSynthShape({ pointsLps: points, triangles }, basename(path)),
  };
}

/** Loads every shape the specs name, in order; a cancel stops it between files. */
export async function loadTrainingShapes(specs: TrainingDataSpec[], onFile?: (path: string) => void, signal?: AbortSignal): Promise<LoadedTrainingShape[]> {
  const files: TrainingDataSpec[] = [];
  for (const s of specs) files.push(...(await expand(s)));
  const out: LoadedTrainingShape[] = [];
  for (const f of files) {
    throwIfCancelled(signal, 'reading the training data');
    onFile?.(f.path);
    out.push(await loadOne(f));
  }
  return out;
}
