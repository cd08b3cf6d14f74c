import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { watchLeftovers } from '../../../core/io/leftovers.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { inputInsideFolder, openPartialFolder, OutputFolderError, outputFolderObstacle } from '../../../core/registration/pipeline/output-folder.ts';

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

test('output folder: an overwrite never replaces a folder holding one of the inputs, at opening nor at publishing', async (t) => {
  const dir = await tempDir(t, 'output-folder');
  const out = join(dir, 'case1');
  await mkdir(join(out, 'scans'), { recursive: true });
  await writeFile(join(out, 'scans', 'exp.nii.gz'), 'the only copy');
  await writeFile(join(dir, 'insp.nii.gz'), 'fixed');
  await symlink(out, join(dir, 'case1-link'));
  assert.equal(await inputInsideFolder(out, [join(dir, 'insp.nii.gz'), join(dir, 'missing.vtk')]), undefined);
  assert.equal(await inputInsideFolder(out, [join(dir, 'insp.nii.gz'), join(dir, 'case1-link', 'scans', 'exp.nii.gz')]), join(dir, 'case1-link', 'scans', 'exp.nii.gz'), 'by its real path');
  assert.equal(await inputInsideFolder(join(dir, 'case1-link'), [join(out, 'scans')]), join(out, 'scans'));
  assert.equal(await inputInsideFolder(join(dir, 'case'), [join(out, 'scans', 'exp.nii.gz')]), undefined, 'a folder whose name starts the same is another folder');
  const inputs = [join(out, 'scans', 'exp.nii.gz'), join(dir, 'insp.nii.gz')];
  await assert.rejects(openPartialFolder(out, true, inputs), (e: unknown) => e instanceof OutputFolderError && /holds the input .*exp\.nii\.gz, which overwriting it would delete/.test(e.message));
  // Without overwrite it is refused as not empty; an input beside OUTDIR does not stop an overwrite.
  await assert.rejects(openPartialFolder(out, false, inputs), /is not empty/);
  const beside = await openPartialFolder(join(dir, 'other'), true, inputs);
  await beside.abort();
  // An input put into OUTDIR while the run worked is found when publishing.
  const run = await openPartialFolder(join(dir, 'late'), true, [join(dir, 'late', 'exp.nii.gz')]);
  await mkdir(join(dir, 'late'));
  await writeFile(join(dir, 'late', 'exp.nii.gz'), 'moved here meanwhile');
  await assert.rejects(run.commit(), /holds the input/);
  await run.abort();
  assert.equal(await readFile(join(out, 'scans', 'exp.nii.gz'), 'utf8'), 'the only copy');
  assert.equal(await readFile(join(dir, 'late', 'exp.nii.gz'), 'utf8'), 'moved here meanwhile');
});
