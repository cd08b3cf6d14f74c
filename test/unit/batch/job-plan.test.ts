import { test } from 'node:test';
import assert from 'node:assert/strict';
import { etaSeconds, formatDuration } from '../../../core/batch/eta.ts';
import { totalmem } from 'node:os';
import { planJobs, usableMemoryMb, workerThreadsSetting } from '../../../core/batch/job-count.ts';

test('--jobs is capped by memory (80 % of RAM / per-pair estimate) and by the pairs left; threads are shared out', () => {
  const machine = { memoryMb: 16_384, cores: 16 };
  // 0.8 × 16384 / 2048 = 6.4 → 6 pairs fit.
  assert.deepEqual(planJobs(8, 100, 2048, machine), { jobs: 6, threadsPerJob: 2, capped: '--jobs 8 lowered to 6: 16384 MB of memory allows 6 pairs of ~2048 MB at once (--pair-memory)' });
  assert.deepEqual(planJobs(4, 100, 2048, machine), { jobs: 4, threadsPerJob: 4 });
  assert.deepEqual(planJobs(4, 2, 2048, machine), { jobs: 2, threadsPerJob: 8 }, 'no more workers than pairs');
  assert.deepEqual(planJobs(3, 100, 100_000, machine), { jobs: 1, threadsPerJob: 16, capped: '--jobs 3 lowered to 1: 16384 MB of memory allows 1 pair of ~100000 MB at once (--pair-memory)' }, 'at least one');
  assert.deepEqual(planJobs(2, 0, 2048, { memoryMb: 8192, cores: 2 }), { jobs: 1, threadsPerJob: 2 });
  assert.equal(planJobs(3, 10, 2048, { memoryMb: 8192, cores: 2 }).threadsPerJob, 1, 'never below one thread');
  // The budget is the machine's memory or its cgroup's limit, never more than the machine has.
  const usable = usableMemoryMb();
  assert.ok(usable > 0 && usable <= totalmem() / 2 ** 20, `${usable} MB`);
});

test('ETA from throughput, and durations as people read them', () => {
  assert.equal(etaSeconds(100, 0, 10), undefined);
  assert.equal(etaSeconds(100, 4, 10), 150);
  assert.equal(etaSeconds(100, 10, 10), 0);
  assert.deepEqual([12, 75, 3599, 4000, 90_061].map(formatDuration), ['12s', '1m15s', '59m59s', '1h06m', '25h01m']);
});

test('worker threads: the user’s MONGE_THREADS is kept; unset or blank, each worker gets the plan’s share of the cores', () => {
  const plan = planJobs(4, 100, 2048, { memoryMb: 16384, cores: 16 });
  assert.equal(plan.threadsPerJob, 4);
  assert.equal(workerThreadsSetting(undefined, plan), '4');
  assert.equal(workerThreadsSetting('', plan), '4');
  assert.equal(workerThreadsSetting('  ', plan), '4');
  assert.equal(workerThreadsSetting('1', plan), '1');
});
