/**
 * A residual prior's training cases, read from `monge register` output folders: report.json names the fixed
 * landmark file (an absolute path; reports of Monge before 2026-11-23 kept it as given, relative to the working
 * directory of the registration, and are read relative to the current one), its column prefix and
 * frame, and the fixed shape's moments; landmarks_warped.csv holds φ(x), in the moving landmark file's layout. A folder registered WITH a prior is
 * refused: the prior learns the pipeline's own error, not what is left after an earlier correction.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Frame } from '../../frames/index.ts';
import { InputError } from '../../io/errors.ts';
import { readPoints } from '../../io/points/index.ts';
import { REGISTRATION_OUTPUTS } from '../types.ts';
import { readWarpedLandmarks, warpedLandmarksRunOf } from '../warped-landmarks.ts';
import type { PriorCase } from './residual-prior.ts';
import type { ShapeMomentsLps } from './shape-moments.ts';

interface ReportSubset {
  settings?: { landmarksFrame?: Frame | null; residualPrior?: string | null };
  inputs?: { fixedLandmarks?: { path: string; prefix: string | null }; fixedMomentsLps?: ShapeMomentsLps };
}

function isTriple(v: unknown): v is [number, number, number] {
  return Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number' && Number.isFinite(x));
}

export async function readPriorCase(outDir: string): Promise<PriorCase> {
  const reportPath = join(outDir, REGISTRATION_OUTPUTS.report);
  let report: ReportSubset;
  try {
    report = JSON.parse(await readFile(reportPath, 'utf8')) as ReportSubset;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new InputError(outDir, 'not-found', `holds no ${REGISTRATION_OUTPUTS.report} (not a finished \`monge register\` output folder)`);
    throw new InputError(reportPath, 'malformed', 'is not a readable registration report');
  }
  if (report.settings?.residualPrior) throw new InputError(outDir, 'unsupported', `was registered with a residual prior (${report.settings.residualPrior}); learn from runs without one`);
  const lm = report.inputs?.fixedLandmarks;
  if (!lm) throw new InputError(outDir, 'malformed', 'was registered without landmarks; a prior learns from landmark pairs');
  const moments = report.inputs?.fixedMomentsLps;
  if (!moments || !isTriple(moments.centreLps) || !isTriple(moments.spreadMm) || !moments.spreadMm.every((s) => s > 0)) {
    throw new InputError(reportPath, 'malformed', "has no fixed shape moments (inputs.fixedMomentsLps); register again with this Monge");
  }
  const frame = report.settings?.landmarksFrame ?? undefined;
  const warped = await readWarpedLandmarks(outDir, warpedLandmarksRunOf(report));
  const truth = await readPoints(lm.path, { assumeFrame: frame, ...(lm.prefix ? { prefix: lm.prefix } : {}) });
  if (warped.pointsLps.length !== truth.pointsLps.length) {
    throw new InputError(lm.path, 'count-mismatch', `has ${truth.pointsLps.length / 3} landmarks but ${outDir}'s warped landmarks are ${warped.pointsLps.length / 3}`);
  }
  return { name: outDir, fixedMoments: moments, warpedLps: warped.pointsLps, truthLps: truth.pointsLps };
}
