import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchCommand, pairLine } from '../../../core/cli/commands/batch.ts';
import { mergeCommand } from '../../../core/cli/commands/merge.ts';
import { errorRow } from '../../../core/batch/summary-row.ts';
import { registrationSettings, UsageError } from '../../../core/options/index.ts';

test('the registration options shared by register and batch: every one parsed, checked, absent ones absent', () => {
  assert.deepEqual(
    registrationSettings({
      'moving-landmarks-prefix': 'exp',
      'fixed-landmarks-prefix': 'insp',
      'landmarks-frame': 'ras',
      preset: 'lung',
      steps: 'prealign, finetune',
      'field-format': '.nrrd',
      'field-spacing': '2.5',
      engine: 'CPU',
      seed: '7',
      'rotation-search': true,
      diffeomorphic: true,
      'net-model': 'models/x',
      blur: '1.5',
      reach: 'none',
      'kernel-width': '4',
      anisotropy: '2',
    }),
    {
      movingLandmarksPrefix: 'exp',
      fixedLandmarksPrefix: 'insp',
      landmarksFrame: 'RAS',
      preset: 'lung',
      steps: ['prealign', 'finetune'],
      fieldFormat: 'nrrd',
      fieldSpacingMm: 2.5,
      engine: 'cpu',
      seed: 7,
      rotationSearch: true,
      diffeomorphic: true,
      netModelDir: 'models/x',
      blurMm: 1.5,
      reachMm: null,
      kernelWidthMm: 4,
      anisotropy: 2,
    },
  );
  assert.deepEqual(registrationSettings({}), {});
  assert.deepEqual(registrationSettings({ reach: '12' }), { reachMm: 12 });
  for (const [values, pattern] of [
    [{ seed: '1.5' }, /--seed/],
    [{ anisotropy: '0.5' }, /--anisotropy/],
    [{ 'field-spacing': '-1' }, /--field-spacing/],
    [{ steps: 'prealign,prealign' }, /named twice/],
    [{ 'landmarks-frame': 'xyz' }, /ras or lps/],
    [{ engine: 'cuda' }, /--engine/],
  ] as const) {
    assert.throws(() => registrationSettings(values), (e: unknown) => e instanceof UsageError && pattern.test(e.message), JSON.stringify(values));
  }
});

test('monge batch / merge: usage errors before any work', async () => {
  await assert.rejects(batchCommand.run(['m.csv']), /-o OUTDIR is required/);
  await assert.rejects(batchCommand.run(['m.csv', '-o', 'x', '--jobs', '0']), /--jobs: invalid value '0'/);
  await assert.rejects(batchCommand.run(['m.csv', '-o', 'x', '--jobs', '1.5']), /--jobs/);
  await assert.rejects(batchCommand.run(['m.csv', '-o', 'x', '--shard', '3/3']), /K counts from 0/);
  await assert.rejects(batchCommand.run(['m.csv', '-o', 'x', '--steps', 'warp']), /unknown step 'warp'/);
  await assert.rejects(batchCommand.run(['m.csv', '-o', 'x', '--moving-landmarks', 'a.csv']), (e: unknown) => e instanceof UsageError && /moving-landmarks/.test(e.message), 'landmark files are per row');
  await assert.rejects(batchCommand.run(['a.csv', 'b.csv', '-o', 'x']), /expected MANIFEST/);
  await assert.rejects(mergeCommand.run(['a']), /-o MERGED is required/);
  await assert.rejects(mergeCommand.run(['a', '-o', 'a']), /is one of the folders merged/);
});

test('per-pair log lines', () => {
  const id = { index: 2, id: 'copd3', moving: 'm', fixed: 'f', dir: 'copd3' };
  const ok = { ...errorRow(id, 'failed', 'input', ''), status: 'ok' as const, error_kind: null, error: null, seconds: 14.25, tre_before_mm: 12.641, tre_after_mm: 6.118 };
  assert.equal(pairLine(ok, 3, 5), '[3/5] copd3 ok 14.3 s, TRE 12.64 → 6.12 mm');
  assert.equal(pairLine(errorRow(id, 'failed', 'input', '/d/x.nii.gz: no such file'), 4, 5), '[4/5] copd3 FAILED (input): /d/x.nii.gz: no such file');
  assert.equal(pairLine(errorRow(id, 'cancelled', 'cancelled', 'cancelled before it started'), 5, 5), '[5/5] copd3 CANCELLED: cancelled before it started');
});
