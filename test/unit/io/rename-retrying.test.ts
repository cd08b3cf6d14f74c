/**
 * renameRetrying: on Windows a rename that another program's brief hold refuses (EPERM, EACCES, EBUSY) is tried
 * again, with growing waits, until it works or the time limit is spent; any other error, and any error elsewhere, is
 * thrown at once. outputWriteMessage then says in words why an output could not be written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renameRetrying } from '../../../core/io/rename-retrying.ts';
import { outputWriteMessage } from '../../../core/io/output-write-error.ts';

function refusal(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: operation not permitted, rename 'a.tmp' -> 'summary.csv'`), { code, syscall: 'rename', path: 'a.tmp', dest: 'summary.csv' });
}

/** A rename that fails with `codes` in turn, then works; it counts its calls. */
function flakyRename(codes: string[]): { rename: (from: string, to: string) => Promise<void>; calls: () => number } {
  let calls = 0;
  return {
    rename: async () => {
      const code = codes[calls++];
      if (code !== undefined) throw refusal(code);
    },
    calls: () => calls,
  };
}

test('on Windows a briefly held file is renamed once it is let go', async () => {
  const flaky = flakyRename(['EPERM', 'EBUSY', 'EACCES']);
  await renameRetrying('a.tmp', 'summary.csv', { platform: 'win32', rename: flaky.rename });
  assert.equal(flaky.calls(), 4);
});

test('on Windows a file held past the limit fails with the system\'s error; other errors fail at once', async () => {
  const held = flakyRename(Array(1000).fill('EPERM'));
  const started = Date.now();
  await assert.rejects(renameRetrying('a.tmp', 'summary.csv', { platform: 'win32', rename: held.rename, limitMs: 200 }), { code: 'EPERM' });
  assert.ok(Date.now() - started <= 400 && held.calls() >= 3 && held.calls() < 10, `${held.calls()} tries in ${Date.now() - started} ms`);
  const missing = flakyRename(['ENOENT']);
  await assert.rejects(renameRetrying('a.tmp', 'summary.csv', { platform: 'win32', rename: missing.rename }), { code: 'ENOENT' });
  assert.equal(missing.calls(), 1);
});

test('elsewhere a rename is tried once', async () => {
  const flaky = flakyRename(['EPERM']);
  await assert.rejects(renameRetrying('a.tmp', 'summary.csv', { platform: 'linux', rename: flaky.rename }), { code: 'EPERM' });
  assert.equal(flaky.calls(), 1);
});

test('outputWriteMessage: refusals of a write name the file it would replace; a refusal of another call is not a write\'s', () => {
  assert.equal(
    outputWriteMessage(refusal('EPERM')),
    'cannot write the output: not permitted (on Windows: the file is open in another program, or the folder is protected) (EPERM): summary.csv; nothing was left half-written',
  );
  assert.match(outputWriteMessage(refusal('EBUSY')) ?? '', /in use by another program \(EBUSY\): summary\.csv/);
  assert.equal(outputWriteMessage(Object.assign(new Error('x'), { code: 'EACCES', syscall: 'scandir', path: '/x' })), undefined);
  assert.match(outputWriteMessage(Object.assign(new Error('x'), { code: 'ENOSPC', syscall: 'write', path: '/out/field.nii.gz' })) ?? '', /the disk is full \(ENOSPC\): \/out\/field\.nii\.gz/);
  assert.equal(outputWriteMessage(new Error('plain')), undefined);
});
