// `monge train` as a command object (the lead registers it in core/cli/main.ts): usage mistakes are usage errors
// (exit 2), unreadable data is an InputError naming the file (exit 3), and --help documents the options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expandMultiValues, trainCommand } from '../../../core/cli/commands/train.ts';
import { EXIT } from '../../../core/cli/exit-codes.ts';
import { reportError } from '../../../core/cli/main.ts';
import { InputError } from '../../../core/io/errors.ts';
import { UsageError } from '../../../core/options/index.ts';
import { CancelledError } from '../../../core/progress/index.ts';
import { loadTrainingShapes, parseDataSpec } from '../../../core/registration/net/training-data.ts';
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

test('the model folder must be new or empty (or hold the checkpoint with --resume); a cancel while reading leaves none', async (t) => {
  const dir = await tempDir(t, 'net-cli-out');
  const shape = join(dir, 'tetra.off');
  await writeFile(shape, 'OFF\n4 4 0\n0 0 0\n10 0 0\n0 10 0\n0 0 10\n3 0 2 1\n3 0 1 3\n3 0 3 2\n3 1 2 3\n');
  await mkdir(join(dir, 'trained'));
  await writeFile(join(dir, 'trained', 'manifest.json'), '{}');
  const full = await exitCodeOf(['--preset', 'brain', '--data', shape, '--out', join(dir, 'trained')]);
  assert.equal(full.code, EXIT.usage);
  assert.match(String(full.error), /trained exists and is not empty; give a new folder .*--resume/);
  assert.equal(await readFile(join(dir, 'trained', 'manifest.json'), 'utf8'), '{}');
  const file = await exitCodeOf(['--preset', 'brain', '--data', shape, '--out', shape]);
  assert.equal(file.code, EXIT.usage);
  assert.match(String(file.error), /tetra\.off is a file; give a folder for the model/);
  // Cancelled while reading the data: stops there, and makes no model folder.
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(trainCommand.run(['--preset', 'brain', '--data', shape, '--out', join(dir, 'new')], controller.signal), CancelledError);
  assert.deepEqual((await readdir(dir)).sort(), ['tetra.off', 'trained']);
});

test('a data folder gives its meshes and volumes, not its landmark files (DIR-Lab CSV and .txt, cases.json)', async (t) => {
  const dir = await tempDir(t, 'net-cli-folder');
  await writeFile(join(dir, 'copd1_300_landmarks_mm.csv'), 'insp_x,insp_y,insp_z\n1,2,3\n');
  await writeFile(join(dir, 'copd1_300_iBH_xyz_r1.txt'), '1\t2\t3\n');
  await writeFile(join(dir, 'cases.json'), '{"copd1": {}}');
  const only = await loadTrainingShapes([{ path: dir }]).then(() => undefined, (e: unknown) => e);
  assert.ok(only instanceof InputError && only.problem === 'empty' && /no mesh or image file .*name point sets one by one/.test(only.message), String(only));
  const mesh = 'OFF\n4 4 0\n0 0 0\n10 0 0\n0 10 0\n0 0 10\n3 0 2 1\n3 0 1 3\n3 0 3 2\n3 1 2 3\n';
  await mkdir(join(dir, 'sub'));
  await writeFile(join(dir, 'sub', 'tetra.off'), mesh);
  // The tetrahedron is found (and refused for its 4 points, naming it): the landmark files were not read.
  await assert.rejects(loadTrainingShapes([{ path: dir }]), (e: unknown) => e instanceof InputError && e.file === join(dir, 'sub', 'tetra.off') && /4 points/.test(e.message));
});
