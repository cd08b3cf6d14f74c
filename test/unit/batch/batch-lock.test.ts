import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCK_FILE, lockOutDir, STALE_MS, WRITE_GRACE_MS } from '../../../core/batch/batch-lock.ts';
import { UsageError } from '../../../core/options/index.ts';

/** A process id that is certainly not running (above the kernel's pid_max). */
const DEAD_PID = 2 ** 22 + 1;

async function writeLock(dir: string, holder: unknown, ageMs = 0): Promise<void> {
  const path = join(dir, LOCK_FILE);
  await writeFile(path, typeof holder === 'string' ? holder : JSON.stringify(holder));
  const when = new Date(Date.now() - ageMs);
  await utimes(path, when, when);
}

test('the OUTDIR lock: one batch at a time; locks of dead, silent or half-written holders are taken over', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'monge-lock-'));
  const refused = (pattern: RegExp) => (e: unknown) => e instanceof UsageError && pattern.test(e.message);
  try {
    const release = await lockOutDir(dir);
    assert.deepEqual(JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')).pid, process.pid);
    await release();
    assert.ok(!existsSync(join(dir, LOCK_FILE)), 'released');

    // A live process on this host (the test runner's parent), renewing its lock: refused.
    await writeLock(dir, { host: hostname(), pid: process.ppid });
    await assert.rejects(lockOutDir(dir), refused(new RegExp(`another batch \\(pid ${process.ppid}\\)`)));
    // The same pid, silent for longer than STALE_MS: the id was reused by an unrelated process; taken over.
    await writeLock(dir, { host: hostname(), pid: process.ppid }, STALE_MS + 5_000);
    await (await lockOutDir(dir))();
    // A dead process on this host: taken over at once.
    await writeLock(dir, { host: hostname(), pid: DEAD_PID });
    await (await lockOutDir(dir))();
    // Another host: trusted while renewed, taken over once silent.
    await writeLock(dir, { host: 'node-17', pid: 12 });
    await assert.rejects(lockOutDir(dir), refused(/a batch on host node-17 \(pid 12\)/));
    await writeLock(dir, { host: 'node-17', pid: 12 }, STALE_MS + 5_000);
    await (await lockOutDir(dir))();
    // Empty (being written this instant): respected; empty and old (a kill cut the writing short): taken over.
    for (const content of ['', 'null', '{"host":"x","pi']) {
      await writeLock(dir, content);
      await assert.rejects(lockOutDir(dir), refused(/another batch that is starting/), JSON.stringify(content));
      await writeLock(dir, content, WRITE_GRACE_MS + 1_000);
      await (await lockOutDir(dir))();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
