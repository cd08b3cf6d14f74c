import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../../support/temp-dir.ts';
import { register } from '../../../core/registration/index.ts';
import type { RegisterRequest } from '../../../core/registration/types.ts';

test('register(): a library caller\'s wrongly typed request is a RangeError naming the field, before any folder is made', async (t) => {
  const dir = await tempDir(t, 'register-request');
  const base = { moving: join(dir, 'm.vtk'), fixed: join(dir, 'f.vtk'), outDir: join(dir, 'out') };
  for (const [bad, why] of [
    [{ landmarksFrame: 'xyz' }, /landmarks frame must be 'RAS' or 'LPS' \(got "xyz"\)/],
    [{ engine: 'cuda' }, /unknown engine "cuda"/],
    [{ apply: 'abc' }, /apply must be a list of file paths/],
    [{ applyPrefix: 7, apply: ['x.csv'] }, /applyPrefix must be a column prefix/],
    [{ fieldSpacingMm: '4' }, /field spacing must be a positive number of mm \(got "4"\)/],
  ] as const) {
    await assert.rejects(register({ ...base, ...(bad as object) } as RegisterRequest), (e: unknown) => e instanceof RangeError && why.test(e.message), JSON.stringify(bad));
  }
  assert.deepEqual(await readdir(dir), []);
});
