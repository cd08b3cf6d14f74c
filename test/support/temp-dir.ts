import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

/**
 * A fresh folder `<tmp>/monge-<prefix>-XXXXXX`, removed when test `t` ends, whether it passed or failed: tests that
 * removed their folder on their last line left one behind on every failure, and tests that forgot left one on
 * every run (hundreds in /tmp after a few CI runs).
 */
export async function tempDir(t: TestContext, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `monge-${prefix}-`));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
