/**
 * Time left in a batch, from its throughput so far: elapsed wall time / pairs finished × pairs left. Throughput
 * (rather than the mean time per pair) already accounts for the pairs running side by side on N workers.
 */

/** Seconds left, or undefined before the first pair has finished. */
export function etaSeconds(elapsedSeconds: number, finished: number, total: number): number | undefined {
  if (finished <= 0 || !(elapsedSeconds >= 0)) return undefined;
  return (elapsedSeconds / finished) * Math.max(0, total - finished);
}

/** 75 → "1m15s", 4000 → "1h07m", 12 → "12s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
