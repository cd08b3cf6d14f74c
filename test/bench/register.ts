/**
 * End-to-end registration benchmark (`npm run bench -- register`): `monge register` on the DIR-Lab COPD1 mask
 * pair (expiration → inspiration), as a user runs it — a fresh process reading the two masks, extracting the
 * surfaces, running the lung preset's steps, warping the 300 landmarks and exporting the field at 2 mm — timed
 * from spawn to exit, with the child's peak memory (GNU time is not assumed: the child reports
 * process.resourceUsage().maxRSS through a --require'd hook). The acceptance bound is 20 s on the 2-core CPU.
 * It runs twice: as bin/monge.mjs (the sources through tsx) and as the bundled command the container image runs
 * (dist/cli/monge.mjs, built here by core/cli/build-cli.ts), with the ratio of the two.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildCli } from '../../core/cli/build-cli.ts';
import { REPO_ROOT, sharedPath } from '../support/data.ts';
import { benchScratch } from './scratch.ts';

const round = (v: number, digits = 2): number => Number(v.toFixed(digits));

export async function benchRegister(): Promise<Record<string, unknown>> {
  const data = sharedPath('lung', 'dirlab-copd');
  const moving = join(data, 'copd1_exp_lungmask.nii.gz');
  if (!existsSync(moving)) return { skipped: 'shared data absent (set MONGE_SHARED_DATA)' };
  const scratch = await benchScratch('monge-bench-register-');
  const work = scratch.dir;
  try {
    const rssFile = join(work, 'rss.txt');
    const hook = join(work, 'rss-hook.cjs');
    await writeFile(hook, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)));\n`);
    const landmarks = join(data, 'copd1_300_landmarks_mm.csv');
    const args = (script: string, out: string) => [
      script,
      'register',
      moving,
      join(data, 'copd1_insp_lungmask.nii.gz'),
      '-o',
      out,
      '--moving-landmarks',
      `${landmarks}`,
      '--fixed-landmarks',
      `${landmarks}`,
      '--moving-landmarks-prefix',
      'exp',
      '--fixed-landmarks-prefix',
      'insp',
      '--landmarks-frame',
      'ras',
      '--preset',
      'lung',
      '--field-spacing',
      '2',
      '--json',
    ];
    const run = async (script: string, out: string) => {
      const t0 = performance.now();
      const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--require', hook, ...args(script, out)], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1' } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (c) => resolve({ code: c, stdout, stderr }));
      });
      return { ...result, seconds: (performance.now() - t0) / 1000, peakRssMb: Math.round(Number(await readFile(rssFile, 'utf8')) / 1024) };
    };
    const { code, stdout, stderr, seconds, peakRssMb } = await run(join(REPO_ROOT, 'bin', 'monge.mjs'), join(work, 'out'));
    if (code !== 0) return { error: `monge register exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}` };
    const bundled = await run(join((await buildCli()).dir, 'monge.mjs'), join(work, 'out-bundled'));
    if (bundled.code !== 0) return { error: `the bundled monge register exited ${bundled.code}: ${bundled.stderr.trim().split('\n').slice(-3).join(' | ')}` };
    const summary = JSON.parse(stdout) as { steps?: { name: string; seconds: number }[]; metrics?: { before?: { tre?: { mean: number } }; after?: { tre?: { mean: number } } } };
    const report = JSON.parse(await readFile(join(work, 'out', 'report.json'), 'utf8')) as { steps?: { name: string; seconds: number }[] };
    const steps = summary.steps ?? report.steps ?? [];
    return {
      pair: 'DIR-Lab COPD1 masks, expiration → inspiration, lung preset, 2 mm field',
      wall_seconds: round(seconds),
      within_20s: seconds <= 20,
      peak_rss_mb: peakRssMb,
      steps: Object.fromEntries(steps.map((s) => [s.name, round(s.seconds)])),
      tre_mm: { before: summary.metrics?.before?.tre?.mean, after: summary.metrics?.after?.tre?.mean },
      bundled_cli: { wall_seconds: round(bundled.seconds), peak_rss_mb: bundled.peakRssMb, time_vs_sources: round(bundled.seconds / seconds, 3) },
    };
  } finally {
    await scratch.remove();
  }
}
