import type { PointArray } from '../../arrays/index.ts';
import type { Frame } from '../../frames/index.ts';

/** Point-set (landmark) formats Monge reads and writes. */
export type PointFormat = 'csv' | 'fcsv' | 'mrk-json' | 'dirlab';

/** Three numbers (x, y, z). */
export type Vec3 = [number, number, number];

/**
 * A point set exactly as a file stores it: millimetres in the file's own frame, before any conversion.
 * Codecs deal only in this; the registry (./index.ts) converts to and from the LPS `Shape`.
 */
export interface PointSetData {
  /** Interleaved xyz, mm, in the file's frame. */
  points: Float64Array;
  /** Per-point names, when the file has them. */
  labels?: string[];
  /** Extra per-point columns (spatial vectors flagged, in the file's frame). */
  arrays: PointArray[];
  /** The frame the file declares (a `# SPACE=RAS` comment, Slicer's CoordinateSystem …), if any. */
  declaredFrame?: Frame;
}

/** What a parser may need besides the bytes. */
export interface PointParseOptions {
  /** CSV: read columns `<prefix>_x, <prefix>_y, <prefix>_z` (with or without `_mm`) instead of x, y, z. */
  prefix?: string;
  /** DIR-Lab text: voxel spacing of the CT the indices refer to (mm). */
  spacingMm?: Vec3;
}

/** What a writer needs besides the data. */
export interface PointWriteOptions {
  /** The frame `points` are in; formats that can declare a frame write it. */
  frame: Frame;
  /** DIR-Lab text: voxel spacing to turn mm back into indices. */
  spacingMm?: Vec3;
  /** CSV: write a `# SPACE=<frame>` first line (off by default: it trips naive CSV readers). */
  declareFrame?: boolean;
  /** Told of what is written but likely wrong (e.g. DIR-Lab indices before the CT's first voxel). */
  onWarning?: (message: string) => void;
}

/** One point-set format: a pure bytes → PointSetData parser and a PointSetData → text writer. */
export interface PointCodec {
  format: PointFormat;
  /** Lower-case file-name endings, with the dot, longest first. */
  extensions: readonly string[];
  /** The frame assumed when the file declares none and the caller gives none. */
  defaultFrame: Frame;
  /** Parses a whole file. Throws InputError (naming `file`) on anything malformed. */
  parse(bytes: Uint8Array, file: string, options: PointParseOptions): PointSetData;
  /** Serialises to text. */
  serialize(data: PointSetData, options: PointWriteOptions): string;
}
