/**
 * Cluster scale: two shards (`--shard 0/2`, `--shard 1/2`, as two job-array tasks with their own OUTDIRs) merged
 * with `monge merge` give the same summary as one unsharded run — same pairs, same order, same metrics (the
 * registration is deterministic), only the timing columns and folder paths differ. A merge that lacks a shard says
 * so and exits 4; folders from another manifest are refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BatchSummaryFile } from '../../../core/batch/summary-files.ts';
import { TIMING_COLUMNS, type SummaryEntry } from '../../../core/batch/summary-row.ts';
import { EXIT } from '../../../core/cli/exit-codes.ts';
import { nonBlankLines, splitCsvFields } from '../../../core/io/points/text.ts';
import { FAST_OPTIONS, runMonge, writeSyntheticCohort } from './support.ts';

const readSummary = async (dir: string) => JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as BatchSummaryFile;
const withoutTiming = (r: SummaryEntry) => Object.fromEntries(Object.entries(r).filter(([k]) => !(TIMING_COLUMNS as readonly string[]).includes(k)));

/** summary.csv as rows of the non-timing columns. */
async function csvWithoutTiming(dir: string): Promise<string[][]> {
  const records = nonBlankLines(await readFile(join(dir, 'summary.csv'), 'utf8')).map((l) => splitCsvFields(l, 'summary.csv'));
  const keep = records[0].map((c, i) => ((TIMING_COLUMNS as readonly string[]).includes(c) ? -1 : i)).filter((i) => i >= 0);
  return records.map((r) => keep.map((i) => r[i]));
}

test('two shards + merge = one unsharded run', { timeout: 240_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'monge-batch-shards-'));
  try {
    const manifest = await writeSyntheticCohort(dir, 5);
    const whole = await runMonge(['batch', manifest, '-o', join(dir, 'whole'), '--jobs', '2', ...FAST_OPTIONS]);
    assert.equal(whole.code, EXIT.ok, whole.stderr);
    for (const k of [0, 1]) {
      const shard = await runMonge(['batch', manifest, '-o', join(dir, `shard${k}`), '--shard', `${k}/2`, ...FAST_OPTIONS]);
      assert.equal(shard.code, EXIT.ok, shard.stderr);
      assert.match(shard.stderr, new RegExp(`${k === 0 ? 3 : 2} pairs \\(shard ${k}/2\\)`));
    }
    const s0 = await readSummary(join(dir, 'shard0'));
    assert.deepEqual(s0.pairs.map((r) => r.id), ['case0', 'case2', 'case4'], 'shard 0 = positions 0, 2, 4');
    assert.deepEqual(s0.shard, { index: 0, count: 2 });

    const merged = await runMonge(['merge', join(dir, 'shard0'), join(dir, 'shard1'), '-o', join(dir, 'merged')]);
    assert.equal(merged.code, EXIT.ok, merged.stderr);
    const a = await readSummary(join(dir, 'whole'));
    const b = await readSummary(join(dir, 'merged'));
    assert.deepEqual(b.pairs.map((r) => r.id), ['case0', 'case1', 'case2', 'case3', 'case4']);
    assert.deepEqual(b.pairs.map(withoutTiming), a.pairs.map(withoutTiming));
    assert.deepEqual(b.counts, a.counts);
    assert.equal(b.complete, true);
    assert.deepEqual(b.missingShards, []);
    assert.ok(a.pairs.every((r) => r.tre_after_mm! < r.tre_before_mm!), 'real registrations');
    assert.deepEqual(await csvWithoutTiming(join(dir, 'merged')), await csvWithoutTiming(join(dir, 'whole')));
    // Pair folders are referenced from the merge, and the report embeds every thumbnail from there.
    assert.deepEqual(b.pairs.map((r) => r.dir), ['../shard0/case0', '../shard1/case1', '../shard0/case2', '../shard1/case3', '../shard0/case4']);
    const report = await readFile(join(dir, 'merged', 'report.html'), 'utf8');
    assert.equal((report.match(/src="data:image\/png;base64,/g) ?? []).length, 10);
    assert.match(report, /href="\.\.\/shard1\/case3\/report\.json"/);

    // A missing shard: merged, flagged, exit 4.
    const partial = await runMonge(['merge', join(dir, 'shard1'), '-o', join(dir, 'partial')]);
    assert.equal(partial.code, EXIT.somePairsFailed);
    assert.match(partial.stderr, /shard 0 missing/);
    assert.deepEqual((await readSummary(join(dir, 'partial'))).missingShards, [0]);
    // Shards of different splits (0/2 holds case0, 2, 4; 1/4 holds case1) leave case3 unrun: not complete, exit 4.
    const quarter = await runMonge(['batch', manifest, '-o', join(dir, 'quarter1'), '--shard', '1/4', ...FAST_OPTIONS]);
    assert.equal(quarter.code, EXIT.ok, quarter.stderr);
    const gaps = await runMonge(['merge', join(dir, 'shard0'), join(dir, 'quarter1'), '-o', join(dir, 'gaps')]);
    assert.equal(gaps.code, EXIT.somePairsFailed, gaps.stderr);
    const gapSummary = await readSummary(join(dir, 'gaps'));
    assert.deepEqual([gapSummary.complete, gapSummary.counts.pairs, gapSummary.counts.ok, gapSummary.counts.pending], [false, 5, 4, 1]);
    assert.match(gaps.stderr, /shards of different splits .*1 of the manifest's 5 pairs are in none of them/);
    // The same manifest bytes read at another path (a copy elsewhere, whose relative paths name other files): merged,
    // with a warning naming both paths.
    await cp(join(dir, 'shard1'), join(dir, 'shard1-elsewhere'), { recursive: true });
    const moved = await readSummary(join(dir, 'shard1-elsewhere'));
    await writeFile(join(dir, 'shard1-elsewhere', 'summary.json'), JSON.stringify({ ...moved, manifest: { ...moved.manifest, path: '/elsewhere/manifest.csv' } }));
    const elsewhere = await runMonge(['merge', join(dir, 'shard0'), join(dir, 'shard1-elsewhere'), '-o', join(dir, 'elsewhere')]);
    assert.equal(elsewhere.code, EXIT.ok, elsewhere.stderr);
    assert.match(elsewhere.stderr, /read its manifest at \/elsewhere\/manifest\.csv, .* at .*manifest\.csv: the same contents, but relative paths/);
    // A pair given twice (shard 1 and the merge holding it), and a folder from another manifest.
    const twice = await runMonge(['merge', join(dir, 'shard0'), join(dir, 'shard1'), join(dir, 'partial'), '-o', join(dir, 'x')]);
    assert.equal(twice.code, EXIT.badInput, twice.stderr);
    await writeFile(join(dir, 'other.csv'), (await readFile(manifest, 'utf8')).split('\n').slice(0, 3).join('\n') + '\n');
    const other = await runMonge(['batch', join(dir, 'other.csv'), '-o', join(dir, 'other'), '--shard', '1/2', ...FAST_OPTIONS]);
    assert.equal(other.code, EXIT.ok, other.stderr);
    const mixed = await runMonge(['merge', join(dir, 'shard0'), join(dir, 'other'), '-o', join(dir, 'y')]);
    assert.equal(mixed.code, EXIT.badInput);
    assert.match(mixed.stderr, /comes from another manifest/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
