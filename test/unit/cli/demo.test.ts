// `npm run demo`: the synthetic lung pair registered with the full pipeline, its error printed against the known
// motion; OUTDIR is its only argument, and a folder holding anything but an earlier demo's files is left alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/data.ts';
import { tempDir } from '../../support/temp-dir.ts';

const demo = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join('core', 'cli', 'demo.ts'), ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 300_000 });

test('demo: options and foreign folders are refused before any work; a run recovers the known motion', { timeout: 300_000 }, async (t) => {
  const dir = await tempDir(t, 'demo');
  assert.match(demo(['--help']).stdout, /^Usage: npm run demo \[-- OUTDIR\]/);
  for (const args of [['--fast'], [join(dir, 'a'), join(dir, 'b')]]) {
    const run = demo(args);
    assert.equal(run.status, 2, args.join(' '));
    assert.equal(run.stdout, '');
  }
  await writeFile(join(dir, 'moving.vtk'), 'mine');
  await writeFile(join(dir, 'notes.txt'), 'mine');
  const foreign = demo([dir]);
  assert.equal(foreign.status, 2);
  assert.match(foreign.stderr, /holds other files \(notes\.txt\)/);
  assert.equal(await readFile(join(dir, 'moving.vtk'), 'utf8'), 'mine', 'nothing written');

  const out = join(dir, 'out');
  const run = demo([out]);
  assert.equal(run.status, 0, run.stderr);
  const meanOf = (phase: string): number => Number(new RegExp(`^  ${phase} +mean ([0-9.]+)`, 'm').exec(run.stdout)?.[1]);
  // The known motion is ~9.5 mm on average; the pipeline recovers it to under a tenth.
  assert.ok(meanOf('identity') > 5, run.stdout);
  assert.ok(meanOf('finetune') < 0.1 * meanOf('identity'), run.stdout);
  assert.match(run.stdout, /folding 0\.000 %/);
  assert.deepEqual((await readdir(out)).sort(), ['fixed.vtk', 'moving.vtk', 'registration']);
  assert.ok((await readdir(join(out, 'registration'))).includes('report.json'));
});
