import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeBatches } from '../../../core/batch/merge.ts';
import { runBatch } from '../../../core/batch/run-batch.ts';
import { SUMMARY_JSON } from '../../../core/batch/summary-files.ts';
import { InputError } from '../../../core/io/errors.ts';
import { UsageError } from '../../../core/options/index.ts';
import { tempDir } from '../../support/temp-dir.ts';

const refused = (pattern: RegExp) => (e: unknown) => e instanceof UsageError && pattern.test(e.message);

test('--resume continues only a folder a batch wrote: a folder of the user named like a pair id is never cleared', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'monge-outdir-guard-'));
  try {
    const manifest = join(dir, 'manifest.csv');
    await writeFile(manifest, 'id,moving,fixed\nDocuments,m.vtk,f.vtk\n');
    const home = join(dir, 'home');
    await mkdir(join(home, 'Documents'), { recursive: true });
    await writeFile(join(home, 'Documents', 'thesis.tex'), 'irreplaceable');
    await assert.rejects(runBatch({ manifest, outDir: home }), refused(/not empty; pass --resume/));
    await assert.rejects(runBatch({ manifest, outDir: home, resume: true }), refused(/no batch wrote it \(it has no summary\.json\)/));
    await writeFile(join(home, SUMMARY_JSON), '{"kind":"something else"}');
    await assert.rejects(runBatch({ manifest, outDir: home, resume: true }), refused(/is not a 'monge batch' summary/));
    assert.equal(await readFile(join(home, 'Documents', 'thesis.tex'), 'utf8'), 'irreplaceable');
    assert.ok(!existsSync(join(home, '.batch.lock')), 'refused before locking');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a pair reading a file inside OUTDIR is refused before anything: a --resume clearing its folder would delete it', async (t) => {
  const dir = await tempDir(t, 'outdir-inputs');
  const out = join(dir, 'out');
  await mkdir(join(out, 'p2'), { recursive: true });
  await writeFile(join(out, SUMMARY_JSON), JSON.stringify({ kind: 'monge-batch-summary', manifest: { sha256: 'ab' }, pairs: [] }));
  await writeFile(join(out, 'p2', 'exp.vtk'), 'the only copy');
  const manifest = join(dir, 'manifest.csv');
  await writeFile(manifest, 'id,moving,fixed\np1,m.vtk,f.vtk\np2,out/p2/exp.vtk,f.vtk\n');
  await assert.rejects(
    runBatch({ manifest, outDir: out, resume: true }),
    (e: unknown) => e instanceof InputError && e.file === join(out, 'p2', 'exp.vtk') && /\(manifest line 3, pair p2\) lies inside the batch's OUTDIR/.test(e.message),
  );
  assert.equal(await readFile(join(out, 'p2', 'exp.vtk'), 'utf8'), 'the only copy');
  assert.ok(!existsSync(join(out, '.batch.lock')), 'refused before locking');
});

test('monge merge does not overwrite the summary of a batch OUTDIR given as -o', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'monge-merge-guard-'));
  try {
    const batchSummary = JSON.stringify({ kind: 'monge-batch-summary', manifest: { sha256: 'ab' }, pairs: [] });
    await mkdir(join(dir, 'shard-2'));
    await writeFile(join(dir, 'shard-2', SUMMARY_JSON), batchSummary);
    await assert.rejects(mergeBatches([join(dir, 'shard-0'), join(dir, 'shard-1')], join(dir, 'shard-2')), refused(/holds a batch's own summary/));
    assert.equal(await readFile(join(dir, 'shard-2', SUMMARY_JSON), 'utf8'), batchSummary);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
