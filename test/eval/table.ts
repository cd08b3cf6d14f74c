/** Plain-text tables and summary statistics for the evaluation harness. */

/** A Markdown table (pipes), columns padded to their widest cell, so it reads in a terminal and pastes into README. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((v, c) => (v ?? '').padEnd(widths[c])).join(' | ')} |`;
  return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line), ''].join('\n');
}

/** Mean, population SD, min and max. */
export function meanAndSpread(values: number[]): { mean: number; sd: number; min: number; max: number } {
  const n = values.length;
  if (n === 0) return { mean: NaN, sd: NaN, min: NaN, max: NaN };
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
  return { mean, sd, min: Math.min(...values), max: Math.max(...values) };
}
