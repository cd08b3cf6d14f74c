import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trackLeftover } from '../../core/io/leftovers.ts';

/** A benchmark section's scratch folder, and the call that removes it once the section is done. */
export interface BenchScratch {
  dir: string;
  remove(): Promise<void>;
}

/**
 * Makes a scratch folder under the system's temporary folder (`TMPDIR`). It is in the leftovers registry
 * (core/io/leftovers.ts) while it exists, so that `npm run bench` stopped by Ctrl-C or SIGTERM removes it too
 * (test/bench/run.ts); before, a stopped run left its `/tmp/monge-bench-*` behind, with a gigabyte of meshes in it.
 */
export async function benchScratch(prefix: string): Promise<BenchScratch> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const untrack = trackLeftover(dir);
  return {
    dir,
    async remove() {
      await rm(dir, { recursive: true, force: true });
      untrack();
    },
  };
}
