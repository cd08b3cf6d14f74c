import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { batchPairs } from '../../../core/batch/batch-pair.ts';
import { parseManifest, readManifest } from '../../../core/batch/manifest.ts';
import { pairIdProblem } from '../../../core/batch/pair-id.ts';
import { formatCsv } from '../../../core/batch/summary-files.ts';
import { InputError } from '../../../core/io/errors.ts';
import { effectivePreset, PRESETS } from '../../../core/registration/index.ts';
import type { Shape } from '../../../core/shape/index.ts';
import { nonBlankLines, splitCsvFields } from '../../../core/io/points/text.ts';

const M = '/data/cohort/manifest.csv';

test('CSV written by formatCsv (RFC 4180 quoting) reads back field for field with the shared splitter', () => {
  const rows = [['1', 'x, y', 'say "hi"'], ['2', ' lead', 'trail '], ['3', '', 'plain']];
  const text = formatCsv(['a', 'b', 'c'], rows);
  assert.equal(text, 'a,b,c\n1,"x, y","say ""hi"""\n2," lead","trail "\n3,,plain\n');
  assert.deepEqual(nonBlankLines(text).map((l) => splitCsvFields(l, 'x.csv')), [['a', 'b', 'c'], ...rows]);
});

test('a CSV manifest: paths relative to the manifest, landmarks, per-row overrides, comments', () => {
  const m = parseManifest(
    M,
    [
      'ID,Moving,Fixed,moving_landmarks,fixed-landmarks,preset,field_spacing,rotation_search,net_model,residual_prior',
      '# a comment line, with "quotes" and an unclosed " one',
      'copd1,exp/copd1.nii.gz,/abs/insp1.nii.gz,lm/1.csv,lm/1.csv,lung,4,yes,models/lung,priors/copd.json',
      'copd2,exp/copd2.nii.gz,insp2.nii.gz,,,,,,,',
    ].join('\n'),
  );
  assert.equal(m.format, 'csv');
  assert.equal(m.rows.length, 2);
  const [a, b] = m.rows;
  assert.deepEqual(
    { index: a.index, line: a.line, id: a.id, moving: a.moving, fixed: a.fixed, ml: a.movingLandmarks, fl: a.fixedLandmarks },
    { index: 0, line: 3, id: 'copd1', moving: '/data/cohort/exp/copd1.nii.gz', fixed: '/abs/insp1.nii.gz', ml: '/data/cohort/lm/1.csv', fl: '/data/cohort/lm/1.csv' },
  );
  assert.deepEqual(a.overrides, { preset: 'lung', 'field-spacing': '4', 'rotation-search': true, 'net-model': '/data/cohort/models/lung', 'residual-prior': '/data/cohort/priors/copd.json' });
  assert.deepEqual(b.overrides, {}, 'empty cells override nothing');
  const quoted = parseManifest(M, '\ufeffid,moving,fixed\r\n"a","dir, with comma/m.vtk", f.vtk \r\n');
  assert.deepEqual(quoted.rows.map((r) => [r.id, r.moving, r.fixed]), [['a', '/data/cohort/dir, with comma/m.vtk', '/data/cohort/f.vtk']]);
  assert.equal(b.movingLandmarks, undefined);
  assert.equal(b.index, 1);
  // apply: several files in one cell, separated by ';', each relative to the manifest; it reaches the request.
  const applied = parseManifest(M, 'id,moving,fixed,apply\na,m.vtk,f.vtk,ct/exp.nii.gz; /abs/lobes.nii.gz ;\n');
  assert.deepEqual(applied.rows[0].overrides, { apply: ['/data/cohort/ct/exp.nii.gz', '/abs/lobes.nii.gz'] });
  assert.deepEqual(batchPairs({ ...applied, sha256: '' }, {}, '/out')[0].request.apply, ['/data/cohort/ct/exp.nii.gz', '/abs/lobes.nii.gz']);
});

test('JSON lines manifests read the same keys, with numbers and booleans', () => {
  const m = parseManifest('/c/pairs.jsonl', '{"id":"a","moving":"m.vtk","fixed":"f.vtk","seed":3,"diffeomorphic":true}\n\n{"id":"b","moving":"m2.vtk","fixed":"f2.vtk","preset":null}\n');
  assert.equal(m.format, 'jsonl');
  assert.deepEqual(m.rows.map((r) => [r.id, r.moving, r.line, r.overrides]), [
    ['a', '/c/m.vtk', 1, { seed: '3', diffeomorphic: true }],
    ['b', '/c/m2.vtk', 3, {}],
  ]);
  assert.throws(() => parseManifest('/c/p.jsonl', '{"id":"a","moving":"m","fixed":"f"}\n{"id": "b", oops}\n'), (e: unknown) => e instanceof InputError && /line 2: not valid JSON/.test(e.message));
  assert.throws(() => parseManifest('/c/p.jsonl', '{"id":"a","moving":"m","fixed":"f","seed":[1]}\n'), /'seed' must be a string, a number or a boolean/);
});

test('bad manifests are InputErrors naming the file and the line', () => {
  const bad = (text: string, pattern: RegExp) =>
    assert.throws(
      () => parseManifest(M, text),
      (e: unknown) => e instanceof InputError && e.file === M && pattern.test(e.message),
      `${JSON.stringify(text)} should fail with ${pattern}`,
    );
  bad('id,moving\na,m.vtk\n', /line 1: no 'fixed' column/);
  bad('id,moving,fixed,colour\na,m,f,red\n', /unknown column 'colour'/);
  bad('id,moving,fixed\na,m,f\nb,m2,f2\nA,m3,f3\n', /line 4: id 'A' is already used on line 2/);
  bad('id,moving,fixed\n../x,m,f\n', /line 2: id '\.\.\/x' is not a plain folder name/);
  bad('id,moving,fixed\n.hidden,m,f\n', /not a plain folder name/);
  bad('id,moving,fixed\na b,m,f\n', /may only hold letters, digits/);
  bad('id,moving,fixed\nsummary.csv,m,f\n', /a name the batch uses/);
  bad('id,moving,fixed\na,m,f,extra\n', /line 2: 4 fields where the header has 3/);
  bad('id,moving,fixed\na,"m.vtk,f.vtk\n', /line 2: unclosed quote/);
  bad('id,moving,fixed\na,,f\n', /line 2 \(a\): no moving file/);
  bad('id,moving,fixed,moving_landmarks,fixed_landmarks\na,m,f,lm.csv,\n', /both moving_landmarks and fixed_landmarks/);
  bad('id,moving,fixed,diffeomorphic\na,m,f,maybe\n', /'diffeomorphic' must be true or false/);
  bad('id,moving,fixed\n', /lists no pairs/);
  bad('id,id,moving,fixed\na,a,m,f\n', /column 'id' is given twice/);
});

test('a manifest written on Windows: on Linux and macOS its relative paths\' backslashes separate folders; a drive or share path is refused naming the line', () => {
  const text = 'id,moving,fixed,moving_landmarks,fixed_landmarks,apply\r\ncase0,cases\\copd1\\exp.nii.gz,cases\\copd1\\insp.nii.gz,lm\\e.csv,lm\\i.csv,ct\\a.nrrd;ct\\b.nrrd\r\n';
  const [row] = parseManifest(M, text, 'linux').rows;
  assert.equal(row.moving, '/data/cohort/cases/copd1/exp.nii.gz');
  assert.equal(row.fixed, '/data/cohort/cases/copd1/insp.nii.gz');
  assert.deepEqual([row.movingLandmarks, row.fixedLandmarks], ['/data/cohort/lm/e.csv', '/data/cohort/lm/i.csv']);
  assert.deepEqual(row.overrides.apply, ['/data/cohort/ct/a.nrrd', '/data/cohort/ct/b.nrrd']);
  for (const [cell, column] of [['C:\\cohort\\m.vtk', 'moving'], ['D:/cohort/f.vtk', 'fixed'], ['\\\\nas\\cohort\\f.vtk', 'fixed']]) {
    const bad = column === 'moving' ? `id,moving,fixed\nc1,${cell},f.vtk\n` : `id,moving,fixed\n# a comment\nc1,m.vtk,${cell}\n`;
    assert.throws(
      () => parseManifest(M, bad, 'darwin'),
      (e: unknown) => e instanceof InputError && e.message.startsWith(M) && e.message.includes(`line ${column === 'moving' ? 2 : 3}: '${column}' is a Windows path (${cell})`),
    );
  }
});

test('pair ids: safe path segments only', () => {
  for (const ok of ['copd1', 'sub-01_ses-2', 'A.b-c_d', '7', 'console', 'com10', 'nullable']) assert.equal(pairIdProblem(ok), undefined, ok);
  for (const badId of ['', '..', '../x', 'a/b', 'a\\b', '.x', '-x', 'x.', 'a b', 'é', 'x'.repeat(129), 'REPORT.HTML', 'thumbnails', 'CON', 'nul.txt', 'Com1']) {
    assert.ok(pairIdProblem(badId), `'${badId}' must be refused`);
  }
});

test('per-row overrides go through monge register\'s option parsing; a bad one names the manifest line', () => {
  const m = parseManifest(M, 'id,moving,fixed,preset,steps,reach\na,m.vtk,f.vtk,lung,prealign,none\nb,m.vtk,f.vtk,,,\n');
  const [a, b] = batchPairs({ ...m, sha256: '' }, { preset: 'brain', 'field-spacing': '3', 'landmarks-frame': 'ras' }, '/out');
  assert.deepEqual(a.request, {
    moving: '/data/cohort/m.vtk',
    fixed: '/data/cohort/f.vtk',
    outDir: resolve('/out', 'a'),
    preset: 'lung',
    steps: ['prealign'],
    reachMm: null,
    fieldSpacingMm: 3,
    landmarksFrame: 'RAS',
  });
  assert.equal(b.request.preset, 'brain', 'the command line applies where the row is empty');
  assert.equal(b.request.steps, undefined);
  const wrong = parseManifest(M, 'id,moving,fixed,preset\na,m,f,lung\nb,m,f,liver\n');
  assert.throws(() => batchPairs({ ...wrong, sha256: '' }, {}, '/out'), (e: unknown) => e instanceof InputError && /line 3 \(b\): preset must be one of lung, brain, generic, not 'liver'/.test(e.message));
  const steps = parseManifest(M, 'id,moving,fixed,steps\na,m,f,"prealign,warp"\n');
  assert.throws(() => batchPairs({ ...steps, sha256: '' }, {}, '/out'), /line 2 \(a\): steps: unknown step 'warp'/);
  // Label and threshold are one choice: a row's threshold replaces the command line's label, and the other way round.
  const selection = parseManifest(M, 'id,moving,fixed,label,threshold\na,m,f,,100\nb,m,f,2,\nc,m,f,,\n');
  const [byThreshold, byLabel, inherited] = batchPairs({ ...selection, sha256: '' }, { label: '1' }, '/out');
  assert.deepEqual([byThreshold.request.label, byThreshold.request.threshold], [undefined, 100]);
  assert.deepEqual([byLabel.request.label, byLabel.request.threshold], [2, undefined]);
  assert.deepEqual([inherited.request.label, inherited.request.threshold], [1, undefined]);
  assert.equal(batchPairs({ ...selection, sha256: '' }, { threshold: '50' }, '/out')[1].request.label, 2);
});

test('a row\'s false flag turns off the command line\'s or the preset\'s (diffeomorphic=false under the lung preset)', () => {
  const m = parseManifest(M, 'id,moving,fixed,preset,diffeomorphic,rotation_search,inverse_field\na,m.vtk,f.vtk,lung,false,no,0\nb,m.vtk,f.vtk,lung,,,\n');
  const [off, inherited] = batchPairs({ ...m, sha256: '' }, { diffeomorphic: true, 'rotation-search': true, 'inverse-field': true }, '/out');
  // Before, false was dropped: the row ran with the command line's (or the lung preset's) diffeomorphic fine-tuning.
  assert.deepEqual([off.request.diffeomorphic, off.request.rotationSearch, off.request.inverseField], [false, false, false]);
  assert.deepEqual([inherited.request.diffeomorphic, inherited.request.rotationSearch, inherited.request.inverseField], [true, true, true]);
  const fixed: Shape = { kind: 'points', pointsLps: Float64Array.of(0, 0, 0, 10, 0, 0, 0, 10, 0, 0, 0, 10), arrays: [], sourceFrame: 'LPS' };
  assert.equal(PRESETS.lung.finetune.diffeomorphic, true, 'the lung preset integrates the fine-tuning as a velocity by default');
  assert.equal(effectivePreset(off.request, fixed).finetune.diffeomorphic, false);
  assert.equal(effectivePreset(off.request, fixed).prealign.rotationSearch, false);
  const plain = batchPairs({ ...parseManifest(M, 'id,moving,fixed,preset,diffeomorphic\na,m.vtk,f.vtk,lung,false\n'), sha256: '' }, {}, '/out')[0];
  assert.equal(effectivePreset(plain.request, fixed).finetune.diffeomorphic, false, 'without any command-line flag too');
});

test('readManifest hashes the bytes and refuses missing and non-UTF-8 files', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'monge-manifest-'));
  try {
    const path = join(dir, 'm.csv');
    await writeFile(path, 'id,moving,fixed\na,m.vtk,f.vtk\n');
    const m = await readManifest(path);
    assert.equal(m.sha256, createHash('sha256').update('id,moving,fixed\na,m.vtk,f.vtk\n').digest('hex'));
    assert.equal(m.rows[0].moving, join(dir, 'm.vtk'));
    await assert.rejects(readManifest(join(dir, 'none.csv')), (e: unknown) => e instanceof InputError && e.problem === 'not-found');
    await writeFile(join(dir, 'latin1.csv'), Buffer.from([0x69, 0x64, 0x2c, 0xe9, 0x0a]));
    await assert.rejects(readManifest(join(dir, 'latin1.csv')), /not UTF-8/);
    // Windows PowerShell 5.1's `>` writes UTF-16LE with a byte-order mark; Notepad's "Unicode big endian", UTF-16BE.
    const text = 'id,moving,fixed\r\nc1,lungé.vtk,f.vtk\r\n';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(le.map((_, k) => le[k ^ 1]));
    for (const [name, bytes] of [['le.csv', le], ['be.csv', be]] as const) {
      await writeFile(join(dir, name), bytes);
      const read = await readManifest(join(dir, name));
      assert.deepEqual([read.rows[0].id, read.rows[0].moving, read.sha256], ['c1', join(dir, 'lungé.vtk'), createHash('sha256').update(bytes).digest('hex')]);
    }
    // A lone surrogate is not text.
    await writeFile(join(dir, 'bad16.csv'), Buffer.concat([le, Buffer.from([0x00, 0xd8])]));
    await assert.rejects(readManifest(join(dir, 'bad16.csv')), /not UTF-16 text \(save it as UTF-8\)/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
