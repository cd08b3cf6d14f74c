// `npm run bench` checks its arguments before running anything: a typo must not start a half-hour benchmark, nor
// overwrite the last report with an empty one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/data.ts';

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
