import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, writeFile } from 'node:fs/promises';
import { freemem } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { InputError } from '../../../core/io/errors.ts';
import { gunzipInput, readInputBytes } from '../../../core/io/read-bytes.ts';
import { tempDir } from '../../support/temp-dir.ts';

test('readInputBytes reads a file in chunks of the size it is given, every byte in place', async (t) => {
  const dir = await tempDir(t, 'read-bytes');
  const file = join(dir, 'data.bin');
  const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37 + 11) % 256);
  await writeFile(file, bytes);
  for (const chunk of [7, 999, 1000, 4096]) assert.deepEqual(await readInputBytes(file, 2000, chunk), bytes, `chunk ${chunk}`);
});

// 2 GiB + 4 KiB, sparse on disk (truncate), so only the memory of the result is spent: one read of it at once is
// past Node's 2^31 − 1-byte limit for fs.read, which aborted the process.
const LARGE = 2 ** 31 + 4096;
test('readInputBytes reads a file over 2 GiB (a sparse one), its bytes in place', { skip: freemem() < 2 * LARGE && 'needs 4 GiB of free memory' }, async (t) => {
  const dir = await tempDir(t, 'read-bytes');
  const file = join(dir, 'large.nii');
  const handle = await open(file, 'w');
  try {
    await handle.truncate(LARGE);
    for (const [at, value] of [[0, 0x5c], [2 ** 31 - 1, 0xa1], [LARGE - 1, 0x7e]]) await handle.write(Uint8Array.of(value), 0, 1, at);
  } finally {
    await handle.close();
  }
  let bytes: Uint8Array | undefined = await readInputBytes(file);
  assert.equal(bytes.length, LARGE);
  assert.deepEqual([bytes[0], bytes[1], bytes[2 ** 31 - 1], bytes[2 ** 31], bytes[LARGE - 1]], [0x5c, 0, 0xa1, 0, 0x7e]);
  bytes = undefined;
});

test('gzip data inflating past the limit is "too-large", naming the file and the limit, not "corrupt"', () => {
  const zipped = gzipSync(new Uint8Array(2000));
  assert.equal(gunzipInput(zipped, 'ok.nii.gz', 2000).length, 2000);
  assert.throws(
    () => gunzipInput(zipped, 'big.nii.gz', 1000),
    (e: unknown) => {
      assert.ok(e instanceof InputError, String(e));
      assert.equal(e.problem, 'too-large');
      assert.equal(e.message, 'big.nii.gz: the gzip data inflates to more than 1000 bytes, the most Monge reads from one file');
      return true;
    },
  );
  assert.throws(() => gunzipInput(zipped.subarray(0, 20), 'cut.nii.gz'), (e: unknown) => e instanceof InputError && e.problem === 'corrupt-compression');
});
