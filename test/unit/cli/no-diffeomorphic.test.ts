/**
 * `--no-diffeomorphic`: the way to turn off the lung and brain presets' diffeomorphic fine-tuning from the command line
 * (a manifest cell says `diffeomorphic=false`); refused together with `--diffeomorphic`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchPairs } from '../../../core/batch/batch-pair.ts';
import { parseManifest } from '../../../core/batch/manifest.ts';
import { commandLineRegistrationValues, UsageError } from '../../../core/options/index.ts';
import { monge } from '../../support/monge-cli.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { writeSyntheticPairs } from '../../integration/batch/support.ts';

interface Report {
  settings: { overrides: { diffeomorphic: boolean | null }; resolvedPreset: { finetune: { diffeomorphic: boolean } } };
  steps: { name: string; details?: { diffeomorphic?: boolean } }[];
}

test('register --no-diffeomorphic runs the lung preset\'s fine-tuning as a plain displacement, and report.json says false', { timeout: 120_000 }, async (t) => {
  const dir = await tempDir(t, 'no-diffeomorphic');
  await writeSyntheticPairs(dir, 1);
  const args = (out: string, ...extra: string[]) => ['register', join(dir, 'm0.vtk'), join(dir, 'f0.vtk'), '-o', join(dir, out), '--preset', 'lung', '--steps', 'prealign,finetune', '--field-spacing', '12', ...extra];
  const report = (out: string): Report => JSON.parse(readFileSync(join(dir, out, 'report.json'), 'utf8')) as Report;
  const finetuneDetails = (r: Report) => r.steps.find((s) => s.name === 'finetune')?.details?.diffeomorphic;

  const off = monge(...args('off', '--no-diffeomorphic'));
  assert.equal(off.code, 0, off.stderr);
  assert.equal(report('off').settings.overrides.diffeomorphic, false);
  assert.equal(report('off').settings.resolvedPreset.finetune.diffeomorphic, false);
  assert.equal(finetuneDetails(report('off')), false, 'the fine-tuning ran as a displacement');

  // Left out, the lung preset's own choice stands: a velocity field.
  const preset = monge(...args('preset'));
  assert.equal(preset.code, 0, preset.stderr);
  assert.equal(report('preset').settings.overrides.diffeomorphic, null);
  assert.equal(finetuneDetails(report('preset')), true);

  const both = monge(...args('both', '--diffeomorphic', '--no-diffeomorphic'));
  assert.equal(both.code, 2, both.stderr);
  assert.match(both.stderr, /^monge register: give --diffeomorphic or --no-diffeomorphic, not both\n/);
  assert.ok(!readdirSync(dir).includes('both'), 'nothing written');
});

test('batch --no-diffeomorphic: the default of every row, which a row\'s diffeomorphic=true overrides; both flags are a usage error', async (t) => {
  const options = commandLineRegistrationValues({ 'no-diffeomorphic': true, preset: 'lung' });
  assert.deepEqual(options, { preset: 'lung', diffeomorphic: false });
  const m = parseManifest('/c/m.csv', 'id,moving,fixed,diffeomorphic\na,m.vtk,f.vtk,\nb,m.vtk,f.vtk,true\n');
  assert.deepEqual(batchPairs({ ...m, sha256: '' }, options, '/out').map((p) => p.request.diffeomorphic), [false, true]);
  assert.throws(() => commandLineRegistrationValues({ diffeomorphic: true, 'no-diffeomorphic': true }), (e: unknown) => e instanceof UsageError && /not both/.test(e.message));

  const dir = await tempDir(t, 'no-diffeomorphic-batch');
  const both = monge('batch', join(dir, 'none.csv'), '-o', join(dir, 'out'), '--diffeomorphic', '--no-diffeomorphic');
  assert.equal(both.code, 2, both.stderr);
  assert.match(both.stderr, /^monge batch: give --diffeomorphic or --no-diffeomorphic, not both\n/);
  assert.deepEqual(readdirSync(dir), [], 'refused before the manifest is read or OUTDIR made');
});
