/**
 * An input folder's hash (report.json's input hashes; `monge batch --resume` redoes a pair whose inputs changed)
 * covers the files a reader reads, not what a file browser drops beside them: Finder's .DS_Store and ._* files,
 * Explorer's Thumbs.db and desktop.ini.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Of } from '../../../core/registration/pipeline/inputs.ts';
import { tempDir } from '../../support/temp-dir.ts';

test('a folder hash is its files (sorted, name then bytes), and ignores browser clutter', async (t) => {
  const dir = await tempDir(t, 'folder-hash');
  await writeFile(join(dir, 'b.dcm'), 'slice two');
  await writeFile(join(dir, 'a.dcm'), 'slice one');
  const expected = createHash('sha256').update('a.dcm').update('slice one').update('b.dcm').update('slice two').digest('hex');
  assert.equal(await sha256Of(dir), expected);
  await writeFile(join(dir, '.DS_Store'), 'Bud1');
  await writeFile(join(dir, '._a.dcm'), 'AppleDouble');
  await writeFile(join(dir, 'Thumbs.db'), 'thumbnails');
  await writeFile(join(dir, 'desktop.ini'), '[.ShellClassInfo]');
  assert.equal(await sha256Of(dir), expected, 'clutter changed the hash');
  await writeFile(join(dir, 'b.dcm'), 'slice 2');
  assert.notEqual(await sha256Of(dir), expected, 'a changed slice did not change the hash');
});
