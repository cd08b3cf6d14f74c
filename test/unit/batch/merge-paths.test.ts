/**
 * The merged summary names each pair's folder by its path from MERGED, with `/`. On Windows, shards on another drive
 * or a network share have no such path (path.relative returns the target whole, and the report's links would be
 * dead): the merge is refused naming both folders. Windows paths are worked out with node:path's win32 flavour.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { posix, win32 } from 'node:path';
import { pathFromMerged } from '../../../core/batch/merge.ts';
import { UsageError } from '../../../core/options/index.ts';

test('shards beside MERGED: the path from MERGED, with /', () => {
  assert.equal(pathFromMerged('C:\\results\\all', 'C:\\results\\shard-0\\copd1', win32), '../shard-0/copd1');
  assert.equal(pathFromMerged('\\\\nas\\cohort\\all', '\\\\nas\\cohort\\shard-1', win32), '../shard-1');
  assert.equal(pathFromMerged('/scratch/all', '/scratch/shard-0/copd1', posix), '../shard-0/copd1');
});

test('on Windows, shards on another drive or share are refused naming both folders', () => {
  for (const dir of ['D:\\shards\\shard-0', '\\\\nas\\cohort\\shard-0']) {
    assert.throws(
      () => pathFromMerged('C:\\results\\all', dir, win32),
      (e: unknown) => e instanceof UsageError && e.message.startsWith(`${dir} is on another drive or share than the merged folder C:\\results\\all`),
    );
  }
});
