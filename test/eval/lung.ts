/**
 * `npm run eval:lung`: the registration pipeline on DIR-Lab COPDGene cases 1–5 (Castillo et al., Phys. Med. Biol.
 * 58 (2013) 2861), from the lung masks alone — expiration mask = moving, inspiration mask = fixed, the 300 expert
 * landmark pairs of `copdN_300_landmarks_mm.csv` (columns exp_* / insp_*, RAS, the masks' NIfTI world frame) warped
 * and compared. Each case runs `register()` end to end (surfaces, pipeline, metrics, the 2 mm field export, every
 * output file) and is timed.
 *
 * Prints a table of the mean TRE per case and phase (identity, after each step) and of the final map's TRE the other
 * way (inspiration landmarks through the exported field, Learn2Reg's convention), with the spread across cases,
 * and writes everything to .bench/eval-lung.json.
 *
 *   npm run eval:lung                    all five cases, lung preset
 *   npm run eval:lung -- --cases 1,3     some cases
 *   npm run eval:lung -- --keep DIR      keep the output folders under DIR
 *   npm run eval:lung -- --steps prealign,finetune --preset lung --field-spacing 2 --engine cpu --diffeomorphic
 *   npm run eval:lung -- --prior-loo     also the cohort residual prior, leave-one-out: each case registered again
 *                                        with a prior learned from the other cases' runs (`monge train-prior`)
 *   npm run eval:lung -- --cases 6,7 --prior FILE   each case registered again with a given prior (e.g. one
 *                                        learned from cases 1–5, for cases it has not seen)
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { GridSampler } from '../../core/field/grid-sampler.ts';
import { readImage } from '../../core/io/images/read-image.ts';
import { readPoints } from '../../core/io/points/index.ts';
import { register, type RegistrationSummary } from '../../core/registration/index.ts';
import { readWarpedLandmarks } from '../../core/registration/warped-landmarks.ts';
import { readPriorCase, trainResidualPrior, writeResidualPrior } from '../../core/registration/prior/index.ts';
import { REPO_ROOT, sharedPath } from '../support/data.ts';
import { engineOption, evalOptions, existingFile, listOption, presetOption, stepsOption, usageExit } from './eval-args.ts';
import { formatTable, meanAndSpread } from './table.ts';

const SCRIPT = 'eval:lung';
const USAGE = `Usage: npm run eval:lung [-- --cases 1,2,3,4,5] [--steps prealign,net,finetune] [--preset lung] [--field-spacing 2]
                         [--engine NAME] [--diffeomorphic] [--prior-loo | --prior FILE] [--keep DIR] [--out FILE]
Registers DIR-Lab COPD cases (expiration mask onto inspiration mask) and prints the TRE per case and step;
JSON to --out (default .bench/eval-lung.json).\n`;

const { values } = evalOptions(SCRIPT, USAGE, () =>
  parseArgs({
    options: {
      cases: { type: 'string', default: '1,2,3,4,5' },
      keep: { type: 'string' },
      steps: { type: 'string' },
      preset: { type: 'string', default: 'lung' },
      'field-spacing': { type: 'string', default: '2' },
      engine: { type: 'string' },
      diffeomorphic: { type: 'boolean' },
      'prior-loo': { type: 'boolean' },
      prior: { type: 'string' },
      out: { type: 'string', default: join(REPO_ROOT, '.bench', 'eval-lung.json') },
    },
  }),
);

const DATA = sharedPath('lung', 'dirlab-copd');
// Every option is checked here, before the first registration.
const cases = listOption(SCRIPT, '--cases', values.cases, (c) => /^[1-9][0-9]*$/.test(c), 'a case number').map(Number);
const steps = stepsOption(SCRIPT, values.steps);
const preset = presetOption(SCRIPT, values.preset);
const fieldSpacingMm = Number(values['field-spacing']);
if (!(fieldSpacingMm > 0)) usageExit(SCRIPT, `--field-spacing: '${values['field-spacing']}' is not a positive number of mm`);
const engine = engineOption(SCRIPT, values.engine);
if (values['prior-loo'] && values.prior) usageExit(SCRIPT, 'give --prior-loo or --prior, not both');
if (values['prior-loo'] && cases.length < 2) usageExit(SCRIPT, '--prior-loo needs at least two cases');
if (values.prior) existingFile(SCRIPT, '--prior', values.prior);
for (const c of cases) existingFile(SCRIPT, '--cases', join(DATA, `copd${c}_exp_lungmask.nii.gz`));
const workRoot = values.keep ?? (await mkdtemp(join(tmpdir(), 'monge-eval-lung-')));
await mkdir(workRoot, { recursive: true });

interface CaseResult {
  case: string;
  seconds: number;
  tre: Record<string, number>;
  treDetail: Record<string, unknown>;
  surfaceChamferMm: Record<string, number>;
  foldingFractionInsideMask: number;
  jacobianMinInsideMask: number;
  inversionMaxResidualMm: number;
  /**
   * The final map's TRE the other way, Learn2Reg's convention: |y + T(y) − x|, fixed (inspiration) landmarks y
   * through the exported field T against the expiration landmarks x, in the expiration frame (report.json).
   */
  treThroughField: number;
  /** The same after the residual prior (--prior-loo, --prior). */
  treThroughFieldWithPrior?: number;
  /** |x − (φ(x) + T(φ(x)))| at the 300 moving landmarks, T read back from field.nii.gz (mm). */
  inverseConsistencyMm: { mean: number; max: number };
  steps: RegistrationSummary['steps'];
  warnings: string[];
}

/** Registers case `c` into `outDir` (with a residual prior when given) and measures it. */
async function runCase(c: number, outDir: string, residualPrior?: string): Promise<CaseResult> {
  const name = `copd${c}`;
  await rm(outDir, { recursive: true, force: true });
  const t0 = performance.now();
  const summary = await register({
    moving: join(DATA, `${name}_exp_lungmask.nii.gz`),
    fixed: join(DATA, `${name}_insp_lungmask.nii.gz`),
    outDir,
    movingLandmarks: join(DATA, `${name}_300_landmarks_mm.csv`),
    fixedLandmarks: join(DATA, `${name}_300_landmarks_mm.csv`),
    movingLandmarksPrefix: 'exp',
    fixedLandmarksPrefix: 'insp',
    landmarksFrame: 'RAS',
    preset,
    fieldSpacingMm,
    ...(steps ? { steps } : {}),
    ...(engine ? { engine } : {}),
    ...(values.diffeomorphic ? { diffeomorphic: true } : {}),
    ...(residualPrior ? { residualPrior } : {}),
  });
  const seconds = (performance.now() - t0) / 1000;
  const report = JSON.parse(await readFile(join(outDir, 'report.json'), 'utf8')) as {
    metrics: Record<string, { tre?: { mean: number; median: number; std: number; p90: number; max: number }; surfaceDistance: { chamferMm: number } }>;
    field: { inversion: { maxResidualMm: number } };
    landmarks: { errorThroughField: { mean: number } };
  };
  const phases = ['before', ...summary.steps.filter((s) => s.status === 'done').map((s) => s.name), ...(residualPrior ? ['prior'] : [])];
  const tre: Record<string, number> = {};
  const treDetail: Record<string, unknown> = {};
  const chamfer: Record<string, number> = {};
  for (const p of phases) {
    tre[p] = report.metrics[p].tre!.mean;
    treDetail[p] = report.metrics[p].tre;
    chamfer[p] = report.metrics[p].surfaceDistance.chamferMm;
  }
  // Inverse consistency inside the lung: moving landmarks x, their warp φ(x), and the exported field T there.
  const moving = await readPoints(join(DATA, `${name}_300_landmarks_mm.csv`), { prefix: 'exp', assumeFrame: 'RAS' });
  const warped = await readWarpedLandmarks(outDir, { frame: 'RAS', movingPrefix: 'exp' });
  const field = new GridSampler(await readImage(join(outDir, 'field.nii.gz')));
  const t = new Float64Array(3);
  let sum = 0;
  let max = 0;
  for (let i = 0; i < moving.pointsLps.length; i += 3) {
    const p = warped.pointsLps.subarray(i, i + 3);
    field.linear(p[0], p[1], p[2], t, 0, 'zero');
    const e = Math.hypot(p[0] + t[0] - moving.pointsLps[i], p[1] + t[1] - moving.pointsLps[i + 1], p[2] + t[2] - moving.pointsLps[i + 2]);
    sum += e;
    max = Math.max(max, e);
  }
  const inverseConsistencyMm = { mean: sum / (moving.pointsLps.length / 3), max };
  const result: CaseResult = {
    case: name,
    inverseConsistencyMm,
    treThroughField: report.landmarks.errorThroughField.mean,
    seconds,
    tre,
    treDetail,
    surfaceChamferMm: chamfer,
    foldingFractionInsideMask: summary.jacobian.insideFixed.nonPositiveFraction,
    jacobianMinInsideMask: summary.jacobian.insideFixed.min,
    inversionMaxResidualMm: report.field.inversion.maxResidualMm,
    steps: summary.steps,
    warnings: summary.warnings,
  };
  const line = phases.map((p) => `${p} ${tre[p].toFixed(2)}`).join(', ');
  process.stderr.write(
    `${name}: TRE ${line} mm (through the field, fixed → moving: ${result.treThroughField.toFixed(2)}); ${seconds.toFixed(1)} s; folding ${(100 * summary.jacobian.insideFixed.nonPositiveFraction).toFixed(3)} %; ` +
      `inverse consistency mean ${inverseConsistencyMm.mean.toFixed(3)}, max ${inverseConsistencyMm.max.toFixed(3)} mm\n`,
  );
  return result;
}

const results: CaseResult[] = [];
for (const c of cases) results.push(await runCase(c, join(workRoot, `copd${c}`)));
// Residual prior: given (--prior), or leave-one-out (--prior-loo: each case's prior learned from the other cases' runs only).
const priorRuns: CaseResult[] = [];
if (values['prior-loo'] || values.prior) {
  // Every case's runs are read once; each leave-one-out prior is learned from all but one of them.
  const priorCases = values.prior ? [] : await Promise.all(cases.map((k) => readPriorCase(join(workRoot, `copd${k}`))));
  for (const [i, c] of cases.entries()) {
    let priorPath = values.prior;
    if (!priorPath) {
      priorPath = join(workRoot, `prior-without-copd${c}.json`);
      await writeResidualPrior(priorPath, trainResidualPrior(priorCases.filter((_, k) => k !== i)));
    }
    const run = await runCase(c, join(workRoot, `copd${c}-prior`), priorPath);
    priorRuns.push(run);
    const base = results.find((r) => r.case === run.case)!;
    base.tre.prior = run.tre.prior;
    base.treDetail.prior = run.treDetail.prior;
    base.treThroughFieldWithPrior = run.treThroughField;
  }
}

const phases = ['before', 'prealign', 'net', 'finetune', 'prior'].filter((p) => results.every((r) => r.tre[p] !== undefined));
// The final map's TRE through the field (Learn2Reg's convention), without and with the prior.
const viaField = [(r: CaseResult) => r.treThroughField, ...(priorRuns.length > 0 ? [(r: CaseResult) => r.treThroughFieldWithPrior!] : [])];
const viaFieldSummary = viaField.map((f) => meanAndSpread(results.map(f)));
const rows = results.map((r) => [r.case, ...phases.map((p) => r.tre[p].toFixed(2)), ...viaField.map((f) => f(r).toFixed(2)), (100 * r.foldingFractionInsideMask).toFixed(3), r.inverseConsistencyMm.max.toFixed(3), r.seconds.toFixed(1)]);
const summaryRows = phases.map((p) => meanAndSpread(results.map((r) => r.tre[p])));
const seconds = meanAndSpread(results.map((r) => r.seconds));
rows.push([
  'mean',
  ...summaryRows.map((s) => s.mean.toFixed(2)),
  ...viaFieldSummary.map((s) => s.mean.toFixed(2)),
  (100 * meanAndSpread(results.map((r) => r.foldingFractionInsideMask)).mean).toFixed(3),
  Math.max(...results.map((r) => r.inverseConsistencyMm.max)).toFixed(3),
  seconds.mean.toFixed(1),
]);
rows.push(['SD across cases', ...[...summaryRows, ...viaFieldSummary].map((s) => s.sd.toFixed(2)), '', '', seconds.sd.toFixed(1)]);
rows.push(['min … max', ...[...summaryRows, ...viaFieldSummary].map((s) => `${s.min.toFixed(2)} … ${s.max.toFixed(2)}`), '', '', `${seconds.min.toFixed(1)} … ${seconds.max.toFixed(1)}`]);
process.stdout.write(`\nDIR-Lab COPD, mean TRE (mm) per case after each step (masks only, preset ${values.preset}); 'via field': the final map's TRE with the inspiration landmarks carried through the exported field to the expiration frame (Learn2Reg's convention):\n\n`);
process.stdout.write(formatTable(['case', ...phases.map((p) => (p === 'prior' ? (values.prior ? 'prior' : 'prior (LOO)') : p)), 'via field', ...(priorRuns.length > 0 ? ['via field, prior'] : []), 'folding %', 'inv. cons. max mm', 'time s'], rows));
if (priorRuns.length > 0) {
  const worst = Math.max(...priorRuns.map((r) => r.foldingFractionInsideMask));
  const ic = Math.max(...priorRuns.map((r) => r.inverseConsistencyMm.max));
  process.stdout.write(`\nWith the ${values.prior ? 'given' : 'leave-one-out'} prior: folding at most ${(100 * worst).toFixed(3)} %, inverse consistency at most ${ic.toFixed(3)} mm.\n`);
}

const out = {
  date: new Date().toISOString(),
  machine: { cpus: availableParallelism(), cpu_model: cpus()[0]?.model, node: process.version },
  preset: values.preset,
  steps: steps ?? 'all',
  fieldSpacingMm: Number(values['field-spacing']),
  cases: results,
  ...(priorRuns.length > 0 ? { prior: { file: values.prior ?? 'leave-one-out', runs: priorRuns } } : {}),
  mean: Object.fromEntries(phases.map((p, i) => [p, summaryRows[i]])),
  meanThroughField: { final: viaFieldSummary[0], ...(viaFieldSummary[1] ? { withPrior: viaFieldSummary[1] } : {}) },
  secondsPerCase: seconds,
};
await mkdir(join(values.out, '..'), { recursive: true });
await writeFile(values.out, `${JSON.stringify(out, null, 2)}\n`);
process.stderr.write(`wrote ${values.out}\n`);
if (!values.keep) await rm(workRoot, { recursive: true, force: true });
