/**
 * The app's "Apply to another file": the service runs core/warp's applyField in a job worker on a results folder,
 * writing to a chosen destination (desktop) or sending the bytes back (browser upload), and names the file
 * `<stem>_in_fixed.<suffix>`. Checked against the analytic affine field of test/support/affine-field.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeImage } from '../../../core/io/images/write-image.ts';
import { readShape } from '../../../core/io/index.ts';
import type { JobEvent } from '../../../main/service/api.ts';
import { appliedFileName } from '../../../core/warp/applied-name.ts';
import { dispatch } from '../../../main/service/dispatcher.ts';
import { MongeService } from '../../../main/service/service.ts';
import { affineFieldFolder, fieldGridCentre, maxPointError, PHI } from '../../support/affine-field.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { imageFrom } from '../shape/synthetic.ts';

test('appliedFileName keeps a format Monge writes and falls back where it cannot', () => {
  assert.equal(appliedFileName('exp_ct.nii.gz', 'image'), 'exp_ct_in_fixed.nii.gz');
  assert.equal(appliedFileName('/data/T1.mgz', 'image'), 'T1_in_fixed.nii.gz');
  assert.equal(appliedFileName('series-0012', 'image'), 'series-0012_in_fixed.nii.gz');
  assert.equal(appliedFileName('tumour.stl', 'mesh'), 'tumour_in_fixed.stl');
  assert.equal(appliedFileName('cortex.gii.gz', 'mesh'), 'cortex_in_fixed.gii.gz');
  assert.equal(appliedFileName('marks.mrk.json', 'points'), 'marks_in_fixed.mrk.json');
  assert.equal(appliedFileName('copd1_300_eBH_xyz_r1.txt', 'points'), 'copd1_300_eBH_xyz_r1_in_fixed.csv');
});

test('applyRegistration: to a destination by path, and as bytes for an upload; progress as job events', async (t) => {
  const dir = await tempDir(t, 'apply');
  const resultsDir = await affineFieldFolder(dir);
  const c = fieldGridCentre();
  const fixedPts = Float64Array.from(Array.from({ length: 12 }, (_, k) => [c[0] + 10 * Math.cos(k), c[1] + 8 * Math.sin(k), c[2] + 5 * Math.cos(2 * k)]).flat());
  const inv = await PHI.evaluateInverse(fixedPts);
  const moving = fixedPts.map((v, i) => v + inv.displacementsLps[i]);
  const csv = ['x,y,z', ...Array.from({ length: 12 }, (_, k) => `${moving[3 * k]},${moving[3 * k + 1]},${moving[3 * k + 2]}`)].join('\n') + '\n';
  await writeFile(join(dir, 'marks.csv'), csv);
  const workDir = await mkdtemp(join(tmpdir(), 'monge-apply-session-'));
  const service = new MongeService({ host: 'web', workDir });
  const kinds: string[] = [];
  service.onJobEvent((e: JobEvent) => kinds.push(`${e.kind}:${e.type}`));
  try {
    const destination = join(dir, 'out', '..', 'marks-fixed.csv');
    const byPath = await service.applyRegistration({ resultsDir, input: { path: join(dir, 'marks.csv') }, destination });
    assert.deepEqual([byPath.kind, byPath.count, byPath.fileName, byPath.path, byPath.outsideField], ['points', 12, 'marks-fixed.csv', join(dir, 'marks-fixed.csv'), 0]);
    const err = maxPointError((await readShape(join(dir, 'marks-fixed.csv'))).pointsLps, fixedPts);
    assert.ok(err < 1e-3, `${err} mm`);

    const upload = await service.applyRegistration({ resultsDir, input: { name: 'marks.csv', bytes: new Uint8Array(await readFile(join(dir, 'marks.csv'))) } });
    assert.equal(upload.fileName, 'marks_in_fixed.csv');
    assert.equal(upload.path, undefined);
    await writeFile(join(dir, 'downloaded.csv'), upload.bytes!);
    assert.ok(maxPointError((await readShape(join(dir, 'downloaded.csv'))).pointsLps, fixedPts) < 1e-3);

    // DIR-Lab's two-set CSV in RAS (insp_* unmoved, exp_* the moving points): the prefix and frame pick and read its set.
    const ras = (v: Float64Array, k: number): string => `${-v[3 * k]},${-v[3 * k + 1]},${v[3 * k + 2]}`;
    await writeFile(join(dir, 'two-sets.csv'), ['insp_x,insp_y,insp_z,exp_x,exp_y,exp_z', ...Array.from({ length: 12 }, (_, k) => `1,2,3,${ras(moving, k)}`)].join('\n') + '\n');
    await assert.rejects(service.applyRegistration({ resultsDir, input: { path: join(dir, 'two-sets.csv') } }), /holds the point sets 'insp', 'exp'/);
    const twoSets = await service.applyRegistration({ resultsDir, input: { path: join(dir, 'two-sets.csv') }, prefix: 'exp', assumeFrame: 'RAS' });
    await writeFile(join(dir, 'two-sets-fixed.csv'), twoSets.bytes!);
    const lines = (await readFile(join(dir, 'two-sets-fixed.csv'), 'utf8')).trim().split('\n');
    assert.equal(lines[0], 'insp_x,insp_y,insp_z,exp_x,exp_y,exp_z');
    for (let k = 0; k < 12; k++) {
      const cells = lines[k + 1].split(',').map(Number);
      assert.deepEqual(cells.slice(0, 3), [1, 2, 3]);
      const lps = [-cells[3], -cells[4], cells[5]];
      assert.ok(Math.hypot(lps[0] - fixedPts[3 * k], lps[1] - fixedPts[3 * k + 1], lps[2] - fixedPts[3 * k + 2]) < 1e-3, `row ${k}`);
    }

    // A label map uploaded: nearest, on the field's grid.
    const labels = imageFrom([40, 40, 30], [1.5, 1.5, 1.5], Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), c, (p) => (Math.hypot(p[0] - c[0], p[1] - c[1], p[2] - c[2]) < 9 ? 3 : 0));
    await writeImage(join(dir, 'labels.nii.gz'), labels);
    const image = await service.applyRegistration({ resultsDir, input: { name: 'labels.nii.gz', bytes: new Uint8Array(await readFile(join(dir, 'labels.nii.gz'))) } });
    assert.deepEqual([image.kind, image.interpolation, image.fileName, image.count], ['image', 'nearest', 'labels_in_fixed.nii.gz', 36 * 32 * 30]);
    assert.ok(image.bytes && image.bytes.length > 0);
    assert.deepEqual(kinds.filter((k) => k.startsWith('warp:') && k !== 'warp:progress'), ['warp:started', 'warp:done', 'warp:started', 'warp:done', 'warp:started', 'warp:failed', 'warp:started', 'warp:done', 'warp:started', 'warp:done']);
    assert.ok(kinds.includes('warp:progress'));

    // Fixed → moving: the points come back; an image needs an inverse field, which this folder lacks.
    const back = await service.applyRegistration({ resultsDir, input: { path: join(dir, 'marks-fixed.csv') }, inverse: true });
    assert.equal(back.fileName, 'marks-fixed_in_moving.csv');
    await writeFile(join(dir, 'back.csv'), back.bytes!);
    assert.ok(maxPointError((await readShape(join(dir, 'back.csv'))).pointsLps, moving) < 1e-3);
    await assert.rejects(service.applyRegistration({ resultsDir, input: { path: join(dir, 'labels.nii.gz') }, inverse: true }), /needs the registration's inverse field/);

    // As `monge warp`, a destination is never the file carried nor the field, nor in a missing folder; nothing is written.
    const fieldBefore = await readFile(join(resultsDir, 'field.nii.gz'));
    await assert.rejects(service.applyRegistration({ resultsDir, input: { path: join(dir, 'marks.csv') }, destination: join(dir, 'marks.csv') }), /marks\.csv is the input .*never overwrites its inputs/);
    await assert.rejects(service.applyRegistration({ resultsDir, input: { path: join(dir, 'labels.nii.gz') }, destination: join(resultsDir, 'field.nii.gz') }), /field\.nii\.gz is the input/);
    await assert.rejects(service.applyRegistration({ resultsDir, input: { path: join(dir, 'marks.csv') }, destination: join(dir, 'nodir', 'm.csv') }), /nodir does not exist/);
    assert.deepEqual(await readFile(join(resultsDir, 'field.nii.gz')), fieldBefore);
    assert.equal(await readFile(join(dir, 'marks.csv'), 'utf8'), csv);

    // Errors name the file as the user knows it; nothing is left in the session folder's applied/.
    await assert.rejects(service.applyRegistration({ resultsDir, input: { name: 'notes.docx', bytes: new Uint8Array([1, 2, 3]) } }), /notes\.docx: not a file format Monge knows/);
    await assert.rejects(service.applyRegistration({ resultsDir: join(dir, 'nowhere'), input: { path: join(dir, 'marks.csv') } }), /nowhere: no such file or folder/);
    assert.deepEqual(await readdir(join(workDir, 'applied')).catch(() => []), []);
  } finally {
    await service.dispose();
    await rm(workDir, { recursive: true, force: true });
  }
});

test('the dispatcher checks applyRegistration arguments', async () => {
  const service = new MongeService({ host: 'web' });
  try {
    const bad = await dispatch(service, 'applyRegistration', [{ resultsDir: '/r', input: { name: 'x.csv' } }]);
    assert.deepEqual(bad, { ok: false, error: { name: 'Error', message: 'applyRegistration: needs { path } or { name, bytes }' } });
    const noDir = await dispatch(service, 'applyRegistration', [{ input: { path: '/x.csv' } }]);
    assert.equal(noDir.ok, false);
  } finally {
    await service.dispose();
  }
});
