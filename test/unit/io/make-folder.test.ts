import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FolderCreationError, makeFolder } from '../../../core/io/make-folder.ts';
import { tempDir } from '../../support/temp-dir.ts';

test('makeFolder: creates missing parents, accepts an existing folder, names the folder it cannot make and why', { timeout: 20_000 }, async (t) => {
  const dir = await tempDir(t, 'make-folder');
  await makeFolder(join(dir, 'a', 'b', 'c'));
  assert.ok((await stat(join(dir, 'a', 'b', 'c'))).isDirectory());
  await makeFolder(join(dir, 'a', 'b'));
  await writeFile(join(dir, 'file'), 'x');
  await assert.rejects(makeFolder(join(dir, 'file', 'x', 'y')), (e: unknown) => e instanceof FolderCreationError && e.code === 'ENOTDIR' && e.folder === join(dir, 'file', 'x') && /a file is in the way/.test(e.message));
  // Node's recursive mkdir loops for ever under /proc; this must fail at once.
  if (existsSync('/proc/self')) {
    await assert.rejects(makeFolder('/proc/monge-cannot-be/here'), (e: unknown) => e instanceof FolderCreationError && e.folder === '/proc/monge-cannot-be' && /cannot create this folder/.test(e.message));
  }
});
