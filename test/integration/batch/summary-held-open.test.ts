/**
 * A summary.csv that cannot be replaced while the batch runs (on Windows: open in Excel, which README invites the user
 * to watch): every pair still runs, summary.json and report.html are brought up to date, and the batch ends with
 * exit 2 and a message naming summary.csv, not an internal error with a stack trace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SUMMARY_JSON, type BatchSummaryFile } from '../../../core/batch/summary-files.ts';
import { EXIT } from '../../../core/cli/exit-codes.ts';
import { REPO_ROOT } from '../../support/data.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { FAST_OPTIONS, MONGE_BIN, startNode, writeSyntheticCohort } from './support.ts';

const SUMMARY_CSV_HELD = fileURLToPath(new URL('./fixtures/summary-csv-held.mjs', import.meta.url));

test('summary.csv held open: the pairs run, summary.json and report.html are complete, exit 2 names the file', { timeout: 120_000 }, async (t) => {
  const dir = await tempDir(t, 'batch-csv-held');
  const manifest = await writeSyntheticCohort(dir, 2);
  const out = join(dir, 'out');
  const run = await startNode(['--import', SUMMARY_CSV_HELD, MONGE_BIN, 'batch', manifest, '-o', out, '--jobs', '1', ...FAST_OPTIONS], { cwd: REPO_ROOT }).done;
  assert.equal(run.code, EXIT.usage, run.stderr);
  assert.match(run.stderr, /monge batch: cannot write the output: not permitted \(on Windows: the file is open in another program, or the folder is protected\) \(EPERM\): .*summary\.csv; nothing was left half-written/);
  assert.doesNotMatch(run.stderr, /internal error|    at /);
  const summary = JSON.parse(await readFile(join(out, SUMMARY_JSON), 'utf8')) as BatchSummaryFile;
  assert.equal(summary.complete, true);
  assert.deepEqual(summary.counts, { pairs: 2, ok: 2, failed: 0, cancelled: 0, pending: 0, resumed: 0 });
  assert.ok(existsSync(join(out, 'report.html')), 'no report.html');
  // The csv left is the first one written, before any pair ran: complete but stale, as Excel showed it.
  assert.equal((await readFile(join(out, 'summary.csv'), 'utf8')).trim().split('\n').length, 1);
});
