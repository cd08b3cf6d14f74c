import { numberOption, parseCommandLine, UsageError } from '../../options/index.ts';
import { provenanceWords, readPriorCase, trainResidualPrior, writeResidualPrior, PRIOR_DEFAULTS } from '../../registration/prior/index.ts';
import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import { outputFileProblem } from '../../io/output-file.ts';
import type { Command } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { printJson, printResult } from '../output.ts';

export const trainPriorCommand: Command = {
  name: 'train-prior',
  summary: "learn a cohort's systematic landmark error from registered cases (a residual prior)",
  help: `Usage: monge train-prior OUTDIR... -o PRIOR.json [--sigma S] [--shrink A] [--json]

Reads the output folders of \`monge register\` runs made WITH landmarks (and without a prior), and stores each
case's residual (expert fixed landmark − warped moving landmark) in the case's normalised fixed frame
((p − centroid) / per-axis spread of the fixed shape). \`monge register --residual-prior PRIOR.json\` then adds
the shrunk kernel average of these residuals to a new case's map — a correction of what the pipeline gets wrong
the same way in every patient of a protocol (DIR-Lab COPD, lung preset, each case corrected by the four others:
mean TRE 6.54 → 6.08 mm). Learn from cases registered with the same preset and steps, and in the same scanner
orientation as the cases you will correct. The fixed landmark file is re-read from the (absolute) path in each
report.json, so it must still be there.

Options:
  -o, --out FILE   the prior (JSON; written atomically)
  --sigma S        kernel width in multiples of the fixed shape's spread (default ${PRIOR_DEFAULTS.sigma})
  --shrink A       share of the cohort's mean residual applied, in (0, 1] (default ${PRIOR_DEFAULTS.shrink})
  --json           JSON on stdout: {out, cases, landmarks, sigma, shrink}
  -h, --help       this help`,
  async run(argv) {
    const { values, positionals } = parseCommandLine(
      argv,
      { out: { type: 'string', short: 'o' }, sigma: { type: 'string' }, shrink: { type: 'string' }, json: { type: 'boolean' } },
      { min: 1, max: Infinity, names: 'OUTDIR...' },
    );
    if (!values.out) throw new UsageError('give the prior file to write with -o / --out');
    const sigma = numberOption(values.sigma, '--sigma', (v) => v > 0);
    const shrink = numberOption(values.shrink, '--shrink', (v) => v > 0 && v <= 1);
    // A case given twice would weigh twice in the kernel average.
    const seen = new Map<string, string>();
    for (const dir of positionals) {
      const real = await realpath(dir).catch(() => resolve(dir));
      const earlier = seen.get(real);
      if (earlier !== undefined) throw new UsageError(`${dir} is the case ${earlier} again; give each case once`);
      seen.set(real, dir);
    }
    const cases = [];
    for (const dir of positionals) cases.push(await readPriorCase(dir));
    // A prior corrects the error of one way of registering: cases registered differently do not share it.
    const ways = new Map(cases.filter((c) => c.learnedWith).map((c) => [provenanceWords(c.learnedWith!), c.name]));
    if (ways.size > 1) throw new UsageError(`the cases were registered differently (${[...ways].map(([w, name]) => `${name}: ${w}`).join('; ')}); learn from runs made the same way`);
    // Never over what the cases were read from (their report, warped landmarks, the expert landmark file).
    const problem = await outputFileProblem(values.out, cases.flatMap((c) => c.files), 'any');
    if (problem) throw new UsageError(problem);
    const prior = trainResidualPrior(cases, { ...(sigma !== undefined ? { sigma } : {}), ...(shrink !== undefined ? { shrink } : {}) });
    await writeResidualPrior(values.out, prior);
    const summary = { out: values.out, cases: prior.cases.length, landmarks: prior.pointsNormalised.length / 3, sigma: prior.sigma, shrink: prior.shrink };
    if (values.json) printJson(summary);
    else printResult(`${summary.out}: ${summary.landmarks} landmarks of ${summary.cases} cases (σ ${summary.sigma}, α ${summary.shrink})`);
    return EXIT.ok;
  },
};
