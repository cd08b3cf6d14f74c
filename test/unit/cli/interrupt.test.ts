/**
 * listenForInterrupts: the first Ctrl-C or SIGTERM aborts the command's signal (Node would end the process), and
 * disposing gives the signals back to Node's default handling. (The second Ctrl-C ends the process, which this
 * in-process test cannot exercise; register-cancel.test.ts and interrupt-short-command.test.ts send real signals to
 * a child process.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { listenForInterrupts } from '../../../core/cli/interrupt.ts';
import { cancellationPoint, CancelledError, untilCancelled } from '../../../core/progress/index.ts';

const INTERRUPT_MODULE = fileURLToPath(new URL('../../../core/cli/interrupt.ts', import.meta.url));

for (const name of ['SIGINT', 'SIGTERM'] as const) {
  test(`${name} aborts the signal once; dispose removes the listeners`, async () => {
    const before = process.listenerCount(name);
    const interrupts = listenForInterrupts('test');
    assert.equal(process.listenerCount(name), before + 1);
    assert.equal(interrupts.signal.aborted, false);
    assert.equal(interrupts.stoppedBy(), undefined);
    process.emit(name, name);
    assert.equal(interrupts.signal.aborted, true);
    assert.equal(interrupts.stoppedBy(), name);
    if (name === 'SIGTERM') process.emit(name, name); // a second SIGTERM is ignored: the clean stop goes on
    interrupts.dispose();
    assert.equal(process.listenerCount('SIGINT'), before);
    assert.equal(process.listenerCount('SIGTERM'), before);
  });
}

test('cancellationPoint lets a signal that fires as an event stop a loop of awaited work', async () => {
  const controller = new AbortController();
  setImmediate(() => controller.abort()); // an event, like a signal handler or a worker's 'cancel' message
  let chunks = 0;
  // Awaiting resolved promises alone never lets the event run; each cancellation point gives it a turn.
  const loop = async () => {
    for (;;) {
      await Promise.resolve();
      chunks++;
      await cancellationPoint(controller.signal, 'the loop');
    }
  };
  await assert.rejects(loop(), (e: unknown) => e instanceof CancelledError && /during the loop/.test(e.message));
  assert.ok(chunks >= 1 && chunks <= 2, `stopped after ${chunks} chunks`);
  await cancellationPoint(undefined, 'no signal'); // without a signal it returns at once
});

test('untilCancelled stops waiting on work done elsewhere as soon as the signal fires, and passes results and errors through', async () => {
  const controller = new AbortController();
  let finish!: (value: string) => void;
  const slow = new Promise<string>((resolve) => (finish = resolve)); // a worker's answer that has not come yet
  const waiting = untilCancelled(slow, controller.signal, 'drawing validation pairs');
  setTimeout(() => controller.abort(), 10);
  await assert.rejects(waiting, (e: unknown) => e instanceof CancelledError && e.message === 'cancelled during drawing validation pairs');
  finish('late'); // the work's own end after the cancel changes nothing and is not an unhandled rejection
  assert.equal(await untilCancelled(Promise.resolve(7), new AbortController().signal, 'x'), 7);
  await assert.rejects(untilCancelled(Promise.reject(new RangeError('bad')), new AbortController().signal, 'x'), RangeError);
  await assert.rejects(untilCancelled(slow, AbortSignal.abort(), 'already'), CancelledError);
  assert.equal(await untilCancelled(Promise.resolve('no signal'), undefined, 'x'), 'no signal');
});

for (const [signal, status] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  test(`endBySignal on Windows (no signals there) exits with the shell's status ${status} for ${signal}, not the 1 of a "killed" process`, () => {
    // A child process that passes for win32 (process.platform redefined) and ends by endBySignal.
    const script = `Object.defineProperty(process, 'platform', { value: 'win32' }); const { endBySignal } = await import(${JSON.stringify(INTERRUPT_MODULE)}); endBySignal('${signal}');`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.deepEqual([run.status, run.signal], [status, null], run.stderr);
    // On this (POSIX) system the same call dies of the signal itself, as a shell expects of a stopped command.
    const posix = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script.replace(/^Object[^;]*;/, '')], { encoding: 'utf8' });
    assert.deepEqual([posix.status, posix.signal], [null, signal], posix.stderr);
  });
}
