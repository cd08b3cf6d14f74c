/**
 * How many pairs run at once, and with how many threads each. Each worker holds a whole registration in memory
 * (COPD lung masks at full resolution peak near 1 GB: the 2 mm displacement field, its Jacobian, two surfaces of
 * ~10⁵ vertices), so `--jobs N` is capped by a memory budget: 80 % of the memory this process may use divided by an
 * estimate per pair (`--pair-memory`, default 2048 MB), and by the number of pairs to run. That memory is the
 * machine's, or the cgroup's limit when it is lower (`process.constrainedMemory()`): a Slurm `--mem` allocation, a
 * Kubernetes or Docker memory limit — `os.totalmem()` alone reports the whole node there, and the workers would be
 * killed for memory. The cores are shared out
 * (`MONGE_THREADS` per worker = cores / jobs, at least 1) unless MONGE_THREADS is already set; the kernels split
 * their work by rows, so the thread count does not change any result.
 */
import { availableParallelism, totalmem } from 'node:os';

export const DEFAULT_PAIR_MEMORY_MB = 2048;
/** Fraction of the machine's memory the workers may use together. */
export const MEMORY_FRACTION = 0.8;

export interface JobPlan {
  jobs: number;
  threadsPerJob: number;
  /** Why fewer jobs than asked run (for a message), if so. */
  capped?: string;
}

/** Memory (MB) this process and its children may use: the machine's, or its cgroup's limit when lower. */
export function usableMemoryMb(): number {
  const total = totalmem();
  // 0 (or undefined) when unknown; about 2⁶⁴ when the cgroup sets no limit.
  const limit = process.constrainedMemory?.() ?? 0;
  return (limit > 0 ? Math.min(total, limit) : total) / 2 ** 20;
}

export function planJobs(requested: number, pairs: number, pairMemoryMb = DEFAULT_PAIR_MEMORY_MB, machine = { memoryMb: usableMemoryMb(), cores: availableParallelism() }): JobPlan {
  const byMemory = Math.max(1, Math.floor((machine.memoryMb * MEMORY_FRACTION) / pairMemoryMb));
  let jobs = Math.max(1, Math.min(requested, byMemory, Math.max(1, pairs)));
  let capped: string | undefined;
  if (requested > byMemory && pairs > byMemory) {
    capped = `--jobs ${requested} lowered to ${byMemory}: ${Math.round(machine.memoryMb)} MB of memory allows ${byMemory} pair${byMemory === 1 ? '' : 's'} of ~${pairMemoryMb} MB at once (--pair-memory)`;
  }
  jobs = Math.max(1, jobs);
  return { jobs, threadsPerJob: Math.max(1, Math.floor(machine.cores / jobs)), ...(capped ? { capped } : {}) };
}

/**
 * The MONGE_THREADS each worker is given: the user's setting, else the plan's share. A blank value counts as unset,
 * as everywhere (core/cli/environment.ts): passed on as '', each worker would use every core.
 */
export function workerThreadsSetting(userSetting: string | undefined, plan: JobPlan): string {
  return userSetting?.trim() || String(plan.threadsPerJob);
}
