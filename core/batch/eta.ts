/**
 * Time left in a batch, from its throughput so far: elapsed wall time / pairs finished × pairs left. Throughput
 * (rather than the mean time per pair) already accounts for the pairs running side by side on N workers.
 */

/** Seconds left, or undefined before the first pair has finished. */
export function etaSeconds(elapsedSeconds: number, finished: number, total: number): number | undefined {
  if (finished <= 0 || !(elapsedSeconds >= 0)) return undefined;
  return (elapsedSeconds / finished) * Math.max(0, total - finished);
}

export { formatDuration } from '../progress/format-duration.ts';
