/**
 * Failure isolation: a cohort with a missing file, a corrupt (truncated) NIfTI and an empty mask among good pairs.
 * Every good pair completes, each bad one is an error row with its reason, and `monge batch` exits 4 saying how
 * many failed. A pair whose registration throws (here: a request the pipeline rejects) is an error row too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, truncateSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DONE_MARKER, requestFingerprint, verifyDoneMarker } from '../../../core/batch/done-marker.ts';
import { runPair } from '../../../core/batch/run-pair.ts';
import type { BatchSummaryFile } from '../../../core/batch/summary-files.ts';
import { EXIT } from '../../../core/cli/exit-codes.ts';
import type { ImageLps } from '../../../core/image/index.ts';
import { writeImage } from '../../../core/io/images/write-image.ts';
import { nonBlankLines, splitCsvFields } from '../../../core/io/points/text.ts';
import { REGISTRATION_OUTPUTS, type PresetName, type RegisterRequest } from '../../../core/registration/types.ts';
import { FAST_OPTIONS, MANIFEST_HEADER, runMonge, writeSyntheticPairs } from './support.ts';

function mask(fill: (i: number, j: number, k: number) => boolean): ImageLps {
  const size: [number, number, number] = [14, 12, 10];
  const data = new Uint8Array(size[0] * size[1] * size[2]);
  for (let k = 0; k < size[2]; k++) for (let j = 0; j < size[1]; j++) for (let i = 0; i < size[0]; i++) data[i + size[0] * (j + size[1] * k)] = fill(i, j, k) ? 1 : 0;
  return { size, spacingMm: [3, 3, 3], originLps: [-20, -18, -15], directionLps: Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1), components: 1, data };
}

test('a missing file, a corrupt file and an empty mask fail alone, with their reasons; the good pairs complete; exit 4', { timeout: 180_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'monge-batch-failures-'));
  try {
    const rows = await writeSyntheticPairs(dir, 2);
    await writeImage(join(dir, 'empty_mask.nii.gz'), mask(() => false));
    await writeImage(join(dir, 'mask.nii.gz'), mask((i, j, k) => i > 3 && i < 10 && j > 2 && j < 9 && k > 2 && k < 8));
    const whole = await readFile(join(dir, 'mask.nii.gz'));
    await writeFile(join(dir, 'corrupt.nii.gz'), whole.subarray(0, Math.floor(whole.length / 2)));
    rows.splice(1, 0, 'missing,absent.vtk,f0.vtk,,', 'corrupt,corrupt.nii.gz,mask.nii.gz,,');
    rows.push('empty,empty_mask.nii.gz,mask.nii.gz,,');
    await writeFile(join(dir, 'manifest.csv'), [MANIFEST_HEADER, ...rows].join('\n') + '\n');
    const out = join(dir, 'out');

    const run = await runMonge(['batch', join(dir, 'manifest.csv'), '-o', out, '--jobs', '2', ...FAST_OPTIONS]);
    assert.equal(run.code, EXIT.somePairsFailed, run.stderr);
    assert.match(run.stderr, /3 of 5 pairs failed/);
    assert.match(run.stdout, /5 pairs: 2 ok, 3 failed/);

    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as BatchSummaryFile;
    assert.deepEqual(summary.counts, { pairs: 5, ok: 2, failed: 3, cancelled: 0, pending: 0, resumed: 0 });
    assert.deepEqual(summary.pairs.map((r) => [r.id, r.status, r.error_kind]), [
      ['case0', 'ok', null],
      ['missing', 'failed', 'input'],
      ['corrupt', 'failed', 'input'],
      ['case1', 'ok', null],
      ['empty', 'failed', 'input'],
    ]);
    const reason = (id: string) => summary.pairs.find((r) => r.id === id)!.error ?? '';
    assert.equal(reason('missing'), `${join(dir, 'absent.vtk')}: no such file`);
    assert.match(reason('corrupt'), new RegExp(`^${join(dir, 'corrupt.nii.gz').replace(/[.]/g, '\\.')}: .*(truncated|ends early)`));
    assert.equal(reason('empty'), `${join(dir, 'empty_mask.nii.gz')}: the mask is empty (no voxel > 0): nothing to register`);
    // The CSV says the same.
    const csv = nonBlankLines(await readFile(join(out, 'summary.csv'), 'utf8')).map((l) => splitCsvFields(l, 'summary.csv'));
    const header = csv[0];
    assert.deepEqual(csv.slice(1).map((r) => [r[header.indexOf('id')], r[header.indexOf('status')], r[header.indexOf('error')]]), summary.pairs.map((r) => [r.id, r.status, r.error ?? '']));
    // Good pairs: real metrics, verified outputs; failed pairs: nothing left behind.
    for (const r of summary.pairs.filter((p) => p.status === 'ok')) {
      assert.ok(r.tre_after_mm! < 0.5 * r.tre_before_mm!, `${r.id}: TRE ${r.tre_before_mm} → ${r.tre_after_mm}`);
      assert.ok(r.prealign_s! > 0 && r.seconds! > 0);
    }
    const entries = await readdir(out);
    for (const bad of ['missing', 'corrupt', 'empty']) assert.ok(!entries.some((e) => e === bad || e.startsWith(`.${bad}.`)), `${bad}: no output folder or partial`);
    assert.deepEqual(entries.filter((e) => !e.startsWith('.')).sort(), ['case0', 'case1', 'report.html', 'summary.csv', 'summary.json', 'thumbnails']);
    assert.ok(!entries.includes('.batch.lock'), 'the lock is released');
    const report = await readFile(join(out, 'report.html'), 'utf8');
    assert.match(report, /the mask is empty/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a registration that throws becomes an error row, not an exception', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'monge-batch-throw-'));
  try {
    await writeSyntheticPairs(dir, 1);
    const request = { moving: join(dir, 'm0.vtk'), fixed: join(dir, 'f0.vtk'), outDir: join(dir, 'out', 'p'), preset: 'liver' as PresetName };
    const row = await runPair({ pair: { index: 0, id: 'p', line: 2, request }, outDir: join(dir, 'out') });
    assert.equal(row.status, 'failed');
    assert.equal(row.error_kind, 'registration');
    assert.equal(row.error, "register: unknown preset 'liver'");
    assert.equal((await verifyDoneMarker(join(dir, 'out'), 'p', requestFingerprint(request))).complete, false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a registration that leaves a listed output empty or missing becomes an output error row, with no completion mark', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'monge-batch-outputs-'));
  try {
    await writeSyntheticPairs(dir, 1);
    const out = join(dir, 'out');
    const request = (id: string): RegisterRequest => ({ moving: join(dir, 'm0.vtk'), fixed: join(dir, 'f0.vtk'), outDir: join(out, id), steps: ['prealign'], fieldSpacingMm: 12 });
    // The registration's last progress report comes once its folder is published and before runPair checks it:
    // spoiling a file there stands for a registration that listed an output it did not write in full.
    const run = (id: string, spoil?: (pairDir: string) => void) =>
      runPair({ pair: { index: 0, id, line: 2, request: request(id) }, outDir: out }, { onProgress: (r) => r.stage === 'done' && spoil?.(join(out, id)) });
    const marked = async (id: string) => (await verifyDoneMarker(out, id, requestFingerprint(request(id)))).complete && (await readdir(join(out, id))).includes(DONE_MARKER);
    // Unspoilt, the pair completes: what fails below is the check of the outputs, not the registration.
    const good = await run('unspoilt');
    assert.equal(good.status, 'ok', good.error ?? '');
    assert.equal(await marked('unspoilt'), true);
    const emptied = await run('emptied', (pairDir) => truncateSync(join(pairDir, REGISTRATION_OUTPUTS.transform)));
    assert.deepEqual([emptied.status, emptied.error_kind, emptied.error], ['failed', 'output', `the outputs did not verify: output ${REGISTRATION_OUTPUTS.transform} is empty`]);
    assert.equal(await marked('emptied'), false);
    const removed = await run('removed', (pairDir) => rmSync(join(pairDir, REGISTRATION_OUTPUTS.jacobian)));
    assert.deepEqual([removed.status, removed.error_kind, removed.error], ['failed', 'output', `the outputs did not verify: output ${REGISTRATION_OUTPUTS.jacobian} is missing`]);
    assert.equal(await marked('removed'), false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
