/**
 * Warnings from reading an image reach the user: `monge info`, `convert` and `surface` print them on stderr as
 * `warning: …` (stdout stays clean for --json), and register's inputs carry them into its warnings list.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareInput } from '../../../core/registration/pipeline/inputs.ts';
import { resolvePreset } from '../../../core/registration/pipeline/presets.ts';
import { REPO_ROOT } from '../../support/data.ts';
import { disagreeingFormsMask } from '../../support/nifti-bytes.ts';
import { tempDir } from '../../support/temp-dir.ts';

const BIN = join(REPO_ROOT, 'bin', 'monge.mjs');
const monge = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000 });

test('info, convert and surface print the reader’s warning on stderr and still succeed', async (t) => {
  const dir = await tempDir(t, 'image-warnings');
  const mask = await disagreeingFormsMask(dir);
  const warning = new RegExp(`^warning: ${mask.replace(/[.]/g, '\\.')}: its sform \\(sform_code 2, aligned\\) and qform \\(qform_code 1, scanner\\) disagree`, 'm');
  const info = monge('info', mask, '--json');
  assert.equal(info.status, 0, info.stderr);
  assert.match(info.stderr, warning);
  assert.equal(JSON.parse(info.stdout).kind, 'image');
  const convert = monge('convert', mask, join(dir, 'out.nrrd'));
  assert.equal(convert.status, 0, convert.stderr);
  assert.match(convert.stderr, warning);
  const surface = monge('surface', mask, '-o', join(dir, 'out.vtk'));
  assert.equal(surface.status, 0, surface.stderr);
  assert.match(surface.stderr, warning);
});

test('a registration input read from such a file carries the warning (register adds it to report.json’s warnings)', async (t) => {
  const dir = await tempDir(t, 'image-warnings');
  const mask = await disagreeingFormsMask(dir);
  const input = await prepareInput(mask, resolvePreset('generic', 1).surface);
  assert.equal(input.warnings.length, 1);
  assert.match(input.warnings[0], /disagree/);
});
