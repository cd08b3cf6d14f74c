/**
 * Resume after a crash: a batch is killed with SIGKILL right after its first pair is marked complete (the batch
 * process only: its worker must notice and exit by itself, so nothing keeps writing). Every pair that looks complete
 * then verifies; `--resume` finishes the rest without redoing the completed pairs (their files keep their mtimes),
 * clears what the killed pair left, and every output verifies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { batchPairs } from '../../../core/batch/batch-pair.ts';
import { DONE_MARKER, requestFingerprint, verifyDoneMarker } from '../../../core/batch/done-marker.ts';
import { readManifest } from '../../../core/batch/manifest.ts';
import type { BatchSummaryFile } from '../../../core/batch/summary-files.ts';
import { EXIT } from '../../../core/cli/exit-codes.ts';
import type { RegistrationOptionValues } from '../../../core/options/index.ts';
import { childrenOf, isAlive, runMonge, startMonge, writeSyntheticCohort } from './support.ts';

const OPTIONS = ['--steps', 'prealign', '--field-spacing', '12'];
const OPTION_VALUES: RegistrationOptionValues = { steps: 'prealign', 'field-spacing': '12' };

/** Every file under `dir` (relative paths), hidden ones included. */
async function listFiles(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

test('SIGKILL mid-batch, then --resume: completed pairs kept as they are, the rest done, everything verifies', { timeout: 240_000, skip: existsSync('/proc/self/stat') ? false : 'needs /proc' }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'monge-batch-resume-'));
  try {
    const manifest = await writeSyntheticCohort(dir, 6);
    const out = join(dir, 'out');
    const ids = ['case0', 'case1', 'case2', 'case3', 'case4', 'case5'];
    const { child, done } = startMonge(['batch', manifest, '-o', out, '--jobs', '1', ...OPTIONS]);
    // Wait for the first completion mark, then kill the batch process.
    const deadline = Date.now() + 120_000;
    while (!ids.some((id) => existsSync(join(out, id, DONE_MARKER)))) {
      assert.ok(Date.now() < deadline, 'no pair completed in 120 s');
      assert.equal(child.exitCode, null, 'the batch ended before it could be killed');
      await sleep(25);
    }
    const workers = await childrenOf(child.pid!);
    assert.equal(workers.length, 1, 'one worker process');
    child.kill('SIGKILL');
    const killed = await done;
    assert.equal(killed.signal, 'SIGKILL');
    // The orphaned worker exits by itself (its IPC channel closed).
    const gone = Date.now() + 15_000;
    while (workers.some(isAlive)) {
      assert.ok(Date.now() < gone, 'the worker outlived its batch by 15 s');
      await sleep(50);
    }

    // Nothing looks complete that is not.
    const pairs = batchPairs(await readManifest(manifest), OPTION_VALUES, out);
    const fingerprint = new Map(pairs.map((p) => [p.id, requestFingerprint(p.request)]));
    const completed: string[] = [];
    for (const id of ids) {
      if (!existsSync(join(out, id, DONE_MARKER))) continue;
      const check = await verifyDoneMarker(out, id, fingerprint.get(id)!);
      assert.ok(check.complete, `${id} has a mark but does not verify: ${!check.complete && check.reason}`);
      completed.push(id);
    }
    assert.ok(completed.length >= 1 && completed.length < ids.length, `completed before the kill: ${completed}`);
    const mtimes = new Map<string, number>();
    for (const id of completed) {
      for (const f of [DONE_MARKER, 'report.json', 'warped.vtk', 'field.nii.gz']) mtimes.set(`${id}/${f}`, (await stat(join(out, id, f))).mtimeMs);
      mtimes.set(`thumbnails/${id}.after.png`, (await stat(join(out, 'thumbnails', `${id}.after.png`))).mtimeMs);
    }

    // A kill in the middle of writing the summary leaves its temporary file (whether this kill did depends on timing).
    await writeFile(join(out, '.summary.csv.0123abcd.tmp'), '');

    // Resume.
    const resumed = await runMonge(['batch', manifest, '-o', out, '--resume', '--jobs', '2', ...OPTIONS]);
    assert.equal(resumed.code, EXIT.ok, resumed.stderr);
    assert.match(resumed.stderr, new RegExp(`6 pairs, ${completed.length} already complete; running ${6 - completed.length} on`));
    for (const [file, mtime] of mtimes) assert.equal((await stat(join(out, file))).mtimeMs, mtime, `${file} was rewritten`);
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as BatchSummaryFile;
    assert.deepEqual(summary.counts, { pairs: 6, ok: 6, failed: 0, cancelled: 0, pending: 0, resumed: completed.length });
    assert.deepEqual(summary.pairs.filter((r) => r.resumed).map((r) => r.id), completed);
    for (const id of ids) {
      const check = await verifyDoneMarker(out, id, fingerprint.get(id)!);
      assert.ok(check.complete, `${id}: ${!check.complete && check.reason}`);
    }
    // No leftovers: partial folders, temporary files, the lock.
    const files = await listFiles(out);
    assert.deepEqual(files.filter((f) => /partial-|\.old-|\.tmp|\.batch\.lock/.test(f)), []);

    // A second resume has nothing to do.
    const again = await runMonge(['batch', manifest, '-o', out, '--resume', ...OPTIONS]);
    assert.equal(again.code, EXIT.ok, again.stderr);
    assert.match(again.stderr, /6 pairs, 6 already complete; running 0/);
    // Without --resume the folder is refused.
    const refused = await runMonge(['batch', manifest, '-o', out, ...OPTIONS]);
    assert.equal(refused.code, EXIT.usage);
    assert.match(refused.stderr, /not empty; pass --resume/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
