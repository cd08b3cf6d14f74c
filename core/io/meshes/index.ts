/**
 * Mesh I/O: picks the codec from the file name, converts between the file's frame and Monge's LPS, and writes
 * atomically. Codecs (one file per format) know nothing of frames beyond what their file declares.
 */
import { basename } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { PointArray } from '../../arrays/index.ts';
import { convertPointArray, convertPoints, type Frame } from '../../frames/index.ts';
import type { Shape } from '../../shape/types.ts';
import { writeFileAtomic } from '../atomic-write.ts';
import { InputError } from '../errors.ts';
import { readInputBytes } from '../read-bytes.ts';
import { freesurferCodec } from './freesurfer.ts';
import { giftiCodec } from './gifti.ts';
import { objCodec } from './obj.ts';
import { offCodec } from './off.ts';
import { plyCodec } from './ply.ts';
import { stlCodec } from './stl.ts';
import type { MeshCodec, MeshData } from './types.ts';
import { vtkLegacyCodec } from './vtk-legacy.ts';
import { vtpCodec } from './vtp.ts';

export type { MeshCodec, MeshData, MeshFormat } from './types.ts';

/** Every mesh codec, in the order file names are matched. */
export const MESH_CODECS: readonly MeshCodec[] = [
  vtkLegacyCodec,
  vtpCodec,
  stlCodec,
  objCodec,
  offCodec,
  plyCodec,
  giftiCodec,
  freesurferCodec,
];

/** FreeSurfer surfaces have no extension: lh.white, rh.pial, lh.sphere.reg, *.surf … */
const FREESURFER_NAME = /^(lh|rh)\.(white|pial|orig|smoothwm|inflated|sphere|sphere\.reg|midthickness|graymid)(\..*)?$|\.surf$/i;

/**
 * The codec for a file name, or undefined when the name is not a mesh format Monge knows. A format's extension
 * decides before FreeSurfer's names: `lh.pial.gii` (mris_convert's usual output name) is GIfTI and `lh.white.vtk` is
 * VTK, while `lh.pial`, `lh.white.preaparc` and `lh.sphere.reg` are FreeSurfer surfaces.
 */
export function meshCodecFor(path: string): MeshCodec | undefined {
  const name = basename(path).toLowerCase();
  const byExtension = MESH_CODECS.find((c) => c.extensions.some((ext) => name.endsWith(ext)));
  if (byExtension) return byExtension;
  return FREESURFER_NAME.test(name) ? freesurferCodec : undefined;
}

export interface ReadMeshOptions {
  /** Overrides the frame of a file that declares none. */
  assumeFrame?: Frame;
}

/** Converts a file's MeshData to an LPS Shape. */
export function meshDataToShape(data: MeshData, frame: Frame): Shape {
  const arrays: PointArray[] = data.arrays.map((a) => convertPointArray(a, frame, 'LPS'));
  return {
    kind: data.triangles && data.triangles.length > 0 ? 'mesh' : 'points',
    pointsLps: convertPoints(data.points, frame, 'LPS'),
    triangles: data.triangles,
    arrays,
    sourceFrame: frame,
    ...(data.anatomy ? { anatomy: data.anatomy } : {}),
  };
}

/** Converts an LPS Shape to MeshData in `frame`, for a writer. */
export function shapeToMeshData(shape: Shape, frame: Frame): MeshData {
  const arrays: PointArray[] = shape.arrays.map((a) => convertPointArray(a, 'LPS', frame));
  if (shape.normalsLps && !arrays.some((a) => a.name === 'Normals')) {
    arrays.push({ name: 'Normals', components: 3, values: convertPoints(shape.normalsLps, 'LPS', frame), spatialVector: true });
  }
  return { points: convertPoints(shape.pointsLps, 'LPS', frame), triangles: shape.triangles, arrays, declaredFrame: frame, anatomy: shape.anatomy };
}

/** Reads a mesh file into an LPS Shape. Throws InputError naming the file on any problem, 'empty' for no points. */
export async function readMesh(path: string, options: ReadMeshOptions = {}): Promise<Shape> {
  const codec = meshCodecFor(path);
  if (!codec) throw new InputError(path, 'unsupported', 'not a mesh format Monge reads (see `monge --help` for the list)');
  const bytes = await readInputBytes(path);
  const data = codec.parse(bytes, path);
  // One rule for every format, as for point sets: a file with no points is refused here, naming it, rather than
  // reaching `info`, `convert` or a registration as a 0-point shape (codecs parse "POINTS 0" or an 84-byte STL
  // with a count of 0 as valid, which they are, syntactically).
  if (data.points.length === 0) throw new InputError(path, 'empty', 'holds no points');
  return meshDataToShape(data, data.declaredFrame ?? options.assumeFrame ?? codec.defaultFrame);
}

export interface WriteMeshOptions {
  /** Frame to write in; default the shape's source frame. */
  frame?: Frame;
  /** Binary where the format has both encodings; default true. */
  binary?: boolean;
}

/** Writes an LPS Shape to `path` (format from the name), atomically. */
export async function writeMesh(path: string, shape: Shape, options: WriteMeshOptions = {}): Promise<void> {
  const codec = meshCodecFor(path);
  if (!codec?.serialize) {
    const writable = MESH_CODECS.filter((c) => c.serialize).map((c) => c.extensions.join('/'));
    throw new InputError(path, 'unsupported', `Monge writes meshes as ${writable.join(', ')} or FreeSurfer surfaces`);
  }
  const frame = codec.onlyFrame ?? options.frame ?? shape.sourceFrame;
  let bytes = codec.serialize(shapeToMeshData(shape, frame), { frame, binary: options.binary ?? true });
  const name = basename(path).toLowerCase();
  if (codec.gzipExtensions?.some((ext) => name.endsWith(ext))) bytes = gzipSync(bytes);
  await writeFileAtomic(path, bytes);
}
