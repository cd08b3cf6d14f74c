/**
 * Which written formats keep per-point arrays (a warped shape's displacement and confidence, `monge ot`'s matched
 * points and confidence). The others drop them without a word (Slicer markups, FreeSurfer surfaces) or store
 * triangles only (STL, OBJ, OFF), so a command whose output is its arrays must refuse them before the work.
 */
import { basename } from 'node:path';
import { MESH_CODECS, meshCodecFor, type MeshFormat } from './meshes/index.ts';
import { POINT_CODECS, pointCodecFor, type PointFormat } from './points/index.ts';

/** Mesh formats whose writers keep point arrays (VTK's POINT_DATA, VTP's PointData, PLY vertex properties, GIfTI data arrays). */
const ARRAY_MESH_FORMATS: ReadonlySet<MeshFormat> = new Set<MeshFormat>(['vtk', 'vtp', 'ply', 'gifti']);

/** Point-set formats that keep them (CSV: one column per component, `matched_x, matched_y, matched_z`). */
const ARRAY_POINT_FORMATS: ReadonlySet<PointFormat> = new Set<PointFormat>(['csv']);

/** The file-name endings of the formats that keep point arrays. */
export const POINT_ARRAY_SUFFIXES: readonly string[] = [
  ...MESH_CODECS.filter((c) => ARRAY_MESH_FORMATS.has(c.format)).flatMap((c) => c.extensions),
  ...POINT_CODECS.filter((c) => ARRAY_POINT_FORMATS.has(c.format)).flatMap((c) => c.extensions),
];

/** Whether a file named `path` is written in a format that keeps point arrays. */
export function keepsPointArrays(path: string): boolean {
  const points = pointCodecFor(path);
  if (points) return ARRAY_POINT_FORMATS.has(points.format);
  const mesh = meshCodecFor(path);
  return mesh !== undefined && ARRAY_MESH_FORMATS.has(mesh.format);
}

/** The ending of `path` that names its point or mesh format (`.gii.gz`, `.csv`), if any (FreeSurfer's names have none). */
function knownSuffixOf(path: string): string | undefined {
  const name = basename(path).toLowerCase();
  return (pointCodecFor(path) ?? meshCodecFor(path))?.extensions.find((e) => name.endsWith(e));
}

/** The ending of `path` (`.gii.gz`, `.vtp`, `.csv`) where its format keeps point arrays, else undefined. */
export function pointArraySuffixOf(path: string): string | undefined {
  return keepsPointArrays(path) ? knownSuffixOf(path) : undefined;
}

/**
 * The problem with writing `arrays` (their names, for the message) to `output`, or undefined when its format keeps
 * them. Only the suffix is looked at: call it with outputFileProblem, before reading or computing anything.
 */
export function pointArrayOutputProblem(output: string, arrays: readonly string[]): string | undefined {
  if (keepsPointArrays(output)) return undefined;
  const names = arrays.map((a) => `'${a}'`).join(' and ');
  return `${output}: ${formatWords(output)} cannot hold the point arrays ${names}; write ${POINT_ARRAY_SUFFIXES.join(', ')}, which hold per-point arrays`;
}

/** How the message names OUT's format: its suffix where it has one Monge knows. */
function formatWords(output: string): string {
  const suffix = knownSuffixOf(output);
  if (suffix) return `a ${suffix} file`;
  const codec = pointCodecFor(output) ?? meshCodecFor(output);
  return codec ? `a ${codec.format} file` : 'this format';
}
