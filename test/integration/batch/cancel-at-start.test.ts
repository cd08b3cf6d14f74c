/**
 * A cancel that comes while a batch's worker process is still starting (loading its code takes a second or more on
 * a busy machine, right after the first summary is written): no pair has started, so every pair is listed as
 * cancelled — none runs to the end after the cancel, none is a crash because the same signal reached the worker
 * before it could set its handlers — and the batch stops at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { batchPairs } from '../../../core/batch/batch-pair.ts';
import { readManifest } from '../../../core/batch/manifest.ts';
import { SUMMARY_JSON, type BatchSummaryFile } from '../../../core/batch/summary-files.ts';
import type { SummaryEntry } from '../../../core/batch/summary-row.ts';
import { runInWorkers } from '../../../core/batch/worker-pool.ts';
import { FAST_OPTIONS, startMonge, writeSyntheticCohort } from './support.ts';
import { tempDir } from '../../support/temp-dir.ts';

/** Preloaded into the batch's worker: it says when it is starting, and holds its start (see the file). */
const SLOW_WORKER_START = new URL('./fixtures/slow-worker-start.mjs', import.meta.url).href;

/** Generous for a loaded 2-core machine; a pair takes 1–2 s here, a lung pair 25 s. */
const STOP_WITHIN_MS = 8_000;

function assertAllCancelled(rows: readonly SummaryEntry[], ids: readonly string[]): void {
  assert.deepEqual(
    rows.map((r) => [r.id, r.status, r.error_kind]).sort(),
    ids.map((id) => [id, 'cancelled', 'cancelled']),
    JSON.stringify(rows.map((r) => [r.id, r.status, r.error_kind, r.error])),
  );
}

test('runInWorkers: aborted while its worker is starting, it runs no pair and ends the worker at once', { timeout: 60_000 }, async (t) => {
  const dir = await tempDir(t, 'batch-start-cancel');
  const out = join(dir, 'out');
  await mkdir(out);
  const pairs = batchPairs(await readManifest(await writeSyntheticCohort(dir, 2)), { steps: 'prealign', 'field-spacing': '12' }, out);
  const controller = new AbortController();
  const started: string[] = [];
  // runInWorkers forks its worker synchronously and then waits for it to say it is ready: the abort below comes
  // during that wait, every time.
  const rows = runInWorkers(
    pairs.map((pair) => ({ pair, outDir: out })),
    { workers: 1, signal: controller.signal, onStart: (job) => started.push(job.pair.id) },
  );
  const aborted = Date.now();
  controller.abort();
  const result = await rows;
  assert.ok(Date.now() - aborted < STOP_WITHIN_MS, `stopped ${Date.now() - aborted} ms after the abort`);
  assert.deepEqual(started, [], 'no pair started');
  assertAllCancelled(result, ['case0', 'case1']);
  for (const r of result) assert.equal(r.error, 'cancelled before it started');
  assert.deepEqual(await readdir(out), [], 'nothing written');
});

test('runInWorkers: a stop signal that ends its starting worker just before the abort comes cancels every pair, none failed', { timeout: 60_000 }, async (t) => {
  // A signal sent to the process group reaches the worker and the batch at once; the event loop may see the worker's
  // exit before the batch's own handler aborts. Here that order is forced: the worker is ended first, the abort
  // follows 200 ms later.
  const dir = await tempDir(t, 'batch-start-cancel');
  const out = join(dir, 'out');
  await mkdir(out);
  const pairs = batchPairs(await readManifest(await writeSyntheticCohort(dir, 2)), { steps: 'prealign', 'field-spacing': '12' }, out);
  const starting = join(dir, 'worker-starting');
  const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${SLOW_WORKER_START}`.trim(), MONGE_TEST_WORKER_STARTING: starting };
  const controller = new AbortController();
  const rows = runInWorkers(pairs.map((pair) => ({ pair, outDir: out })), { workers: 1, env, signal: controller.signal });
  const deadline = Date.now() + 30_000;
  while (!existsSync(starting)) {
    assert.ok(Date.now() < deadline, 'no worker started');
    await sleep(10);
  }
  process.kill(Number(await readFile(starting, 'utf8')), 'SIGTERM');
  await sleep(200);
  controller.abort();
  const result = await rows;
  assertAllCancelled(result, ['case0', 'case1']);
  assert.deepEqual(await readdir(out), [], 'nothing written');
});

// (a) SIGINT to the batch process alone (`kill -INT`, `timeout -s INT`, an IDE's stop button): the worker never sees a
// signal, only the batch's cancel. (b) SIGTERM to the process group (a scheduler; Ctrl-C on a terminal likewise): the
// worker, still starting, has no handler yet and the signal ends it.
for (const { name, signal, group } of [
  { name: 'SIGINT to the batch process alone', signal: 'SIGINT', group: false },
  { name: 'SIGTERM to the process group', signal: 'SIGTERM', group: true },
] as const) {
  test(`monge batch: ${name} while its worker is starting cancels every pair, none failed, at once`, { timeout: 90_000 }, async (t) => {
    const dir = await tempDir(t, 'batch-start-cancel');
    const manifest = await writeSyntheticCohort(dir, 2);
    const out = join(dir, 'out');
    const starting = join(dir, 'worker-starting');
    const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${SLOW_WORKER_START}`.trim(), MONGE_TEST_WORKER_STARTING: starting };
    const { child, done } = startMonge(['batch', manifest, '-o', out, '--jobs', '1', ...FAST_OPTIONS], { detached: true, env });
    const deadline = Date.now() + 60_000;
    while (!existsSync(starting)) {
      assert.ok(Date.now() < deadline && child.exitCode === null, 'no worker started');
      await sleep(10);
    }
    const sent = Date.now();
    process.kill(group ? -child.pid! : child.pid!, signal);
    const run = await done;
    const took = Date.now() - sent;
    assert.equal(run.signal, signal, `exit ${run.code} (signal ${run.signal}): ${run.stderr}`);
    assert.ok(took < STOP_WITHIN_MS, `stopped ${took} ms after the signal`);
    const summary = JSON.parse(await readFile(join(out, SUMMARY_JSON), 'utf8')) as BatchSummaryFile;
    assert.deepEqual(summary.counts, { pairs: 2, ok: 0, failed: 0, cancelled: 2, pending: 0, resumed: 0 });
    assertAllCancelled(summary.pairs, ['case0', 'case1']);
    const entries = await readdir(out);
    assert.deepEqual(entries.filter((e) => /^case|partial-|\.old-|\.batch\.lock|\.tmp/.test(e)), [], 'no pair folder, nothing half-done, no lock');
  });
}
