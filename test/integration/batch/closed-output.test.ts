/**
 * What the batch leaves when its reader goes away (`monge batch … 2>&1 | head -1`): the pipe closes, the next message
 * fails with EPIPE, and the batch must still finish, with no hidden partial folder, temporary summary or lock left.
 * And the folders it publishes open to whoever may open a folder made by mkdir there (a shared cohort folder).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../../support/temp-dir.ts';
import { REPO_ROOT } from '../../support/data.ts';
import { FAST_OPTIONS, MONGE_BIN, runMonge, writeSyntheticCohort, writeSyntheticPairs } from './support.ts';

test('a batch whose stderr and stdout readers go away after the first message finishes all pairs and leaves nothing hidden', { timeout: 120_000 }, async (t) => {
  const dir = await tempDir(t, 'batch-closed');
  const manifest = await writeSyntheticCohort(dir, 3);
  const out = join(dir, 'out');
  const child = spawn(process.execPath, [MONGE_BIN, 'batch', manifest, '-o', out, ...FAST_OPTIONS], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr.once('data', () => {
    child.stderr.destroy();
    child.stdout.destroy();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  assert.equal(code, 0);
  const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as { counts: { ok: number; pending: number } };
  assert.deepEqual([summary.counts.ok, summary.counts.pending], [3, 0]);
  assert.deepEqual((await readdir(out)).filter((n) => n.startsWith('.')), [], 'no hidden leftovers');
});

test('a published output folder has the permissions of a folder made by mkdir beside it, not 0700', { timeout: 60_000 }, async (t) => {
  const dir = await tempDir(t, 'register-mode');
  await writeSyntheticPairs(dir, 1);
  const out = join(dir, 'registered');
  const r = await runMonge(['register', join(dir, 'm0.vtk'), join(dir, 'f0.vtk'), '-o', out, ...FAST_OPTIONS]);
  assert.equal(r.code, 0, r.stderr);
  await mkdir(join(dir, 'plain'));
  const mode = async (p: string) => (await stat(p)).mode & 0o777;
  assert.equal((await mode(out)).toString(8), (await mode(join(dir, 'plain'))).toString(8));
});
