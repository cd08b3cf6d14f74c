import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { watchLeftovers } from '../../../core/io/leftovers.ts';
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

test('output folder: while an overwrite publishes, the previous results are in flight to be put back, not deleted', async (t) => {
  const dir = await tempDir(t, 'output-folder');
  const out = join(dir, 'out');
  await mkdir(out);
  await writeFile(join(out, 'report.json'), 'previous');
  const run = await openPartialFolder(out, true);
  await writeFile(join(run.partial, 'report.json'), 'new');
  // What a thread or process ended inside commit() would leave, as the leftover registry lists it.
  const events: { path: string; inFlight: boolean; restoreTo?: string; outExists: boolean; at: string[] }[] = [];
  const stop = watchLeftovers((path, inFlight, restoreTo) => events.push({ path, inFlight, restoreTo, outExists: existsSync(out), at: readdirSync(dir) }));
  try {
    await run.commit();
  } finally {
    stop();
  }
  const old = events.find((e) => e.restoreTo !== undefined);
  assert.ok(old && /\/\.out\.old-[A-Za-z0-9]{6}$/.test(old.path), 'the previous results are tracked where they are moved');
  assert.equal(old.restoreTo, out);
  assert.ok(old.outExists, 'tracked before OUTDIR is moved away, so no moment leaves it untracked');
  const released = events.filter((e) => e.path === old.path && !e.inFlight);
  assert.equal(released.length, 1, 'and released once the new results are published');
  assert.equal(await readFile(join(out, 'report.json'), 'utf8'), 'new');
  assert.deepEqual(await readdir(dir), ['out']);
});
