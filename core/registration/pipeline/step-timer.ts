/**
 * Wall time and memory of a stretch of work, for the report: the resident set size (RSS) is sampled every 50 ms
 * while it runs (an unref'd timer, so it never keeps the process alive), and the peak and the change are reported.
 */

export interface StepCost {
  seconds: number;
  /** Largest RSS seen during the step (MB). */
  peakMemoryMb: number;
  /** RSS at the end minus RSS at the start (MB). */
  memoryDeltaMb: number;
}

const MB = 1024 * 1024;

export async function timed<T>(work: () => Promise<T>): Promise<{ value: T; cost: StepCost }> {
  const start = performance.now();
  const rss0 = process.memoryUsage.rss();
  let peak = rss0;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 50);
  timer.unref();
  try {
    const value = await work();
    const rss1 = process.memoryUsage.rss();
    peak = Math.max(peak, rss1);
    return { value, cost: { seconds: (performance.now() - start) / 1000, peakMemoryMb: peak / MB, memoryDeltaMb: (rss1 - rss0) / MB } };
  } finally {
    clearInterval(timer);
  }
}
