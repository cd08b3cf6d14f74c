/**
 * A batch that ends at once in the middle of a pair — a second Ctrl-C, or a kill — leaves none of what that pair
 * was writing: its hidden `.<id>.partial-XXXXXX` folder (100 MB for a lung pair) and temporary files. After a second
 * Ctrl-C they and the OUTDIR lock are gone by the time the batch process has exited (the batch knows them from its
 * worker); a worker whose batch was killed removes them itself as it exits. --resume then finishes the batch.
 *
 * The worker is stopped (SIGSTOP) while its pair's partial folder exists, so that the pair is in the middle of its
 * work at the signal every time: it stands for a worker busy writing a large field, with no cancellation point.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChildProcess } from 'node:child_process';
import type { BatchSummaryFile } from '../../../core/batch/summary-files.ts';
import { EXIT } from '../../../core/cli/exit-codes.ts';
import { isOutputFolderSiblingOf } from '../../../core/registration/pipeline/output-folder.ts';
import { batchWorkersOf, FAST_OPTIONS, isAlive, runMonge, startMonge, writeSyntheticCohort, type MongeRun } from './support.ts';
import { tempDir } from '../../support/temp-dir.ts';

const PAIRS = 6;
const IDS = Array.from({ length: PAIRS }, (_, k) => `case${k}`);

/** The partial folders of the pairs under `out`. */
async function partialFolders(out: string): Promise<string[]> {
  const entries = await readdir(out).catch(() => [] as string[]);
  return entries.filter((e) => IDS.some((id) => isOutputFolderSiblingOf(e, id)));
}

/** Everything under `out` that is half-done or a lock: partial or old folders, temporary files, the lock. */
async function leftovers(out: string): Promise<string[]> {
  const files = (await readdir(out, { recursive: true })).map(String);
  return files.filter((f) => /partial-|\.old-|\.tmp|\.batch\.lock/.test(f));
}

/**
 * Waits until the batch's worker is registering a pair, stops the worker there (SIGSTOP) and returns its pid and
 * the pair's partial folder. A pair published between the look and the stop is let go, and the next one taken.
 */
async function stopWorkerMidPair(batch: ChildProcess, out: string): Promise<{ worker: number; partial: string }> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    assert.ok(Date.now() < deadline, 'no pair was caught being written in 120 s');
    assert.equal(batch.exitCode, null, 'the batch ended before a pair could be caught');
    if ((await partialFolders(out)).length > 0) {
      const [worker] = await batchWorkersOf(batch.pid!);
      if (worker !== undefined) {
        process.kill(worker, 'SIGSTOP');
        const [partial] = await partialFolders(out);
        if (partial !== undefined) return { worker, partial };
        process.kill(worker, 'SIGCONT');
      }
    }
    await sleep(20);
  }
}

/** Resolves when `child` has exited (its 'exit', not 'close': a worker may still hold its output pipes). */
function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

async function waitUntilGone(pid: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (isAlive(pid)) {
    assert.ok(Date.now() < deadline, `the worker ${pid} outlived its batch by 15 s`);
    await sleep(50);
  }
}

/** --resume finishes the batch: every pair ok, nothing half-done, no lock. */
async function assertResumeFinishes(manifest: string, out: string): Promise<void> {
  const resumed = await runMonge(['batch', manifest, '-o', out, '--resume', ...FAST_OPTIONS]);
  assert.equal(resumed.code, EXIT.ok, resumed.stderr);
  const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as BatchSummaryFile;
  assert.equal(summary.counts.ok, PAIRS, JSON.stringify(summary.counts));
  assert.deepEqual(await leftovers(out), []);
}

const LINUX_PROC = existsSync('/proc/self/stat') ? false : 'needs /proc';

interface CaughtBatch {
  manifest: string;
  out: string;
  child: ChildProcess;
  done: Promise<MongeRun>;
  /** The batch's stderr so far. */
  stderr(): string;
  /** The worker, stopped mid-pair, and that pair's partial folder. */
  worker: number;
  partial: string;
  /** Lets the stopped worker go on (SIGCONT) and waits until it has exited. */
  letWorkerGo(): Promise<void>;
}

/**
 * Starts a batch of PAIRS pairs in a temporary folder, stops its worker mid-pair (stopWorkerMidPair) and runs `body`;
 * a worker still stopped at the end, the test failed or not, is killed.
 */
async function withWorkerStoppedMidPair(t: TestContext, prefix: string, options: { detached?: boolean }, body: (batch: CaughtBatch) => Promise<void>): Promise<void> {
  const dir = await tempDir(t, prefix);
  let stopped: number | undefined;
  try {
    const manifest = await writeSyntheticCohort(dir, PAIRS);
    const out = join(dir, 'out');
    const { child, done } = startMonge(['batch', manifest, '-o', out, '--jobs', '1', ...FAST_OPTIONS], options);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += String(d)));
    const caught = await stopWorkerMidPair(child, out);
    stopped = caught.worker;
    const letWorkerGo = async (): Promise<void> => {
      process.kill(caught.worker, 'SIGCONT');
      await waitUntilGone(caught.worker);
      stopped = undefined;
    };
    await body({ manifest, out, child, done, stderr: () => stderr, ...caught, letWorkerGo });
  } finally {
    if (stopped !== undefined && isAlive(stopped)) process.kill(stopped, 'SIGKILL');
  }
}

test('a second Ctrl-C mid-pair: the pair\'s partial folder and the lock are gone when the batch exits', { timeout: 240_000, skip: LINUX_PROC }, (t) =>
  withWorkerStoppedMidPair(t, 'batch-stop-now', { detached: true }, async ({ manifest, out, child, done, stderr, worker, partial, letWorkerGo }) => {
    // Ctrl-C on a terminal reaches the whole process group; the stopped worker cannot act on the cancel.
    process.kill(-child.pid!, 'SIGINT');
    const deadline = Date.now() + 30_000;
    while (!/Ctrl-C again to stop at once/.test(stderr())) {
      assert.ok(Date.now() < deadline && child.exitCode === null, `the first Ctrl-C was not taken: ${stderr()}`);
      await sleep(10);
    }
    process.kill(-child.pid!, 'SIGINT');
    const end = await exited(child);
    assert.equal(end.signal, 'SIGINT', `exit ${end.code}: ${stderr()}`);
    // At the batch's exit, with its worker still stopped mid-pair.
    assert.ok(isAlive(worker), 'the worker is still there (stopped)');
    assert.deepEqual(await partialFolders(out), [], `${partial} was left`);
    assert.ok(!existsSync(join(out, '.batch.lock')), 'the lock was left');

    // The worker, let go, finds its batch gone and exits, writing nothing more.
    await letWorkerGo();
    const run = await done;
    assert.match(run.stderr, /monge batch: stopped/);
    assert.deepEqual(await leftovers(out), []);
    await assertResumeFinishes(manifest, out);
  }),
);

test('the batch killed mid-pair: its worker removes the pair\'s partial folder as it exits', { timeout: 240_000, skip: LINUX_PROC }, (t) =>
  withWorkerStoppedMidPair(t, 'batch-killed', {}, async ({ manifest, out, child, done, partial, letWorkerGo }) => {
    child.kill('SIGKILL');
    assert.equal((await exited(child)).signal, 'SIGKILL');
    assert.deepEqual(await partialFolders(out), [partial], 'the killed batch could remove nothing');

    await letWorkerGo();
    await done;
    // Nothing of the pairs is left. (What the killed batch itself was writing is another matter: its lock stays, and a
    // later run takes it over.)
    assert.deepEqual((await leftovers(out)).filter((f) => /case\d/.test(f)), []);
    await assertResumeFinishes(manifest, out);
  }),
);
