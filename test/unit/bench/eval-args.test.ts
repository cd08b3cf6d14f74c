// The evaluation scripts (`npm run eval:*`) register real cases for minutes: a mistaken option must stop them before
// any work (exit 2, naming it), and --help must print their usage instead of starting a run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/data.ts';

const evalScript = (script: string, args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', join('test', 'eval', script), ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });

test('eval scripts: bad options exit 2 before any registration; --help prints the usage', () => {
  for (const [script, args, named] of [
    ['lung.ts', ['--cases', '1,x'], /--cases: 'x' is not a case number/],
    ['lung.ts', ['--cases', '1,1', '--prior-loo'], /--cases: '1' is given twice/],
    ['lung.ts', ['--steps', 'prealign,warp'], /--steps: 'warp' is not a step/],
    ['lung.ts', ['--prior-loo', '--prior', 'p.json'], /give --prior-loo or --prior, not both/],
    ['lung.ts', ['--field-spacing', '0'], /--field-spacing: '0' is not a positive number/],
    ['lung.ts', ['--bogus'], /Unknown option '--bogus'/],
    ['brain.ts', ['--hemispheres', 'left,rigth'], /--hemispheres: 'rigth' is not left or right/],
    ['brain.ts', ['--engine', 'cuda'], /--engine: 'cuda' is not one of/],
    ['ablation.ts', ['--only', 'lungs'], /--only: 'lungs' is not lung or brain/],
  ] as const) {
    const run = evalScript(script, [...args]);
    assert.equal(run.status, 2, `${script} ${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, named);
    assert.equal(run.stdout, '');
  }
  for (const script of ['lung.ts', 'brain.ts', 'ablation.ts']) {
    const help = evalScript(script, ['--help']);
    assert.equal(help.status, 0, script);
    assert.match(help.stdout, /^Usage: npm run eval:/);
  }
});
