/**
 * Ctrl-C and a scheduler's SIGTERM stop `monge register` the clean way: the run stops within a moment, even in the
 * middle of its outputs (seconds of field sampling on a fine grid), says so, leaves neither OUTDIR nor its hidden
 * `.OUTDIR.partial-` folder behind, and then ends by the signal itself (so a shell loop stops too: shell-loop-cancel). Before, Node's default ended the process at once and left the
 * partial folder (tens of MB of field) beside OUTDIR; and a signal that arrived during the outputs was only seen
 * after all of them were written (the chunked field sampling never let the event loop turn).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { tempDir } from '../../support/temp-dir.ts';
import { waitFor } from '../../support/wait-for.ts';
import { startMonge, writeSyntheticPairs } from '../batch/support.ts';

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} during the outputs stops monge register at once and leaves no partial folder`, { timeout: 120_000 }, async (t) => {
    const dir = await tempDir(t, 'register-cancel');
    await writeSyntheticPairs(dir, 1);
    const inputs = (await readdir(dir)).sort();
    // A 0.4 mm field on the shapes' box is ~14 M voxels: its sampling alone takes seconds.
    const { child, done } = startMonge(['register', join(dir, 'm0.vtk'), join(dir, 'f0.vtk'), '-o', join(dir, 'out'), '--field-spacing', '0.4']);
    const partialFolder = async () => (await readdir(dir)).find((e) => e.startsWith('.out.partial-'));
    // The 4×4 matrix is the last file written before the field is sampled: signal the run inside that sampling.
    await waitFor(async () => {
      const p = await partialFolder();
      return p !== undefined && existsSync(join(dir, p, 'affine-moving-to-fixed.mat4.txt'));
    }, child, 'the field sampling');
    await sleep(300);
    const sent = Date.now();
    child.kill(signal);
    const run = await done;
    const latencyMs = Date.now() - sent;
    assert.equal(run.signal, signal, `exit ${run.code} (signal ${run.signal}): ${run.stderr}`);
    assert.match(run.stderr, /monge register: .*cancelling/);
    assert.match(run.stderr, /monge register: cancelled during /);
    // Uncancelled, the outputs go on for ~10 s on a 2-core machine; a cancelled run stops at its next chunk.
    assert.ok(latencyMs < 4000, `stopped ${latencyMs} ms after ${signal}`);
    assert.deepEqual((await readdir(dir)).sort(), inputs, 'no OUTDIR and no .out.partial- folder');
  });
}
