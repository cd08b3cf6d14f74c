// `monge train` as a command object (the lead registers it in core/cli/main.ts): usage mistakes are usage errors
// (exit 2), unreadable data is an InputError naming the file (exit 3), and --help documents the options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { expandMultiValues, trainCommand } from '../../../core/cli/commands/train.ts';
import { EXIT, UsageError } from '../../../core/cli/exit-codes.ts';
import { reportError } from '../../../core/cli/main.ts';
import { InputError } from '../../../core/io/errors.ts';
import { parseDataSpec } from '../../../core/registration/net/training-data.ts';
import { tempDir } from '../../support/temp-dir.ts';


async function exitCodeOf(argv: string[]): Promise<{ code: number; error: unknown }> {
  try {
    return { code: await trainCommand.run(argv), error: undefined };
  } catch (e) {
    const stderr = process.stderr.write;
    process.stderr.write = () => true;
    try {
      return { code: reportError('train', e), error: e };
    } finally {
      process.stderr.write = stderr;
    }
  }
}

test('usage mistakes exit 2', async (t) => {
  const dir = await tempDir(t, 'net-cli');
  for (const argv of [
    ['--data', 'x.vtk', '--out', dir],
    ['--preset', 'liver', '--data', 'x.vtk', '--out', dir],
    ['--preset', 'lung', '--out', dir],
    ['--preset', 'lung', '--data', 'x.vtk'],
    ['--preset', 'lung', '--data', 'x.vtk', '--out', dir, '--epochs', '0'],
    ['--preset', 'lung', '--data', 'x.vtk', '--out', dir, '--backend', 'webgl'],
    ['--preset', 'lung', '--data', 'x.vtk:scale=-1', '--out', dir],
    ['--preset', 'lung', '--data', 'x.vtk', '--out', dir, '--unknown'],
    ['--preset', 'lung', '--out', dir, 'stray.vtk'],
    ['--preset', 'lung', '--data', 'x.vtk', '--out', dir, '--unlabeled-moving', 'a.vtk', 'b.vtk', '--unlabeled-fixed', 'c.vtk'],
    ['--preset', 'lung', '--data', 'x.vtk', '--out', dir, '--unlabeled-weight', '2'],
  ]) {
    const { code, error } = await exitCodeOf(argv);
    assert.equal(code, EXIT.usage, argv.join(' '));
    assert.ok(error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'), String(error));
  }
});

test('missing or unreadable data exits 3 with the file named', async (t) => {
  const dir = await tempDir(t, 'net-cli-data');
  const missing = join(dir, 'nowhere.vtk');
  const { code, error } = await exitCodeOf(['--preset', 'brain', '--data', missing, '--out', join(dir, 'out')]);
  assert.equal(code, EXIT.badInput);
  assert.ok(error instanceof InputError && error.file === missing);
  const empty = await tempDir(t, 'net-cli-empty');
  const r = await exitCodeOf(['--preset', 'brain', '--data', empty, '--out', join(dir, 'out')]);
  assert.equal(r.code, EXIT.badInput);
  assert.ok(r.error instanceof InputError && r.error.file === empty && r.error.problem === 'empty');
});

test('several paths after --data or --val-data belong to that option', () => {
  assert.deepEqual(expandMultiValues(['--preset', 'lung', '--data', 'a', 'b', '--val-data', 'c', 'd', '--out', 'o', '--resume']), [
    '--preset',
    'lung',
    '--data',
    'a',
    '--data',
    'b',
    '--val-data',
    'c',
    '--val-data',
    'd',
    '--out',
    'o',
    '--resume',
  ]);
});

test('data specs: PATH or PATH:scale=S; help lists the options', () => {
  assert.deepEqual(parseDataSpec('a/b.vtk'), { path: 'a/b.vtk' });
  assert.deepEqual(parseDataSpec('C:\\data\\v.vtk:scale=100'), { path: 'C:\\data\\v.vtk', scale: 100 });
  assert.throws(() => parseDataSpec('v.vtk:scale=0'), RangeError);
  for (const option of ['--preset', '--data', '--out', '--epochs', '--resume', '--seed', '--pairs-per-epoch', '--val-data', '--backend']) {
    assert.ok(trainCommand.help.includes(option), option);
  }
});
