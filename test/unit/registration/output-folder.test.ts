import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../../support/temp-dir.ts';
import { openPartialFolder, OutputFolderError, outputFolderObstacle } from '../../../core/registration/pipeline/output-folder.ts';

test('output folder: a file, or a non-empty folder without overwrite, is refused before any work', async (t) => {
  const dir = await tempDir(t, 'output-folder');
  await writeFile(join(dir, 'afile'), 'x');
  await mkdir(join(dir, 'full'));
  await writeFile(join(dir, 'full', 'keep.txt'), 'x');
  await mkdir(join(dir, 'empty'));
  assert.equal(await outputFolderObstacle(join(dir, 'afile'), true), 'is-file');
  assert.equal(await outputFolderObstacle(join(dir, 'full'), false), 'not-empty');
  assert.equal(await outputFolderObstacle(join(dir, 'full'), true), undefined);
  assert.equal(await outputFolderObstacle(join(dir, 'empty'), false), undefined);
  assert.equal(await outputFolderObstacle(join(dir, 'new'), false), undefined);
  await assert.rejects(openPartialFolder(join(dir, 'afile'), false), (e: unknown) => e instanceof OutputFolderError && /is a file/.test(e.message));
  await assert.rejects(openPartialFolder(join(dir, 'full'), false), (e: unknown) => e instanceof OutputFolderError && /is not empty/.test(e.message));
  // Nothing was made beside them.
  assert.deepEqual((await readdir(dir)).sort(), ['afile', 'empty', 'full']);
});

test('output folder: filled by someone else meanwhile, it is not replaced unless overwriting was asked for', async (t) => {
  const dir = await tempDir(t, 'output-folder');
  const out = join(dir, 'out');
  const mine = await openPartialFolder(out, false);
  await writeFile(join(mine.partial, 'report.json'), 'mine');
  // Another run (or a user) publishes into OUTDIR while this one works.
  await mkdir(out);
  await writeFile(join(out, 'report.json'), 'theirs');
  await assert.rejects(mine.commit(), (e: unknown) => e instanceof OutputFolderError && /is not empty/.test(e.message));
  await mine.abort();
  assert.equal(await readFile(join(out, 'report.json'), 'utf8'), 'theirs');
  assert.deepEqual(await readdir(dir), ['out']);
  // With overwrite the newer results replace them, in one rename; an empty OUTDIR is taken either way.
  const forced = await openPartialFolder(out, true);
  await writeFile(join(forced.partial, 'report.json'), 'forced');
  await forced.commit();
  assert.equal(await readFile(join(out, 'report.json'), 'utf8'), 'forced');
  const emptyTarget = join(dir, 'empty');
  const later = await openPartialFolder(emptyTarget, false);
  await mkdir(emptyTarget);
  await writeFile(join(later.partial, 'report.json'), 'later');
  await later.commit();
  assert.equal(await readFile(join(emptyTarget, 'report.json'), 'utf8'), 'later');
  assert.deepEqual((await readdir(dir)).sort(), ['empty', 'out']);
});
