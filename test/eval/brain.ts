/**
 * `npm run eval:brain`: the registration pipeline on FreeSurfer fsaverage5 white → pial surfaces (both
 * hemispheres, each registered on its own). The two surfaces share one triangulation, so vertex i of the white
 * surface corresponds to vertex i of the pial surface: the mean vertex error (|φ(white_i) − pial_i|, mm) is an exact
 * dense ground truth (identity: 2.51 mm). Also reported: the surface distance (chamfer, HD95) and the time.
 *
 *   npm run eval:brain
 *   npm run eval:brain -- --hemispheres left --steps prealign,finetune --keep DIR
 *
 * Results go to .bench/eval-brain.json.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { register, type RegistrationSummary } from '../../core/registration/index.ts';
import { REPO_ROOT, sharedPath } from '../support/data.ts';
import { engineOption, evalOptions, listOption, presetOption, stepsOption } from './eval-args.ts';
import { formatTable, meanAndSpread } from './table.ts';

const SCRIPT = 'eval:brain';
const USAGE = `Usage: npm run eval:brain [-- --hemispheres left,right] [--steps prealign,net,finetune] [--preset brain]
                          [--engine NAME] [--keep DIR] [--out FILE]
Registers fsaverage5 white onto pial surfaces and prints the mean vertex error per hemisphere and step;
JSON to --out (default .bench/eval-brain.json).\n`;

const { values } = evalOptions(SCRIPT, USAGE, () =>
  parseArgs({
    options: {
      hemispheres: { type: 'string', default: 'left,right' },
      keep: { type: 'string' },
      steps: { type: 'string' },
      preset: { type: 'string', default: 'brain' },
      engine: { type: 'string' },
      out: { type: 'string', default: join(REPO_ROOT, '.bench', 'eval-brain.json') },
    },
  }),
);

const DATA = sharedPath('brain', 'fsaverage5');
// Every option is checked here, before the first registration.
const hemispheres = listOption(SCRIPT, '--hemispheres', values.hemispheres, (h) => h === 'left' || h === 'right', 'left or right');
const steps = stepsOption(SCRIPT, values.steps);
const preset = presetOption(SCRIPT, values.preset);
const engine = engineOption(SCRIPT, values.engine);
const workRoot = values.keep ?? (await mkdtemp(join(tmpdir(), 'monge-eval-brain-')));
await mkdir(workRoot, { recursive: true });

interface PhaseRow {
  vertexErrorMm: number;
  vertexErrorP90Mm: number;
  chamferMm: number;
  hausdorff95Mm: number;
}

interface HemisphereResult {
  hemisphere: string;
  seconds: number;
  phases: Record<string, PhaseRow>;
  foldingFraction: number;
  steps: RegistrationSummary['steps'];
}

const results: HemisphereResult[] = [];
for (const h of hemispheres) {
  const outDir = join(workRoot, h);
  await rm(outDir, { recursive: true, force: true });
  const t0 = performance.now();
  const summary = await register({
    moving: join(DATA, `white_${h}.gii.gz`),
    fixed: join(DATA, `pial_${h}.gii.gz`),
    outDir,
    preset,
    ...(steps ? { steps } : {}),
    ...(engine ? { engine } : {}),
  });
  const seconds = (performance.now() - t0) / 1000;
  const report = JSON.parse(await readFile(join(outDir, 'report.json'), 'utf8')) as {
    metrics: Record<string, { vertexError?: { mean: number; p90: number }; surfaceDistance: { chamferMm: number; hausdorff95Mm: number } }>;
  };
  const phases: Record<string, PhaseRow> = {};
  for (const p of ['before', ...summary.steps.filter((s) => s.status === 'done').map((s) => s.name)]) {
    const m = report.metrics[p];
    phases[p] = {
      vertexErrorMm: m.vertexError!.mean,
      vertexErrorP90Mm: m.vertexError!.p90,
      chamferMm: m.surfaceDistance.chamferMm,
      hausdorff95Mm: m.surfaceDistance.hausdorff95Mm,
    };
  }
  results.push({ hemisphere: h, seconds, phases, foldingFraction: summary.jacobian.insideFixed.nonPositiveFraction, steps: summary.steps });
  process.stderr.write(
    `${h}: vertex error ${Object.entries(phases)
      .map(([p, r]) => `${p} ${r.vertexErrorMm.toFixed(3)}`)
      .join(', ')} mm; ${seconds.toFixed(1)} s\n`,
  );
}

const phaseNames = ['before', 'prealign', 'net', 'finetune'].filter((p) => results.every((r) => r.phases[p] !== undefined));
const header = ['hemisphere', ...phaseNames.map((p) => `${p} vertex err`), 'chamfer after', 'HD95 after', 'folding %', 'time s'];
const last = phaseNames[phaseNames.length - 1];
const rows = results.map((r) => [
  r.hemisphere,
  ...phaseNames.map((p) => r.phases[p].vertexErrorMm.toFixed(3)),
  r.phases[last].chamferMm.toFixed(3),
  r.phases[last].hausdorff95Mm.toFixed(3),
  (100 * r.foldingFraction).toFixed(3),
  r.seconds.toFixed(1),
]);
const means = phaseNames.map((p) => meanAndSpread(results.map((r) => r.phases[p].vertexErrorMm)));
rows.push([
  'mean',
  ...means.map((m) => m.mean.toFixed(3)),
  meanAndSpread(results.map((r) => r.phases[last].chamferMm)).mean.toFixed(3),
  meanAndSpread(results.map((r) => r.phases[last].hausdorff95Mm)).mean.toFixed(3),
  (100 * meanAndSpread(results.map((r) => r.foldingFraction)).mean).toFixed(3),
  meanAndSpread(results.map((r) => r.seconds)).mean.toFixed(1),
]);
process.stdout.write(`\nfsaverage5 white → pial, mean vertex error (mm) after each step (preset ${values.preset}):\n\n`);
process.stdout.write(formatTable(header, rows));

const out = {
  date: new Date().toISOString(),
  machine: { cpus: availableParallelism(), cpu_model: cpus()[0]?.model, node: process.version },
  preset: values.preset,
  steps: steps ?? 'all',
  hemispheres: results,
  meanVertexErrorMm: Object.fromEntries(phaseNames.map((p, i) => [p, means[i].mean])),
};
await mkdir(join(values.out, '..'), { recursive: true });
await writeFile(values.out, `${JSON.stringify(out, null, 2)}\n`);
process.stderr.write(`wrote ${values.out}\n`);
if (!values.keep) await rm(workRoot, { recursive: true, force: true });
