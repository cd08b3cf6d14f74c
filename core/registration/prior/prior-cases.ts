/**
 * A residual prior's training cases, read from `monge register` output folders: report.json names the fixed
 * landmark file (an absolute path; reports of Monge before 2026-11-23 kept it as given, relative to the working
 * directory of the registration, and are read relative to the current one), its column prefix and
 * frame, and the fixed shape's moments; landmarks_warped.csv holds φ(x), in the moving landmark file's layout. A folder registered WITH a prior is
 * refused: the prior learns the pipeline's own error, not what is left after an earlier correction.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Frame } from '../../frames/index.ts';
import { InputError } from '../../io/errors.ts';
import { readPoints } from '../../io/points/index.ts';
import { sha256Of } from '../pipeline/inputs.ts';
import { readReportFile } from '../report-file.ts';
import { REGISTRATION_OUTPUTS } from '../types.ts';
import { readWarpedLandmarks, warpedLandmarksRunOf } from '../warped-landmarks.ts';
import type { PriorCase, PriorProvenance } from './residual-prior.ts';
import type { ShapeMomentsLps } from './shape-moments.ts';

interface ReportSubset {
  settings?: { preset?: unknown; landmarksFrame?: Frame | null; residualPrior?: string | null };
  steps?: unknown;
  inputs?: { fixedLandmarks?: { path: string; prefix: string | null; sha256?: string }; fixedMomentsLps?: ShapeMomentsLps };
  landmarks?: { warpedSha256?: unknown };
}

function isTriple(v: unknown): v is [number, number, number] {
  return Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number' && Number.isFinite(x));
}

/** A training case as read from its folder, with the files it was read from (which a prior must never be written over). */
/** The preset and the steps that ran, from a report (undefined where it does not say). */
export function provenanceOf(report: ReportSubset): PriorProvenance | undefined {
  const preset = report.settings?.preset;
  if (typeof preset !== 'string' || !Array.isArray(report.steps)) return undefined;
  const steps = (report.steps as unknown[]).filter((s): s is { name: string; status: string } => typeof s === 'object' && s !== null && typeof (s as { name?: unknown }).name === 'string' && (s as { status?: unknown }).status === 'done');
  return { preset, steps: steps.map((s) => s.name).filter((n) => n !== 'prior') };
}

export async function readPriorCase(outDir: string): Promise<PriorCase & { files: string[] }> {
  const reportPath = join(outDir, REGISTRATION_OUTPUTS.report);
  if (!(await stat(reportPath).catch(() => undefined))) throw new InputError(outDir, 'not-found', `holds no ${REGISTRATION_OUTPUTS.report} (not a finished \`monge register\` output folder)`);
  let report: ReportSubset;
  try {
    report = (await readReportFile(reportPath)) as ReportSubset;
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(reportPath, 'malformed', 'is not a readable registration report');
  }
  if (report === null || typeof report !== 'object' || Array.isArray(report)) throw new InputError(reportPath, 'malformed', 'is not a registration report (a JSON object expected)');
  if (report.settings?.residualPrior) throw new InputError(outDir, 'unsupported', `was registered with a residual prior (${report.settings.residualPrior}); learn from runs without one`);
  const lm = report.inputs?.fixedLandmarks;
  if (!lm) throw new InputError(outDir, 'malformed', 'was registered without landmarks; a prior learns from landmark pairs');
  const moments = report.inputs?.fixedMomentsLps;
  if (!moments || !isTriple(moments.centreLps) || !isTriple(moments.spreadMm) || !moments.spreadMm.every((s) => s > 0)) {
    throw new InputError(reportPath, 'malformed', "has no fixed shape moments (inputs.fixedMomentsLps); register again with this Monge");
  }
  // One reading of the frame for both files (warpedLandmarksRunOf): a hand-edited value read one way for the warped
  // landmarks and another for the expert ones would make residuals of a mirrored pair.
  const frame = report.settings?.landmarksFrame ?? null;
  if (frame !== null && frame !== 'RAS' && frame !== 'LPS') throw new InputError(reportPath, 'malformed', `has an unknown landmarks frame ${JSON.stringify(frame)} ('RAS' or 'LPS')`);
  const run = warpedLandmarksRunOf(report);
  const warped = await readWarpedLandmarks(outDir, run);
  // The warped landmarks must be the ones the run wrote (reports from before the hash was recorded are trusted).
  const warpedPath = join(outDir, REGISTRATION_OUTPUTS.landmarksWarped);
  const recorded = report.landmarks?.warpedSha256;
  if (typeof recorded === 'string' && (await sha256Of(warpedPath)) !== recorded) {
    throw new InputError(warpedPath, 'malformed', `has been edited since ${outDir} was registered (its SHA-256 differs from the report's); register that case again`);
  }
  // The expert landmarks are re-read from their file: it must be the one the run measured against.
  const sha256Now = await sha256Of(lm.path).catch(() => undefined); // a missing file is reported by the read below
  if (typeof lm.sha256 === 'string' && sha256Now !== undefined && sha256Now !== lm.sha256) {
    throw new InputError(lm.path, 'malformed', `has changed since ${outDir} was registered (its SHA-256 differs from the report's); register that case again`);
  }
  const truth = await readPoints(lm.path, { ...(run.frame ? { assumeFrame: run.frame } : {}), ...(lm.prefix ? { prefix: lm.prefix } : {}) });
  if (warped.pointsLps.length !== truth.pointsLps.length) {
    throw new InputError(lm.path, 'count-mismatch', `has ${truth.pointsLps.length / 3} landmarks but ${outDir}'s warped landmarks are ${warped.pointsLps.length / 3}`);
  }
  const learnedWith = provenanceOf(report);
  return {
    name: outDir,
    ...(learnedWith ? { learnedWith } : {}),
    fixedMoments: moments,
    warpedLps: warped.pointsLps,
    truthLps: truth.pointsLps,
    files: [reportPath, warpedPath, lm.path],
  };
}
