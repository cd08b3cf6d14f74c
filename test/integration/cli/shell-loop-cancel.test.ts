/**
 * Ctrl-C in a shell loop over cases stops the loop, not only the case it was on. bash, waiting on a command when the
 * terminal's SIGINT reaches both, goes on with the loop when the command merely exits, and stops when the command
 * dies of SIGINT (bash(1), SIGNALS). So `monge`, having caught Ctrl-C to clean up, must end by that signal; before,
 * it exited 1 and a `for` loop over a cohort started the next registration at every Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { tempDir } from '../../support/temp-dir.ts';
import { waitFor } from '../../support/wait-for.ts';
import { MONGE_BIN, writeSyntheticPairs } from '../batch/support.ts';

test('Ctrl-C during a bash loop of monge register runs stops the loop, not just the running case', { timeout: 120_000 }, async (t) => {
  const dir = await tempDir(t, 'shell-loop-cancel');
  await writeSyntheticPairs(dir, 2);
  // A 0.4 mm field takes each run seconds to sample: long enough to be caught in the first.
  const loop = `for k in 0 1; do "${process.execPath}" "${MONGE_BIN}" register m$k.vtk f$k.vtk -o out$k --field-spacing 0.4; echo "case $k ended: $?"; done; echo "loop finished"`;
  // Its own process group, as a terminal's foreground job: the test sends SIGINT to the group, as Ctrl-C does.
  const shell = spawn('bash', ['-c', loop], { cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  shell.stdout.on('data', (d: Buffer) => (output += String(d)));
  shell.stderr.on('data', (d: Buffer) => (output += String(d)));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => shell.once('close', (code, signal) => resolve({ code, signal })));
  await waitFor(async () => (await readdir(dir)).some((e) => e.startsWith('.out0.partial-')), shell, 'the first run wrote anything');
  process.kill(-shell.pid!, 'SIGINT');
  const end = await ended;
  assert.equal(end.signal, 'SIGINT', `the shell ended with ${end.code ?? end.signal}: ${output}`);
  assert.match(output, /monge register: cancelled during /);
  assert.doesNotMatch(output, /case \d ended|loop finished/, 'the shell stopped with the command it waited on');
  const left = (await readdir(dir)).filter((e) => e.includes('out'));
  assert.deepEqual(left, [], 'the second case never started, and the first left nothing');
});
