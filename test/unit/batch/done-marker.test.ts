import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile, truncate, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DONE_MARKER, recordFiles, recordInputs, requestFingerprint, verifyDoneMarker, writeDoneMarker } from '../../../core/batch/done-marker.ts';
import { requestInputPaths } from '../../../core/registration/pipeline/request-inputs.ts';
import { clearPairLeftovers } from '../../../core/batch/pair-leftovers.ts';
import { errorRow } from '../../../core/batch/summary-row.ts';
import type { RegisterRequest } from '../../../core/registration/types.ts';
import { tempDir } from '../../support/temp-dir.ts';

const request: RegisterRequest = { moving: '/d/m.vtk', fixed: '/d/f.vtk', outDir: '/out/p1', preset: 'lung', seed: 0 };

test('the request fingerprint: settings and inputs count, the output folder and key order do not', () => {
  const f = requestFingerprint(request);
  assert.match(f, /^[0-9a-f]{64}$/);
  assert.equal(requestFingerprint({ seed: 0, preset: 'lung', fixed: '/d/f.vtk', moving: '/d/m.vtk', outDir: '/elsewhere' }), f);
  assert.equal(requestFingerprint({ ...request, fieldSpacingMm: undefined }), f, 'an undefined key is no key');
  assert.notEqual(requestFingerprint({ ...request, preset: 'brain' }), f);
  assert.notEqual(requestFingerprint({ ...request, moving: '/d/m2.vtk' }), f);
  // A setting stated at its default asks for the same registration as leaving it out (a resumed batch given --seed 0
  // or --steps prealign,net,finetune does not redo its pairs); any other value is another registration.
  const { seed: _seed, ...noSeed } = request;
  assert.equal(requestFingerprint(noSeed), f);
  assert.equal(requestFingerprint({ ...request, steps: ['prealign', 'net', 'finetune'], fieldFormat: 'nii.gz', engine: 'auto', inverseField: false, apply: [] }), f);
  assert.notEqual(requestFingerprint({ ...request, seed: 1 }), f);
  assert.notEqual(requestFingerprint({ ...request, steps: ['prealign', 'finetune'] }), f);
  assert.notEqual(requestFingerprint({ moving: '/d/m.vtk', fixed: '/d/f.vtk', outDir: '/o' }), f, "the preset default ('generic') is not lung");
});

test('a pair is complete only while its mark parses, matches the request and every file keeps its size and hash', async () => {
  const out = await mkdtemp(join(tmpdir(), 'monge-done-'));
  try {
    await mkdir(join(out, 'p1', 'steps'), { recursive: true });
    await mkdir(join(out, 'thumbnails'));
    await writeFile(join(out, 'p1', 'report.json'), '{"a":1}\n');
    await writeFile(join(out, 'p1', 'steps', 'prealign.vtk'), 'x'.repeat(100));
    await writeFile(join(out, 'thumbnails', 'p1.before.png'), 'png');
    const fingerprint = requestFingerprint(request);
    assert.deepEqual(await verifyDoneMarker(out, 'p1', fingerprint), { complete: false, reason: 'not completed' });
    const files = await recordFiles(out, ['p1/report.json', 'p1/steps/prealign.vtk', 'thumbnails/p1.before.png']);
    assert.deepEqual(files[0], { path: 'p1/report.json', bytes: 8, sha256: createHash('sha256').update('{"a":1}\n').digest('hex') });
    const row = { ...errorRow({ index: 0, id: 'p1', moving: '/d/m.vtk', fixed: '/d/f.vtk', dir: 'p1' }, 'failed', 'input', 'x'), status: 'ok' as const };
    await writeDoneMarker(out, { id: 'p1', fingerprint, inputs: [], files, row });
    assert.ok(!(await readdir(join(out, 'p1'))).some((n) => n.endsWith('.tmp')), 'no temporary file left');
    const ok = await verifyDoneMarker(out, 'p1', fingerprint);
    assert.equal(ok.complete, true);
    assert.deepEqual(ok.complete && ok.marker.row, row);

    assert.deepEqual(await verifyDoneMarker(out, 'p1', requestFingerprint({ ...request, seed: 1 })), { complete: false, reason: 'its inputs or settings changed since it was completed' });
    await writeFile(join(out, 'p1', 'steps', 'prealign.vtk'), 'y'.repeat(100));
    assert.deepEqual(await verifyDoneMarker(out, 'p1', fingerprint), { complete: false, reason: 'p1/steps/prealign.vtk changed since it was completed (SHA-256 differs)' });
    await writeFile(join(out, 'p1', 'steps', 'prealign.vtk'), 'x'.repeat(100));
    assert.equal((await verifyDoneMarker(out, 'p1', fingerprint)).complete, true, 'restored');
    await truncate(join(out, 'p1', 'report.json'), 3);
    assert.deepEqual(await verifyDoneMarker(out, 'p1', fingerprint), { complete: false, reason: 'p1/report.json has 3 bytes, 8 when completed' });
    await rm(join(out, 'thumbnails', 'p1.before.png'));
    await writeFile(join(out, 'p1', 'report.json'), '{"a":1}\n');
    assert.deepEqual(await verifyDoneMarker(out, 'p1', fingerprint), { complete: false, reason: 'thumbnails/p1.before.png is missing' });
    await writeFile(join(out, 'p1', DONE_MARKER), '{"kind":"something else"}');
    assert.deepEqual(await verifyDoneMarker(out, 'p1', fingerprint), { complete: false, reason: 'the completion mark is not one Monge wrote' });
    await writeFile(join(out, 'p1', DONE_MARKER), '{"kind":"monge-batch-pair-do');
    const torn = await verifyDoneMarker(out, 'p1', fingerprint);
    assert.ok(!torn.complete && /unreadable completion mark/.test(torn.reason));
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test('a pair whose input file was re-made is not complete; one whose input was only touched or copied is', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'monge-done-inputs-'));
  try {
    const out = join(dir, 'out');
    await mkdir(join(out, 'p1'), { recursive: true });
    await writeFile(join(out, 'p1', 'report.json'), '{}\n');
    const inputRequest: RegisterRequest = { moving: join(dir, 'm.vtk'), fixed: join(dir, 'f.vtk'), movingLandmarks: join(dir, 'lm.csv'), fixedLandmarks: join(dir, 'lf.csv'), outDir: join(out, 'p1'), steps: ['prealign', 'finetune'] };
    assert.deepEqual(requestInputPaths(inputRequest), [join(dir, 'm.vtk'), join(dir, 'f.vtk'), join(dir, 'lm.csv'), join(dir, 'lf.csv')]);
    // A residual prior is an input too: a pair made with an older prior is not complete.
    assert.deepEqual(requestInputPaths({ ...inputRequest, residualPrior: join(dir, 'prior.json') }).at(-1), join(dir, 'prior.json'));
    // So are the files the result is applied to: a pair whose CT was re-made has stale applied outputs.
    assert.deepEqual(requestInputPaths({ ...inputRequest, apply: [join(dir, 'ct.nii.gz'), join(dir, 'lobes.nii.gz')] }).slice(-2), [join(dir, 'ct.nii.gz'), join(dir, 'lobes.nii.gz')]);
    for (const name of ['m.vtk', 'f.vtk', 'lm.csv', 'lf.csv']) await writeFile(join(dir, name), `contents of ${name}`);
    const inputs = await recordInputs(requestInputPaths(inputRequest));
    assert.deepEqual(
      { bytes: inputs[0].bytes, sha256: inputs[0].sha256 },
      { bytes: 'contents of m.vtk'.length, sha256: createHash('sha256').update('contents of m.vtk').digest('hex') },
    );
    const fingerprint = requestFingerprint(inputRequest);
    const row = { ...errorRow({ index: 0, id: 'p1', moving: inputRequest.moving, fixed: inputRequest.fixed, dir: 'p1' }, 'failed', 'input', 'x'), status: 'ok' as const };
    await writeDoneMarker(out, { id: 'p1', fingerprint, inputs, files: await recordFiles(out, ['p1/report.json']), row });
    assert.equal((await verifyDoneMarker(out, 'p1', fingerprint)).complete, true);
    // Touched (a copy without -p, a backup restore): the time differs, the contents do not.
    await utimes(join(dir, 'f.vtk'), new Date(2001, 0, 1), new Date(2001, 0, 1));
    assert.equal((await verifyDoneMarker(out, 'p1', fingerprint)).complete, true, 'a touched input is hashed, and matches');
    // Re-made with the same size: only the hash can tell.
    await writeFile(join(dir, 'm.vtk'), 'CONTENTS of m.vtk');
    assert.deepEqual(await verifyDoneMarker(out, 'p1', fingerprint), { complete: false, reason: `input ${join(dir, 'm.vtk')} changed since it was completed` });
    await writeFile(join(dir, 'm.vtk'), 'contents of m.vtk');
    assert.equal((await verifyDoneMarker(out, 'p1', fingerprint)).complete, true, 'restored');
    await rm(join(dir, 'lf.csv'));
    assert.deepEqual(await verifyDoneMarker(out, 'p1', fingerprint), { complete: false, reason: `input ${join(dir, 'lf.csv')} is missing` });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("the 'net' step's default model folder is an input: retraining it or pointing MONGE_NET_MODEL elsewhere redoes the pair", async (t) => {
  const dir = await tempDir(t, 'done-net');
  const saved = process.env.MONGE_NET_MODEL;
  t.after(() => {
    if (saved === undefined) delete process.env.MONGE_NET_MODEL;
    else process.env.MONGE_NET_MODEL = saved;
  });
  const out = join(dir, 'out');
  await mkdir(join(out, 'p1'), { recursive: true });
  await writeFile(join(out, 'p1', 'report.json'), '{}\n');
  for (const name of ['m.vtk', 'f.vtk']) await writeFile(join(dir, name), `contents of ${name}`);
  const model = join(dir, 'model');
  process.env.MONGE_NET_MODEL = model;
  const netRequest: RegisterRequest = { moving: join(dir, 'm.vtk'), fixed: join(dir, 'f.vtk'), outDir: join(out, 'p1'), preset: 'lung' };
  assert.deepEqual(requestInputPaths(netRequest), [join(dir, 'm.vtk'), join(dir, 'f.vtk'), model]);
  assert.deepEqual(requestInputPaths({ ...netRequest, steps: ['prealign', 'finetune'] }), [join(dir, 'm.vtk'), join(dir, 'f.vtk')], 'no net step, no model');
  const row = { ...errorRow({ index: 0, id: 'p1', moving: netRequest.moving, fixed: netRequest.fixed, dir: 'p1' }, 'failed', 'input', 'x'), status: 'ok' as const };
  const complete = async (inputs: Awaited<ReturnType<typeof recordInputs>>) => {
    const fingerprint = requestFingerprint(netRequest);
    await writeDoneMarker(out, { id: 'p1', fingerprint, inputs, files: await recordFiles(out, ['p1/report.json']), row });
    return fingerprint;
  };
  // No model there: the step was skipped; the folder is recorded as absent, and its appearing is a change.
  const fingerprint = await complete(await recordInputs(requestInputPaths(netRequest)));
  assert.equal((await verifyDoneMarker(out, 'p1', fingerprint)).complete, true);
  await mkdir(model);
  await writeFile(join(model, 'manifest.json'), '{"epoch": 1}');
  assert.deepEqual(await verifyDoneMarker(out, 'p1', fingerprint), { complete: false, reason: `input ${model} appeared since it was completed` });
  // Made with the model: retraining it (its files change) is a change.
  await complete(await recordInputs(requestInputPaths(netRequest)));
  assert.equal((await verifyDoneMarker(out, 'p1', fingerprint)).complete, true);
  await writeFile(join(model, 'manifest.json'), '{"epoch": 2}');
  assert.deepEqual(await verifyDoneMarker(out, 'p1', fingerprint), { complete: false, reason: `input ${model} changed since it was completed` });
  // Another default folder is another registration; without the net step the model does not count.
  const withoutNet = requestFingerprint({ ...netRequest, steps: ['prealign', 'finetune'] });
  process.env.MONGE_NET_MODEL = join(dir, 'other-model');
  assert.notEqual(requestFingerprint(netRequest), fingerprint);
  assert.equal(requestFingerprint({ ...netRequest, steps: ['prealign', 'finetune'] }), withoutNet);
});

test('clearing a pair removes its folder, partial siblings and thumbnails, and nothing of other pairs', async () => {
  const out = await mkdtemp(join(tmpdir(), 'monge-leftovers-'));
  try {
    for (const d of ['p1', 'p1x', '.p1.partial-Ab3dE9', '.p1.old-zzzzzz', '.p1x.partial-Ab3dE9', 'thumbnails']) await mkdir(join(out, d));
    await writeFile(join(out, 'p1', DONE_MARKER), '{}');
    for (const f of ['p1.before.png', 'p1.after.png', '.p1.after.png.0a1b2c3d.tmp', 'p1x.before.png', 'p10.after.png']) await writeFile(join(out, 'thumbnails', f), '');
    await writeFile(join(out, 'summary.csv'), '');
    await clearPairLeftovers(out, 'p1');
    assert.deepEqual((await readdir(out)).sort(), ['.p1x.partial-Ab3dE9', 'p1x', 'summary.csv', 'thumbnails']);
    assert.deepEqual((await readdir(join(out, 'thumbnails'))).sort(), ['p10.after.png', 'p1x.before.png']);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
