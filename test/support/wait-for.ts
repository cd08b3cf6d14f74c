import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waits until `ready()` holds, polling every `intervalMs`, and fails if `child` ended first (by exit or by a
 * signal) or 60 s went by: the tests that signal a running `monge` catch it in the middle of some work this way.
 */
export async function waitFor(ready: () => Promise<boolean>, child: Pick<ChildProcess, 'exitCode' | 'signalCode'>, what: string, intervalMs = 10): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await ready())) {
    assert.ok(child.exitCode === null && child.signalCode === null, `the run ended before ${what}`);
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}
