/**
 * `monge register --json` lists each file it wrote once, and exactly those in OUTDIR. Before, landmarks_warped.csv
 * was listed twice: hashing it for report.json went through the helper that lists a file being written.
 */
import { spawnSync } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MONGE_BIN as BIN } from '../../support/monge-cli.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { writeSyntheticPairs } from '../../integration/batch/support.ts';

test('register --json with landmarks: files lists every written file once, the same as OUTDIR holds', { timeout: 120_000 }, async (t) => {
  const dir = await tempDir(t, 'register-files');
  await writeSyntheticPairs(dir, 1);
  const out = join(dir, 'out');
  const r = spawnSync(
    process.execPath,
    [BIN, 'register', join(dir, 'm0.vtk'), join(dir, 'f0.vtk'), '-o', out, '--moving-landmarks', join(dir, 'lm0.csv'), '--fixed-landmarks', join(dir, 'lf0.csv'), '--steps', 'prealign', '--field-spacing', '12', '--json'],
    { encoding: 'utf8', timeout: 120_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  const files = (JSON.parse(r.stdout) as { files: string[] }).files;
  assert.deepEqual(files, [
    'warped.vtk',
    'steps/prealign.vtk',
    'transform.tfm',
    'affine-moving-to-fixed.mat4.txt',
    'field.nii.gz',
    'jacobian.nii.gz',
    'landmarks_warped.csv',
    'landmarks_error.csv',
    'report.json',
  ]);
  const onDisk = (await readdir(out, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(out.length + 1));
  assert.deepEqual([...files].sort(), onDisk.sort(), 'the files listed are the files written');
});
