import type { ProgressCallback } from '../progress/index.ts';

/**
 * A progress bar on stderr, drawn only when stderr is a TTY and the work has run for more than a second, so
 * scripts and short commands see nothing but their output. `labelWidth` widens the stage label (`monge batch` puts
 * its pair count and ETA there).
 */
export function progressBar(stream: NodeJS.WriteStream = process.stderr, options: { labelWidth?: number } = {}): { onProgress: ProgressCallback; done(): void } {
  const labelWidth = options.labelWidth ?? 24;
  const start = Date.now();
  let drawn = false;
  let last = 0;
  const onProgress: ProgressCallback = ({ stage, fraction }) => {
    if (!stream.isTTY) return;
    const now = Date.now();
    if (now - start < 1000 || now - last < 100) return;
    last = now;
    drawn = true;
    const width = 30;
    const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
    stream.write(`\r${stage.padEnd(labelWidth).slice(0, labelWidth)} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%`);
  };
  return {
    onProgress,
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
