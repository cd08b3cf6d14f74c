import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inShard, parseShard } from '../../../core/batch/shard.ts';
import { UsageError } from '../../../core/options/index.ts';

test('--shard K/N: 0-based K, clear errors for K ≥ N and malformed values', () => {
  assert.deepEqual(parseShard('0/4'), { index: 0, count: 4 });
  assert.deepEqual(parseShard(' 3 / 4 '), { index: 3, count: 4 });
  assert.throws(() => parseShard('4/4'), (e: unknown) => e instanceof UsageError && /K counts from 0/.test(e.message) && /--array=0-3/.test(e.message));
  assert.throws(() => parseShard('0/0'), /N must be at least 1/);
  for (const bad of ['1', '1/2/3', '-1/4', 'a/b', '1.5/4', '']) assert.throws(() => parseShard(bad), UsageError, bad);
});

test('shards partition the manifest: disjoint, complete, sizes within one, by position mod N', () => {
  const n = 23;
  for (const count of [1, 2, 3, 5, 8, 23, 30]) {
    const owners = Array.from({ length: n }, (_, i) => Array.from({ length: count }, (_, k) => k).filter((k) => inShard(i, { index: k, count })));
    assert.ok(owners.every((o) => o.length === 1), `each pair in exactly one of ${count} shards`);
    assert.deepEqual(owners.map((o) => o[0]), Array.from({ length: n }, (_, i) => i % count));
    const sizes = Array.from({ length: count }, (_, k) => owners.filter((o) => o[0] === k).length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `balanced: ${sizes}`);
  }
  assert.ok(inShard(5, undefined), 'no shard: every pair');
});
