import { availableParallelism } from 'node:os';

/**
 * Threads a process may keep busy: MONGE_THREADS (a positive integer) or the machine's available parallelism. `monge
 * batch` sets MONGE_THREADS to cores / workers in each worker, so that the pairs running at once share the machine.
 */
export function defaultThreadCount(): number {
  const env = process.env.MONGE_THREADS;
  if (env !== undefined && env.trim() !== '') {
    const n = threadCountOf(env);
    if (n === undefined) throw new RangeError(`MONGE_THREADS must be a positive integer (got "${env}")`);
    return n;
  }
  return availableParallelism();
}

/** MONGE_THREADS's value as a thread count, or undefined when it is not a positive integer. */
export function threadCountOf(value: string): number | undefined {
  const n = Number(value);
  return value.trim() !== '' && Number.isInteger(n) && n >= 1 ? n : undefined;
}
