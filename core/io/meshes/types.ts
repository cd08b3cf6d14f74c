import type { PointArray } from '../../arrays/index.ts';
import type { SurfaceAnatomy } from '../../shape/types.ts';
import type { Frame } from '../../frames/index.ts';

/** Mesh formats Monge reads or writes. */
export type MeshFormat = 'vtk' | 'vtp' | 'stl' | 'obj' | 'off' | 'ply' | 'gifti' | 'freesurfer';

/**
 * A mesh exactly as a file stores it: coordinates in the file's own frame (mm), before any conversion.
 * Codecs deal only in this; the registry (./index.ts) converts to and from the LPS `Shape`.
 */
export interface MeshData {
  /** Interleaved xyz in the file's frame. */
  points: Float64Array;
  /** Interleaved triangle indices; absent for a point cloud (VTK VERTICES, PLY without faces). */
  triangles?: Uint32Array;
  /** Point-data arrays (spatial vectors flagged). */
  arrays: PointArray[];
  /** The frame the file declares (Slicer's SPACE= comment, GIfTI's coordinate system …), if any. */
  declaredFrame?: Frame;
  /** What the surface is of (GIfTI's pointset MetaData, FreeSurfer's file name), where the file says. */
  anatomy?: SurfaceAnatomy;
}

/** Options a writer honours where its format allows. */
export interface MeshWriteOptions {
  /** Binary encoding (VTK legacy, STL, PLY); ASCII otherwise. Default binary. */
  binary?: boolean;
  /** The frame `points` are in; formats that can declare a space write it. */
  frame: Frame;
}

/** One mesh format: a pure bytes → MeshData parser and, where supported, a MeshData → bytes writer. */
export interface MeshCodec {
  format: MeshFormat;
  /** Lower-case file-name endings, with the dot, longest first (e.g. '.gii.gz', '.gii'). */
  extensions: readonly string[];
  /** The frame assumed when the file declares none (GIfTI and FreeSurfer are RAS; the rest follow Slicer: LPS). */
  defaultFrame: Frame;
  /** Set when the format can store one frame only (GIfTI, FreeSurfer: RAS); writers are then always given it. */
  onlyFrame?: Frame;
  /** Set when the writer's bytes must be gzipped for names with these endings (e.g. '.gii.gz'). */
  gzipExtensions?: readonly string[];
  /** Parses a whole file. Throws InputError (naming `file`) on anything malformed. */
  parse(bytes: Uint8Array, file: string): MeshData;
  /** Serialises; absent for read-only formats. */
  serialize?(mesh: MeshData, options: MeshWriteOptions): Uint8Array;
}
