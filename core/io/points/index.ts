/**
 * Point-set (landmark) I/O: picks the codec from the file name, converts between the file's frame and Monge's
 * LPS, and writes atomically. Codecs (one file per format) know nothing of frames beyond what their file
 * declares.
 *
 * Frame precedence when reading: what the file declares (a CSV `# SPACE=` line, Slicer's CoordinateSystem)
 * → the caller's `assumeFrame` (the CLI's `--landmarks-frame`) → the format's default (CSV and .mrk.json LPS,
 * .fcsv RAS as Slicer < 4.11 wrote it, DIR-Lab text RAS as the shared masks' NIfTI world frame).
 */
import { basename } from 'node:path';
import type { PointArray } from '../../arrays/index.ts';
import { convertPointArray, convertPoints, type Frame } from '../../frames/index.ts';
import type { Shape } from '../../shape/types.ts';
import { writeFileAtomic } from '../atomic-write.ts';
import { InputError } from '../errors.ts';
import { readInputBytes } from '../read-bytes.ts';
import { csvPointsCodec } from './csv.ts';
import { rewriteCsvPoints } from './csv-rewrite.ts';
import { dirLabCodec } from './dirlab.ts';
import { fcsvCodec } from './fcsv.ts';
import { markupsJsonCodec } from './mrk-json.ts';
import { rewriteFcsvPoints, rewriteMarkupsJsonPoints } from './markups-rewrite.ts';
import type { PointCodec, PointSetData, Vec3 } from './types.ts';

export type { PointCodec, PointFormat, PointSetData, Vec3 } from './types.ts';

/** Every point-set codec, in the order file names are matched. */
export const POINT_CODECS: readonly PointCodec[] = [csvPointsCodec, fcsvCodec, markupsJsonCodec, dirLabCodec];

/** Largest landmark file read (a text landmark file this large is a mistake, not a point set). */
const MAX_POINT_FILE_BYTES = 1024 ** 3;

/** The codec for a file name, or undefined when the name is not a point-set format Monge knows. */
export function pointCodecFor(path: string): PointCodec | undefined {
  const name = basename(path).toLowerCase();
  return POINT_CODECS.find((c) => c.extensions.some((ext) => name.endsWith(ext)));
}

/**
 * The problem with writing `output` as DIR-Lab text where the command is given no CT spacing (warp, surface): the
 * file holds CT voxel indices, which need it. Undefined for any other output. Found before the work, not after it.
 */
export function dirLabOutputProblem(output: string): string | undefined {
  if (pointCodecFor(output) !== dirLabCodec) return undefined;
  return `${output}: DIR-Lab landmark text needs the CT's voxel spacing; write .csv and convert it (monge convert OUT.csv OUT.txt --spacing X,Y,Z)`;
}

export interface ReadPointsOptions {
  /** Frame of a file that declares none (overrides the format's default). */
  assumeFrame?: Frame;
  /** CSV: read the point set in columns `<prefix>_x, <prefix>_y, <prefix>_z` (with or without `_mm`). */
  prefix?: string;
  /** DIR-Lab `.txt`: the CT voxel spacing in mm, required to turn indices into millimetres. */
  spacingMm?: Vec3;
}

/** Converts a file's point set (in `frame`) to an LPS Shape. */
export function pointSetToShape(data: PointSetData, frame: Frame): Shape {
  const arrays: PointArray[] = data.arrays.map((a) => convertPointArray(a, frame, 'LPS'));
  return {
    kind: 'points',
    pointsLps: convertPoints(data.points, frame, 'LPS'),
    arrays,
    labels: data.labels,
    sourceFrame: frame,
  };
}

/** Converts an LPS Shape to a point set in `frame`, for a writer. */
export function shapeToPointSet(shape: Shape, frame: Frame): PointSetData {
  const n = shape.pointsLps.length / 3;
  if (shape.labels && shape.labels.length !== n) {
    throw new Error(`the shape has ${n} points but ${shape.labels.length} labels`);
  }
  const arrays: PointArray[] = shape.arrays.map((a) => convertPointArray(a, 'LPS', frame));
  return { points: convertPoints(shape.pointsLps, 'LPS', frame), labels: shape.labels, arrays, declaredFrame: frame };
}

/**
 * Reads a landmark / point-set file into an LPS Shape (kind 'points'). Throws InputError naming the file (and
 * the line or entry) on any problem; a `.txt` (DIR-Lab) file needs `spacingMm`.
 */
export async function readPoints(path: string, options: ReadPointsOptions = {}): Promise<Shape> {
  const codec = pointCodecFor(path);
  if (!codec) {
    throw new InputError(path, 'unsupported', 'not a point-set format Monge reads (.csv, .fcsv, .mrk.json, DIR-Lab .txt)');
  }
  const bytes = await readInputBytes(path, MAX_POINT_FILE_BYTES);
  const data = codec.parse(bytes, path, { prefix: options.prefix, spacingMm: options.spacingMm });
  return pointSetToShape(data, data.declaredFrame ?? options.assumeFrame ?? codec.defaultFrame);
}

export interface WritePointsOptions {
  /** Frame to write in; default the shape's source frame (for DIR-Lab `.txt`: RAS, the dataset's convention). */
  frame?: Frame;
  /** DIR-Lab `.txt`: the voxel spacing to turn mm into indices (required). */
  spacingMm?: Vec3;
  /**
   * CSV: write a `# SPACE=<frame>` first line. Default: only for a frame other than LPS, a plain CSV's default, so
   * that a RAS file is never read back mirrored, while an LPS one stays a plain table.
   */
  declareFrame?: boolean;
  /** Told of what is written but likely wrong (e.g. DIR-Lab indices before the CT's first voxel). */
  onWarning?: (message: string) => void;
}

/** Writes an LPS point set to `path` (format from the name), atomically. */
export async function writePoints(path: string, shape: Shape, options: WritePointsOptions = {}): Promise<void> {
  const codec = pointCodecFor(path);
  if (!codec) throw new InputError(path, 'unsupported', 'Monge writes point sets as .csv, .fcsv, .mrk.json or DIR-Lab .txt');
  if (codec === dirLabCodec && !options.spacingMm) {
    throw new InputError(path, 'unsupported', 'writing DIR-Lab voxel indices needs the CT voxel spacing (spacingMm)');
  }
  // DIR-Lab indices only mean something in the dataset's own convention (index × spacing in RAS), whatever
  // frame the shape came from; every other format follows the shape's source frame.
  const frame = options.frame ?? (codec === dirLabCodec ? dirLabCodec.defaultFrame : shape.sourceFrame);
  const text = codec.serialize(shapeToPointSet(shape, frame), {
    frame,
    spacingMm: options.spacingMm,
    declareFrame: options.declareFrame ?? frame !== codec.defaultFrame,
    onWarning: options.onWarning,
  });
  await writeFileAtomic(path, text);
}

/** The file a point set was read from, and how, so that a moved copy can be written in its layout. */
export interface PointSource {
  path: string;
  /** The CSV column prefix it was read with. */
  prefix?: string;
}

/**
 * Writes `shape`, a point set read from `source` and moved, to `path`: a file of the source's format keeps its
 * layout with only the coordinates replaced — a CSV its lines, columns and frame declaration (./csv-rewrite.ts),
 * Slicer markups their ids, labels, descriptions and flags (./markups-rewrite.ts); any other pair of formats is
 * written as writePoints writes it.
 */
export async function writePointsLike(path: string, shape: Shape, source: PointSource, options: WritePointsOptions = {}): Promise<void> {
  const codec = pointCodecFor(path);
  if (codec !== pointCodecFor(source.path) || (codec !== csvPointsCodec && codec !== fcsvCodec && codec !== markupsJsonCodec)) return writePoints(path, shape, options);
  const frame = options.frame ?? shape.sourceFrame;
  const template = await readInputBytes(source.path, MAX_POINT_FILE_BYTES);
  const rewrite = { readFrame: shape.sourceFrame, frame, pointsLps: shape.pointsLps };
  const text =
    codec === csvPointsCodec
      ? rewriteCsvPoints(template, source.path, { prefix: source.prefix, readFrame: shape.sourceFrame, frame, points: convertPoints(shape.pointsLps, 'LPS', frame) })
      : codec === fcsvCodec
        ? rewriteFcsvPoints(template, source.path, rewrite)
        : rewriteMarkupsJsonPoints(template, source.path, rewrite);
  await writeFileAtomic(path, text);
}

export interface DirLabOptions {
  /** Voxel spacing (mm) of the CT the indices refer to. */
  spacingMm: Vec3;
  /** Frame of `index × spacing`; default RAS (the shared DIR-Lab masks' NIfTI world frame). */
  frame?: Frame;
  /** Writing: told of points before the CT's first voxel (index below 1). */
  onWarning?: (message: string) => void;
}

/** Reads DIR-Lab landmark text (1-based voxel indices) into LPS mm: mm = index × spacing, in `frame`. */
export async function readDirLab(path: string, options: DirLabOptions): Promise<Shape> {
  const bytes = await readInputBytes(path, MAX_POINT_FILE_BYTES);
  const data = dirLabCodec.parse(bytes, path, { spacingMm: options.spacingMm });
  return pointSetToShape(data, options.frame ?? dirLabCodec.defaultFrame);
}

/** Writes DIR-Lab landmark text: index = mm / spacing (mm in `frame`, default RAS), 6 decimals, tab-separated. */
export async function writeDirLab(path: string, shape: Shape, options: DirLabOptions): Promise<void> {
  const frame = options.frame ?? dirLabCodec.defaultFrame;
  await writeFileAtomic(path, dirLabCodec.serialize(shapeToPointSet(shape, frame), { frame, spacingMm: options.spacingMm, onWarning: options.onWarning }));
}
