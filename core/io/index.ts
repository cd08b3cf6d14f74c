/**
 * The one entry to Monge's file I/O: decides from a path whether it holds a mesh, a point set or an image, and
 * reads or writes it. Meshes and point sets come back as LPS Shapes; images as LPS ImageLps.
 */
import { stat } from 'node:fs/promises';
import type { Frame } from '../frames/index.ts';
import type { Shape } from '../shape/types.ts';
import { InputError } from './errors.ts';
import { imageFormatOf } from './images/image-format.ts';
import { readImage, type ReadImageResult } from './images/read-image.ts';
import { meshCodecFor, readMesh, writeMesh } from './meshes/index.ts';
import { pointCodecFor, readPoints, writePoints, writePointsLike, type PointSource, type Vec3 } from './points/index.ts';

export { InputError } from './errors.ts';
export { readImage } from './images/read-image.ts';
export { readMesh, writeMesh } from './meshes/index.ts';
export { readPoints, writePoints } from './points/index.ts';

export type InputKind = 'mesh' | 'points' | 'image';

/** What a path holds, judged by its name (a folder is a DICOM series); undefined when Monge knows no such file. */
export async function inputKindOf(path: string): Promise<InputKind | undefined> {
  const info = await stat(path).catch(() => undefined);
  if (info?.isDirectory()) return 'image';
  if (imageFormatOf(path)) return 'image';
  if (pointCodecFor(path)) return 'points';
  if (meshCodecFor(path)) return 'mesh';
  return undefined;
}

/** Options for reading meshes and point sets. */
export interface ReadShapeOptions {
  /** Frame of a file that declares none (meshes: default per format; points: default LPS). */
  assumeFrame?: Frame;
  /** DIR-Lab `.txt` voxel spacing (mm). */
  spacingMm?: Vec3;
  /** CSV column prefix (`<prefix>_x, …`). */
  prefix?: string;
}

/** Reads a mesh or a point set. Images are refused with a hint to extract a surface first. */
export async function readShape(path: string, options: ReadShapeOptions = {}): Promise<Shape> {
  const kind = await inputKindOf(path);
  if (kind === 'points') return readPoints(path, options);
  if (kind === 'mesh') return readMesh(path, { assumeFrame: options.assumeFrame });
  if (kind === 'image') throw new InputError(path, 'unsupported', 'is an image; extract a surface first (monge surface)');
  throw new InputError(path, 'unsupported', 'not a file format Monge knows (see `monge --help` for the list)');
}

/** A file read whole: a shape or an image. */
export type AnyInput = { kind: 'mesh' | 'points'; shape: Shape } | { kind: 'image'; image: ReadImageResult };

/** Reads any supported file. */
export async function readAny(path: string, options: ReadShapeOptions = {}): Promise<AnyInput> {
  const kind = await inputKindOf(path);
  if (kind === 'image') return { kind, image: await readImage(path) };
  const shape = await readShape(path, options);
  return { kind: shape.kind, shape };
}

/** Options for writing shapes. */
export interface WriteShapeOptions {
  /** Frame to write in (default: the shape's source frame). */
  frame?: Frame;
  /** Binary encoding where the format has one (default true). */
  binary?: boolean;
  /** DIR-Lab `.txt` voxel spacing (mm). */
  spacingMm?: Vec3;
  /** A point set's source file: a CSV written from a CSV keeps its layout (columns, ids, text, frame line). */
  source?: PointSource;
  /** Told of what is written but likely wrong (point sets: e.g. DIR-Lab indices before the CT's first voxel). */
  onWarning?: (message: string) => void;
}

/** Writes a shape as a mesh or a point set, by the file name; atomically. */
export async function writeShape(path: string, shape: Shape, options: WriteShapeOptions = {}): Promise<void> {
  if (pointCodecFor(path)) {
    const pointOptions = { frame: options.frame, spacingMm: options.spacingMm, onWarning: options.onWarning };
    return options.source ? writePointsLike(path, shape, options.source, pointOptions) : writePoints(path, shape, pointOptions);
  }
  if (meshCodecFor(path)) {
    if (!shape.triangles && ['.stl', '.obj', '.off'].some((e) => path.toLowerCase().endsWith(e))) {
      throw new InputError(path, 'unsupported', 'this format stores triangles only; the shape is a point set (use .vtk, .vtp, .ply or .csv)');
    }
    return writeMesh(path, shape, { frame: options.frame, binary: options.binary });
  }
  throw new InputError(path, 'unsupported', 'not a mesh or point-set format Monge writes');
}
