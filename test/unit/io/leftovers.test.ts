import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withAtomicPath, writeFileAtomic } from '../../../core/io/atomic-write.ts';
import { leftoversInFlight, removeLeftoversNow, trackLeftover, undoLeftover } from '../../../core/io/leftovers.ts';
import { CancelledError } from '../../../core/progress/index.ts';
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

test('a leftover with a place to go back to is put back when that place is free, deleted when it is taken', async (t) => {
  const dir = await tempDir(t, 'leftovers-restore');
  // An overwrite ended between its two renames: OUTDIR moved aside, the new results not yet in place.
  await mkdir(join(dir, '.a.old-AAAAAA'));
  await writeFile(join(dir, '.a.old-AAAAAA', 'report.json'), 'previous a');
  // One ended just after publishing: the new results are in place, the old ones not yet removed.
  await mkdir(join(dir, 'b'));
  await writeFile(join(dir, 'b', 'report.json'), 'new b');
  await mkdir(join(dir, '.b.old-BBBBBB'));
  trackLeftover(join(dir, '.a.old-AAAAAA'), join(dir, 'a'));
  trackLeftover(join(dir, '.b.old-BBBBBB'), join(dir, 'b'));
  removeLeftoversNow();
  assert.deepEqual((await readdir(dir)).sort(), ['a', 'b']);
  assert.equal(await readFile(join(dir, 'a', 'report.json'), 'utf8'), 'previous a');
  assert.equal(await readFile(join(dir, 'b', 'report.json'), 'utf8'), 'new b');
  // The same, asynchronously (what a job runner does for a thread it terminated).
  await mkdir(join(dir, '.c.old-CCCCCC'));
  await writeFile(join(dir, '.c.old-CCCCCC', 'report.json'), 'previous c');
  await mkdir(join(dir, '.b.old-DDDDDD'));
  await undoLeftover(join(dir, '.c.old-CCCCCC'), join(dir, 'c'));
  await undoLeftover(join(dir, '.b.old-DDDDDD'), join(dir, 'b'));
  assert.deepEqual((await readdir(dir)).sort(), ['a', 'b', 'c']);
  assert.equal(await readFile(join(dir, 'c', 'report.json'), 'utf8'), 'previous c');
});

test('a cancel that comes while an atomic path is written publishes nothing: CancelledError, no output, no temporary', async (t) => {
  const dir = await tempDir(t, 'atomic-cancel');
  const out = join(dir, 'warped.nii.gz');
  await writeFile(out, 'previous');
  const controller = new AbortController();
  await assert.rejects(
    withAtomicPath(
      out,
      async (tmp) => {
        await writeFile(tmp, 'new');
        controller.abort(); // the user's Ctrl-C, during the write
      },
      '.nii.gz',
      controller.signal,
    ),
    CancelledError,
  );
  assert.deepEqual(await readdir(dir), ['warped.nii.gz']);
  assert.equal(await readFile(out, 'utf8'), 'previous', 'the previous file is left as it was');
  // Without a cancel the same write publishes.
  await withAtomicPath(out, (tmp) => writeFile(tmp, 'new'), '.nii.gz', new AbortController().signal);
  assert.equal(await readFile(out, 'utf8'), 'new');
});
