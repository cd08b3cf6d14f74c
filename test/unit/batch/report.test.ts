import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cohortReportHtml } from '../../../core/batch/cohort-report.ts';
import { countRows, summaryCsv, type BatchSummaryFile } from '../../../core/batch/summary-files.ts';
import { errorRow, type SummaryEntry } from '../../../core/batch/summary-row.ts';
import { niceStep, trePlotSvg } from '../../../core/batch/tre-plot.ts';
import { nonBlankLines, splitCsvFields } from '../../../core/io/points/text.ts';
import { classifyError } from '../../../core/batch/run-pair.ts';
import { InputError } from '../../../core/io/errors.ts';

const id = (index: number, name: string) => ({ index, id: name, moving: `/d/${name}_m.vtk`, fixed: `/d/${name}_f.vtk`, dir: name });

function okRow(index: number, name: string, before: number, after: number): SummaryEntry {
  return { ...errorRow(id(index, name), 'failed', 'input', ''), status: 'ok', error_kind: null, error: null, tre_before_mm: before, tre_after_mm: after, chamfer_before_mm: before / 2, chamfer_after_mm: after / 2, seconds: 12.5, jacobian_min: 0.4, folding_fraction: 0 };
}

const rows: SummaryEntry[] = [okRow(0, 'copd1', 26.33, 12.01), errorRow(id(1, 'copd2'), 'failed', 'input', '/d/copd2_m.vtk: <corrupt> & "bad"'), okRow(2, 'copd3', 12.64, 1 / 3)];

function summary(pairs: SummaryEntry[]): BatchSummaryFile {
  return { kind: 'monge-batch-summary', monge: '0.1.0', manifest: { path: '/d/m.csv', sha256: 'ab'.repeat(32), pairs: 3 }, shard: null, options: {}, startedAt: '2025-01-01T00:00:00Z', finishedAt: '2025-01-01T00:10:00Z', complete: true, counts: countRows(pairs, 3), pairs };
}

/** summary.csv's columns as README.md's "Summary columns" table documents them, in its order. */
const DOCUMENTED_COLUMNS = [
  'index', 'id', 'status', 'resumed', 'error_kind', 'error', 'preset', 'steps',
  'seconds', 'reading_s', 'prealign_s', 'net_s', 'finetune_s', 'outputs_s', 'peak_memory_mb',
  'landmarks', 'tre_before_mm', 'tre_after_mm', 'tre_after_median_mm', 'tre_after_std_mm', 'tre_after_p90_mm', 'tre_after_max_mm',
  'chamfer_before_mm', 'chamfer_after_mm', 'hd95_before_mm', 'hd95_after_mm', 'hausdorff_after_mm',
  'vertex_error_before_mm', 'vertex_error_after_mm',
  'jacobian_min', 'folding_fraction',
  'warnings', 'moving', 'fixed', 'dir',
];

test('summary.csv: every column, numbers in full precision, empty for null, quoted where needed', () => {
  const records = nonBlankLines(summaryCsv(rows)).map((l) => splitCsvFields(l, 'summary.csv'));
  // The header is what the README promises scripts that read the file, written out here rather than taken from the
  // implementation's own list (which a dropped column would leave in agreement with itself).
  assert.deepEqual(records[0], DOCUMENTED_COLUMNS);
  assert.equal(records.length, 4);
  const col = (name: string) => DOCUMENTED_COLUMNS.indexOf(name);
  assert.equal(Number(records[3][col('tre_after_mm')]), 1 / 3, 'round-trips exactly');
  assert.equal(records[2][col('tre_after_mm')], '');
  assert.equal(records[2][col('error')], '/d/copd2_m.vtk: <corrupt> & "bad"');
  assert.equal(records[2][col('status')], 'failed');
  assert.deepEqual(countRows(rows, 4), { pairs: 4, ok: 2, failed: 1, cancelled: 0, pending: 1, resumed: 0 });
});

test('the TRE plot places each case at its value on a 1-2-5 axis, failures as crosses', () => {
  assert.deepEqual([0.7, 3, 26.33, 140].map((m) => niceStep(m)), [0.2, 1, 10, 50]);
  const svg = trePlotSvg(rows, { width: 400, height: 300 });
  // Axis: max 26.33 → step 10 → 0…30; plot area top 48, height 300 − 48 − 86 = 166.
  const y = (v: number) => (48 + 166 * (1 - v / 30)).toFixed(1);
  const circles = [...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)" r="[\d.]+" class="(before|after)"><title>([^<]*)<\/title>/g)].map((m) => [m[3], m[2], m[4]]);
  assert.deepEqual(circles, [
    ['before', y(26.33), 'copd1 before: 26.33 mm'],
    ['after', y(12.01), 'copd1 after: 12.01 mm'],
    ['before', y(12.64), 'copd3 before: 12.64 mm'],
    ['after', y(1 / 3), 'copd3 after: 0.33 mm'],
  ]);
  assert.equal((svg.match(/<g class="failed">/g) ?? []).length, 1);
  assert.match(svg, /copd2: failed — \/d\/copd2_m\.vtk: &lt;corrupt&gt; &amp; &quot;bad&quot;/);
  const noLandmarks = trePlotSvg(rows.map((r) => ({ ...r, tre_before_mm: null, tre_after_mm: null })));
  assert.match(noLandmarks, /Surface distance \(chamfer\)/, 'without landmarks the plot shows the chamfer distance');
});

test('report.html is self-contained: no URL to fetch, a strict CSP, the table, the plot, the thumbnails, escaped text', () => {
  const png = Buffer.from('fake-png').toString('base64');
  const html = cohortReportHtml(summary(rows), new Map([['copd1', { before: png, after: png }]]));
  assert.doesNotMatch(html, /https?:|\/\/[a-z]|src="(?!data:)/i, 'nothing outside the file');
  assert.match(html, /Content-Security-Policy" content="default-src 'none'; img-src data:/);
  assert.equal((html.match(/<tr data-id=/g) ?? []).length, 3);
  assert.match(html, /<svg id="tre-plot"/);
  assert.equal((html.match(/src="data:image\/png;base64,/g) ?? []).length, 2);
  assert.match(html, /<td class="error" data-sort="input: \/d\/copd2_m\.vtk: &lt;corrupt&gt; &amp; &quot;bad&quot;">/);
  assert.match(html, /<a href="copd1\/report\.json">copd1<\/a>/);
  assert.match(html, /2 ok/);
  assert.match(html, /1 failed/);
  assert.doesNotMatch(html, /<corrupt>/);
});

test('a pair that fails for want of room (a full disk, a quota, a file-size limit) is an output failure in words; other errors keep their kinds', () => {
  const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', path: '/scratch/out/copd1/field.nii.gz' });
  assert.deepEqual(classifyError(full), { kind: 'output', message: 'cannot write the output: the disk is full (ENOSPC): /scratch/out/copd1/field.nii.gz; nothing was left half-written' });
  assert.equal(classifyError(Object.assign(new Error('EDQUOT'), { code: 'EDQUOT' })).kind, 'output');
  assert.equal(classifyError(new InputError('/data/a.nii.gz', 'empty', 'the file is empty')).kind, 'input');
  assert.equal(classifyError(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' })).kind, 'registration');
});
