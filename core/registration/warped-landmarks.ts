/**
 * A registration folder's `landmarks_warped.csv`, read back as `register` wrote it: in the moving landmark file's
 * layout (core/io/points/csv-rewrite.ts), so with the run's landmark frame and the moving landmarks' column prefix
 * (a DIR-Lab CSV keeps its insp_* and exp_* columns, the exp_* ones moved into the fixed space).
 */
import { join } from 'node:path';
import type { Frame } from '../frames/index.ts';
import { InputError } from '../io/errors.ts';
import { readPoints } from '../io/points/index.ts';
import type { Shape } from '../shape/index.ts';
import { REGISTRATION_OUTPUTS } from './types.ts';

/** How the run read its moving landmarks: `report.json`'s settings.landmarksFrame and inputs.movingLandmarks.prefix. */
export interface WarpedLandmarksRun {
  frame?: Frame;
  movingPrefix?: string;
}

/** The frame and prefix a `report.json` records for the moving landmarks (either absent where it records none). */
export function warpedLandmarksRunOf(report: unknown): WarpedLandmarksRun {
  const r = (report ?? {}) as { settings?: { landmarksFrame?: unknown }; inputs?: { movingLandmarks?: { prefix?: unknown } } };
  const frame = r.settings?.landmarksFrame;
  const prefix = r.inputs?.movingLandmarks?.prefix;
  return {
    ...(frame === 'RAS' || frame === 'LPS' ? { frame } : {}),
    ...(typeof prefix === 'string' && prefix !== '' ? { movingPrefix: prefix } : {}),
  };
}

/**
 * Reads `outDir`'s warped landmarks (LPS). Folders written before the moving file's layout was kept hold plain
 * x, y, z columns whatever the prefix; they are read as such.
 */
export async function readWarpedLandmarks(outDir: string, run: WarpedLandmarksRun): Promise<Shape> {
  const path = join(outDir, REGISTRATION_OUTPUTS.landmarksWarped);
  const assumeFrame = run.frame ? { assumeFrame: run.frame } : {};
  if (!run.movingPrefix) return readPoints(path, assumeFrame);
  try {
    return await readPoints(path, { ...assumeFrame, prefix: run.movingPrefix });
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return readPoints(path, assumeFrame).catch(() => {
      throw error;
    });
  }
}

/**
 * The name of the markups copy of the warped landmarks (REGISTRATION_OUTPUTS.landmarksWarpedMarkups) for moving
 * landmarks read from `movingPath`: `landmarks_warped.fcsv` or `landmarks_warped.mrk.json`, undefined for other files.
 */
export function warpedMarkupsName(movingPath: string): string | undefined {
  const suffix = /\.(fcsv|mrk\.json)$/i.exec(movingPath)?.[1]?.toLowerCase();
  return suffix === undefined ? undefined : `${REGISTRATION_OUTPUTS.landmarksWarpedMarkups}.${suffix}`;
}
