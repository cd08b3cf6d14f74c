import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withAtomicPath, writeFileAtomic } from '../../../core/io/atomic-write.ts';
import { leftoversInFlight, removeLeftoversNow, trackLeftover } from '../../../core/io/leftovers.ts';
import { tempDir } from '../../support/temp-dir.ts';

test('removeLeftoversNow deletes what is in flight (a file, a folder with its files) and nothing else', async (t) => {
  const dir = await tempDir(t, 'leftovers');
  const file = join(dir, '.out.vtk.1a2b3c4d.tmp');
  const folder = join(dir, '.run.partial-abcdef');
  const kept = join(dir, 'kept.vtk');
  await writeFile(file, 'half');
  await mkdir(folder);
  await writeFile(join(folder, 'field.nii.gz'), 'half');
  await writeFile(kept, 'done');
  const before = leftoversInFlight();
  trackLeftover(file);
  trackLeftover(folder);
  const untrack = trackLeftover(kept);
  untrack(); // published: no longer a leftover
  assert.equal(leftoversInFlight(), before + 2);
  removeLeftoversNow();
  assert.deepEqual(await readdir(dir), ['kept.vtk']);
  assert.equal(leftoversInFlight(), 0);
});

test('atomic writes are in flight only while they write: after success and after failure none is left listed', async (t) => {
  const dir = await tempDir(t, 'leftovers-atomic');
  const before = leftoversInFlight();
  let during = -1;
  await withAtomicPath(join(dir, 'a.nii.gz'), async (tmp) => {
    during = leftoversInFlight();
    await writeFile(tmp, 'x');
  });
  assert.equal(during, before + 1);
  await writeFileAtomic(join(dir, 'b.txt'), 'y');
  await assert.rejects(writeFileAtomic(join(dir, 'missing', 'c.txt'), 'z'));
  assert.equal(leftoversInFlight(), before);
  assert.ok(existsSync(join(dir, 'a.nii.gz')) && existsSync(join(dir, 'b.txt')));
});
