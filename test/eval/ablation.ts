/**
 * `npm run eval:ablation`: the step ablation of the registration pipeline (issue: learned registration, step 6) on
 * DIR-Lab COPD 1–5 (mean TRE, mm) and fsaverage5 white → pial (mean vertex error, mm):
 *   prealign | prealign + net | prealign + finetune | prealign + net + finetune.
 * Two runs per dataset: the full pipeline (its report gives the metrics after prealign, after net and after
 * finetune) and prealign + finetune. Each run is the ordinary evaluation script (test/eval/lung.ts, brain.ts) in
 * its own process; their JSON goes to .bench/ablation/, the table to stdout and .bench/eval-ablation.json.
 *
 *   npm run eval:ablation                       both datasets
 *   npm run eval:ablation -- --only lung        one of them (lung | brain)
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../support/data.ts';
import { evalOptions, usageExit } from './eval-args.ts';
import { formatTable, meanAndSpread } from './table.ts';

const SCRIPT = 'eval:ablation';
const USAGE = `Usage: npm run eval:ablation [-- --only lung|brain]
Runs eval:lung and eval:brain with and without the network step; the table to stdout and .bench/eval-ablation.json.\n`;
const { values } = evalOptions(SCRIPT, USAGE, () => parseArgs({ options: { only: { type: 'string' } } }));
// A typo here ran both datasets, the whole evaluation.
if (values.only !== undefined && values.only !== 'lung' && values.only !== 'brain') usageExit(SCRIPT, `--only: '${values.only}' is not lung or brain`);
const OUT = join(REPO_ROOT, '.bench', 'ablation');
await mkdir(OUT, { recursive: true });

function run(script: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'test', 'eval', script), ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${script} ${args.join(' ')} exited ${code}`))));
  });
}

type Column = 'prealign' | 'prealign + net' | 'prealign + finetune' | 'prealign + net + finetune';
const COLUMNS: Column[] = ['prealign', 'prealign + net', 'prealign + finetune', 'prealign + net + finetune'];

/** Per item (case or hemisphere) and column, the metric; plus 'before'. */
type Table = Map<string, Partial<Record<Column | 'before', number>>>;

async function lung(): Promise<Table> {
  const all = join(OUT, 'lung-all.json');
  const noNet = join(OUT, 'lung-prealign-finetune.json');
  await run('lung.ts', ['--steps', 'prealign,net,finetune', '--out', all]);
  await run('lung.ts', ['--steps', 'prealign,finetune', '--out', noNet]);
  type LungJson = { cases: { case: string; tre: Record<string, number> }[] };
  const a = JSON.parse(await readFile(all, 'utf8')) as LungJson;
  const b = JSON.parse(await readFile(noNet, 'utf8')) as LungJson;
  const table: Table = new Map();
  for (const c of a.cases) {
    const other = b.cases.find((x) => x.case === c.case);
    table.set(c.case, { before: c.tre.before, prealign: c.tre.prealign, 'prealign + net': c.tre.net, 'prealign + finetune': other?.tre.finetune, 'prealign + net + finetune': c.tre.finetune });
  }
  return table;
}

async function brain(): Promise<Table> {
  const all = join(OUT, 'brain-all.json');
  const noNet = join(OUT, 'brain-prealign-finetune.json');
  await run('brain.ts', ['--steps', 'prealign,net,finetune', '--out', all]);
  await run('brain.ts', ['--steps', 'prealign,finetune', '--out', noNet]);
  type BrainJson = { hemispheres: { hemisphere: string; phases: Record<string, { vertexErrorMm: number }> }[] };
  const a = JSON.parse(await readFile(all, 'utf8')) as BrainJson;
  const b = JSON.parse(await readFile(noNet, 'utf8')) as BrainJson;
  const table: Table = new Map();
  for (const h of a.hemispheres) {
    const other = b.hemispheres.find((x) => x.hemisphere === h.hemisphere);
    const at = (p: string): number | undefined => h.phases[p]?.vertexErrorMm;
    table.set(h.hemisphere, { before: at('before'), prealign: at('prealign'), 'prealign + net': at('net'), 'prealign + finetune': other?.phases.finetune?.vertexErrorMm, 'prealign + net + finetune': at('finetune') });
  }
  return table;
}

function print(title: string, table: Table): Record<string, unknown> {
  const cols: (Column | 'before')[] = ['before', ...COLUMNS];
  const rows = [...table.entries()].map(([name, r]) => [name, ...cols.map((c) => (r[c] === undefined ? '—' : r[c]!.toFixed(2)))]);
  const means = Object.fromEntries(cols.map((c) => [c, meanAndSpread([...table.values()].map((r) => r[c] ?? Number.NaN))]));
  rows.push(['mean', ...cols.map((c) => means[c].mean.toFixed(2))]);
  process.stdout.write(`\n${title}\n\n${formatTable(['', ...cols], rows)}`);
  return { items: Object.fromEntries(table), mean: Object.fromEntries(cols.map((c) => [c, means[c].mean])) };
}

const result: Record<string, unknown> = { date: new Date().toISOString() };
if (values.only !== 'brain') result.lung = print('DIR-Lab COPD 1–5, masks only: mean TRE (mm)', await lung());
if (values.only !== 'lung') result.brain = print('fsaverage5 white → pial: mean vertex error (mm)', await brain());
await writeFile(join(REPO_ROOT, '.bench', 'eval-ablation.json'), `${JSON.stringify(result, null, 2)}\n`);
