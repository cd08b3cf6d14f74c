import type { ProgressCallback } from '../progress/index.ts';

/** Cells of the bar itself, and of what surrounds the label: ' [', '] ', '100%' and one spare column. */
const BAR_CELLS = 30;
const FRAME_CELLS = 2 + 2 + 4 + 1;

/**
 * A progress bar on stderr, drawn only when stderr is a TTY and the work has run for more than a second, so
 * scripts and short commands see nothing but their output. The stage label takes `labelWidth` columns (24 unless
 * told) and widens for a longer label as far as the terminal allows, never narrowing again in the same run so the bar
 * does not jump about (`monge batch` puts its pair count, ETA and the running pair's name and stage there). A label
 * wider than the terminal allows ends in '…'.
 */
export function progressBar(stream: NodeJS.WriteStream = process.stderr, options: { labelWidth?: number } = {}): { onProgress: ProgressCallback; done(): void } {
  let labelWidth = options.labelWidth ?? 24;
  const start = Date.now();
  let drawn = false;
  let last = 0;
  const onProgress: ProgressCallback = ({ stage, fraction }) => {
    if (!stream.isTTY) return;
    const now = Date.now();
    if (now - start < 1000 || now - last < 100) return;
    last = now;
    drawn = true;
    // A stream that does not say its width (a pipe made to pass for a terminal) is taken as 80 columns.
    const columns = stream.columns > 0 ? stream.columns : 80;
    const room = Math.max(8, columns - BAR_CELLS - FRAME_CELLS);
    labelWidth = Math.min(room, Math.max(labelWidth, stage.length));
    const label = stage.length > labelWidth ? `${stage.slice(0, labelWidth - 1)}…` : stage.padEnd(labelWidth);
    const filled = Math.round(Math.min(1, Math.max(0, fraction)) * BAR_CELLS);
    stream.write(`\r${label} [${'#'.repeat(filled)}${' '.repeat(BAR_CELLS - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%`);
  };
  return {
    onProgress,
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
