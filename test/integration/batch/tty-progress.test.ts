/**
 * `monge batch`'s progress on a terminal: the bar moves within a pair (the running pair counted in part, never going
 * back) and names the running pair and its stage, instead of standing at `0/N pairs` until a pair ends. Off a
 * terminal the output is as it was: one line per finished pair on stderr, no bar, and --json's stdout is the summary.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BatchSummaryFile } from '../../../core/batch/summary-files.ts';
import { EXIT } from '../../../core/cli/exit-codes.ts';
import { REPO_ROOT } from '../../support/data.ts';
import { MONGE_BIN, runMonge, startNode, writeSyntheticCohort } from './support.ts';
import { tempDir } from '../../support/temp-dir.ts';

const STDERR_IS_TTY = fileURLToPath(new URL('./fixtures/stderr-is-tty.mjs', import.meta.url));
const PAIRS = 4;
// Two steps make each synthetic pair take a second or so, with a handful of progress reports.
const OPTIONS = ['--steps', 'prealign,finetune', '--field-spacing', '12'];

interface Frame {
  label: string;
  percent: number;
}

/** The bar's frames in what it wrote: `\r<label> [###   ] nn%`. */
function frames(stderr: string): Frame[] {
  const out: Frame[] = [];
  for (const piece of stderr.split('\r')) {
    const m = /^(.*) \[[# ]{30}\] +(\d+)%/.exec(piece);
    if (m) out.push({ label: m[1].trimEnd(), percent: Number(m[2]) });
  }
  return out;
}

test('on a terminal the bar moves within a pair and names its stage; off it, one line per pair as before', { timeout: 180_000 }, async (t) => {
  const dir = await tempDir(t, 'batch-tty');
  const manifest = await writeSyntheticCohort(dir, PAIRS);
  const tty = await startNode(['--import', STDERR_IS_TTY, MONGE_BIN, 'batch', manifest, '-o', join(dir, 'tty'), '--jobs', '1', ...OPTIONS], { cwd: REPO_ROOT }).done;
  assert.equal(tty.code, EXIT.ok, tty.stderr);
  const drawn = frames(tty.stderr);
  const wholePairs = new Set(Array.from({ length: PAIRS + 1 }, (_, k) => Math.round((100 * k) / PAIRS)));
  const within = drawn.filter((f) => !wholePairs.has(f.percent));
  assert.ok(within.length > 0, `no frame between whole pairs: ${JSON.stringify(drawn)}`);
  assert.ok(
    drawn.some((f) => /^\d\/4 pairs(, ETA [^·]+)? · case\d (reading inputs|preparing clouds|prealign|finetune|writing outputs|displacement field|done|thumbnails)$/.test(f.label)),
    `no frame names the running pair and its stage: ${JSON.stringify(drawn.map((f) => f.label))}`,
  );
  for (let k = 1; k < drawn.length; k++) assert.ok(drawn[k].percent >= drawn[k - 1].percent, `the bar went back: ${JSON.stringify(drawn.slice(k - 1, k + 1))}`);

  // Off a terminal (and with --json): no bar; the plan line, then one line per pair; the summary on stdout.
  const plain = await runMonge(['batch', manifest, '-o', join(dir, 'plain'), '--jobs', '1', '--json', ...OPTIONS]);
  assert.equal(plain.code, EXIT.ok, plain.stderr);
  assert.ok(!plain.stderr.includes('\r'), 'no bar off a terminal');
  const lines = plain.stderr.trimEnd().split('\n');
  assert.match(lines[0], /^monge batch: 4 pairs; running 4 on 1 worker × \d+ thread\(s\)$/);
  assert.deepEqual(
    lines.slice(1).map((l) => l.replace(/ ok .*$/, ' ok')),
    Array.from({ length: PAIRS }, (_, k) => `[${k + 1}/4] case${k} ok`),
  );
  const summary = JSON.parse(plain.stdout) as BatchSummaryFile;
  assert.equal(summary.counts.ok, PAIRS);
});
