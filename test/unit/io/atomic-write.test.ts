/**
 * writeFileAtomic (core/io/atomic-write.ts), behind every mesh, point file and report Monge writes: a write that
 * fails half-way leaves the previous file as it was, nothing under the final name where there was nothing, and no
 * temporary file. The failure is real, not simulated: a child process writes under a file-size limit (`ulimit -f`)
 * smaller than its data, so the kernel accepts the first bytes and refuses the rest.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../../support/temp-dir.ts';

const CHILD = fileURLToPath(new URL('./fixtures/atomic-write-child.ts', import.meta.url));

test('a write that fails half-way leaves the previous file unchanged, no file under a new name and no temporary file', { skip: process.platform === 'win32' ? 'no ulimit on Windows' : false, timeout: 60_000 }, async (t) => {
  const dir = await tempDir(t, 'atomic-write');
  const previousBin = 'the previous contents\n';
  const previousVtk = '# vtk DataFile Version 3.0\nthe previous mesh\nASCII\nDATASET POLYDATA\nPOINTS 0 float\n';
  await writeFile(join(dir, 'existing.bin'), previousBin);
  await writeFile(join(dir, 'existing.vtk'), previousVtk);
  // 64 blocks (32 KiB in dash's 512-byte blocks, 64 KiB in bash's 1 KiB ones): far below what the child writes,
  // above what Node and tsx need to start.
  const r = spawnSync('/bin/sh', ['-c', 'ulimit -f 64 && exec "$0" "$@"', process.execPath, '--import', 'tsx', CHILD, dir], { encoding: 'utf8', timeout: 50_000 });
  assert.equal(r.error, undefined, 'the child timed out or did not start');
  assert.equal(r.status, 0, r.stderr);
  // Each write failed for the limit, i.e. after writing the bytes it allowed (not earlier, at the open).
  assert.deepEqual(JSON.parse(r.stdout), { 'existing.bin': 'EFBIG', 'new.bin': 'EFBIG', 'existing.vtk': 'EFBIG' });
  for (const [name, previous] of [['existing.bin', previousBin], ['existing.vtk', previousVtk]]) {
    const now = await readFile(join(dir, name));
    // Compared as bytes: a half-written file would be tens of kilobytes to print.
    assert.ok(now.equals(Buffer.from(previous)), `${name} holds ${now.length} bytes, not its previous ${previous.length}`);
  }
  // Nothing else: no new.bin, and none of the hidden `.name.XXXXXXXX.tmp` files the writes went to.
  assert.deepEqual((await readdir(dir)).sort(), ['existing.bin', 'existing.vtk']);
});
