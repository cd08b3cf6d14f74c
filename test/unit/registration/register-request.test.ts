import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { register } from '../../../core/registration/index.ts';
import type { RegisterRequest } from '../../../core/registration/types.ts';

async function inTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'monge-register-request-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('register(): a library caller\'s wrongly typed request is a RangeError naming the field, before any folder is made', async () => {
  await inTemp(async (dir) => {
    const base = { moving: join(dir, 'm.vtk'), fixed: join(dir, 'f.vtk'), outDir: join(dir, 'out') };
    for (const [bad, why] of [
      [{ landmarksFrame: 'xyz' }, /landmarks frame must be 'RAS' or 'LPS' \(got "xyz"\)/],
      [{ engine: 'cuda' }, /unknown engine "cuda"/],
      [{ apply: 'abc' }, /apply must be a list of file paths/],
      [{ fieldSpacingMm: '4' }, /field spacing must be a positive number of mm \(got "4"\)/],
    ] as const) {
      await assert.rejects(register({ ...base, ...(bad as object) } as RegisterRequest), (e: unknown) => e instanceof RangeError && why.test(e.message), JSON.stringify(bad));
    }
    assert.deepEqual(await readdir(dir), []);
  });
});
