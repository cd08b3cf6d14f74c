/**
 * Ctrl-C: SIGINT to the batch's whole process group (what a terminal sends) cancels cleanly — the running pair stops
 * (the registration's own cancellation), pairs not started are listed as cancelled, the summary and report are
 * written, nothing is left half-done or locked, the workers are gone, the batch ends by SIGINT itself (as a shell loop
 * expects of a command it waits on) — and --resume finishes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DONE_MARKER } from '../../../core/batch/done-marker.ts';
import type { BatchSummaryFile } from '../../../core/batch/summary-files.ts';
import { EXIT } from '../../../core/cli/exit-codes.ts';
import { FAST_OPTIONS, runMonge, startMonge, writeSyntheticCohort } from './support.ts';

test('SIGINT cancels the batch cleanly, and --resume finishes it', { timeout: 180_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'monge-batch-cancel-'));
  try {
    const manifest = await writeSyntheticCohort(dir, 6);
    const out = join(dir, 'out');
    const { child, done } = startMonge(['batch', manifest, '-o', out, '--jobs', '1', ...FAST_OPTIONS], { detached: true });
    const deadline = Date.now() + 120_000;
    while (!existsSync(join(out, 'case0', DONE_MARKER))) {
      assert.ok(Date.now() < deadline && child.exitCode === null, 'the first pair did not complete');
      await sleep(25);
    }
    const sent = Date.now();
    process.kill(-child.pid!, 'SIGINT');
    const run = await done;
    assert.equal(run.signal, 'SIGINT', `exit ${run.code} (signal ${run.signal}): ${run.stderr}`);
    assert.ok(Date.now() - sent < 20_000, 'stopped promptly');
    assert.match(run.stderr, /cancelled; \d pairs complete\. Run the same command with --resume/);
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as BatchSummaryFile;
    assert.equal(summary.complete, false);
    assert.equal(summary.counts.pending, 0, 'every pair has a final row');
    assert.ok(summary.counts.cancelled >= 1 && summary.counts.ok >= 1 && summary.counts.failed === 0, JSON.stringify(summary.counts));
    for (const r of summary.pairs.filter((p) => p.status === 'cancelled')) assert.match(r.error ?? '', /cancelled/);
    const entries = await readdir(out);
    assert.deepEqual(entries.filter((e) => /partial-|\.old-|\.batch\.lock|\.tmp/.test(e)), [], 'nothing half-done, no lock');
    for (const r of summary.pairs.filter((p) => p.status === 'cancelled')) assert.ok(!entries.includes(r.id), `${r.id}: no output folder`);
    assert.ok(existsSync(join(out, 'report.html')));

    const resumed = await runMonge(['batch', manifest, '-o', out, '--resume', ...FAST_OPTIONS]);
    assert.equal(resumed.code, EXIT.ok, resumed.stderr);
    const after = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as BatchSummaryFile;
    assert.deepEqual(after.counts, { pairs: 6, ok: 6, failed: 0, cancelled: 0, pending: 0, resumed: summary.counts.ok });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
