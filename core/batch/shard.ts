/**
 * `--shard K/N`: a deterministic 1/N of the manifest, so a cluster's job array splits a cohort with no other
 * tooling. K counts from 0 (0 ≤ K < N), as `$SLURM_ARRAY_TASK_ID` does for `--array=0-(N-1)` and as Kubernetes'
 * `$JOB_COMPLETION_INDEX` does. Pair i (0-based position among the manifest's rows) belongs to shard i mod N:
 * round-robin gives every shard the same number of pairs (±1) and spreads cohorts sorted by size evenly; it
 * depends only on the manifest, so every task computes the same split. (Shards must read the same manifest:
 * `monge merge` checks its SHA-256.)
 */
import { UsageError } from '../options/index.ts';

export interface Shard {
  /** 0-based. */
  index: number;
  count: number;
}

/** Parses `K/N` (0 ≤ K < N); a mistake is a UsageError that says how to fix it. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new UsageError(`--shard must be K/N with whole numbers, 0 ≤ K < N (e.g. --shard 0/4), not '${text}'`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1) throw new UsageError(`--shard ${text}: N must be at least 1`);
  if (index >= count) {
    throw new UsageError(
      `--shard ${text}: K counts from 0, so it must be below N (0 ≤ K < ${count}); ` +
        `with Slurm use --array=0-${count - 1} and --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT`,
    );
  }
  return { index, count };
}

/** Whether the pair at manifest position `position` belongs to `shard`. */
export function inShard(position: number, shard: Shard | undefined): boolean {
  return shard === undefined || position % shard.count === shard.index;
}
