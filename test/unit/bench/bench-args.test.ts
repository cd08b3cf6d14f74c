// `npm run bench` checks its arguments before running anything: a typo must not start a half-hour benchmark, nor
// overwrite the last report with an empty one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { REPO_ROOT } from '../../support/data.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { waitFor } from '../../support/wait-for.ts';

const results = join(REPO_ROOT, '.bench', 'results.json');
const mtimeOf = (path: string): number | undefined => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
};
const bench = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join('test', 'bench', 'run.ts'), ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });

test('bench: unknown sections and options exit 2 before any section runs, writing no report; --help exits 0', () => {
  const before = mtimeOf(results);
  for (const [args, named] of [
    [['bogus'], /unknown section 'bogus'/],
    [['toString'], /unknown section 'toString'/],
    [['io', '--fast'], /unknown option '--fast'/],
  ] as const) {
    const run = bench([...args]);
    assert.equal(run.status, 2, args.join(' '));
    assert.equal(run.stdout, '', 'no report on stdout');
    assert.match(run.stderr, named);
    assert.doesNotMatch(run.stderr, /bench: io …/, 'no section ran');
  }
  const help = bench(['--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^Usage: npm run bench .*sections: io, kernels, gpu, ot, net, register/);
  assert.equal(mtimeOf(results), before, 'the last report is left as it was');
});

test('bench: stopped by Ctrl-C or SIGTERM mid-section, it removes its scratch folder and ends by the signal', async (t) => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    // Its own TMPDIR, so that the scratch folders seen are this run's.
    const tmp = await tempDir(t, 'bench-stop');
    const before = mtimeOf(results);
    const child = spawn(process.execPath, ['--import', 'tsx', join('test', 'bench', 'run.ts'), 'io'], { cwd: REPO_ROOT, env: { ...process.env, TMPDIR: tmp }, stdio: 'ignore' });
    const closed = once(child, 'close');
    const scratch = async (): Promise<string[]> => (await readdir(tmp)).filter((name) => name.startsWith('monge-bench-'));
    // Caught once the io section has written its first mesh into the folder.
    await waitFor(async () => {
      const [dir] = await scratch();
      return dir !== undefined && (await readdir(join(tmp, dir))).length > 0;
    }, child, 'the io section wrote into its scratch folder', 50);
    child.kill(signal);
    const [code, endedBy] = await closed;
    assert.equal(code, null, signal);
    assert.equal(endedBy, signal);
    assert.deepEqual(await scratch(), [], `no scratch folder left after ${signal}`);
    assert.equal(mtimeOf(results), before, 'no report written');
  }
});
