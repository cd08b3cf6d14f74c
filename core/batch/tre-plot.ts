/**
 * The cohort plot of the report, as inline SVG (no script, no external resource): per case, in manifest order, the
 * mean landmark error (TRE) before registration (grey) and after (orange) joined by a line, failed cases marked by
 * a red cross on the axis. Without landmarks in any pair the plot shows the surface distance (chamfer) instead and
 * says so. Each mark has a <title> (hover text) with the case and its values.
 */
import { escapeHtml } from './html-text.ts';
import type { SummaryRow } from './summary-row.ts';

export interface PlotOptions {
  width?: number;
  height?: number;
}

/** 1, 2 or 5 × a power of ten, so that about `count` ticks span [0, max]. */
export function niceStep(max: number, count = 5): number {
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * power >= raw) return m * power;
  return 10 * power;
}

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2));

/** The plot's SVG element (an HTML fragment). */
export function trePlotSvg(rows: readonly SummaryRow[], options: PlotOptions = {}): string {
  const useTre = rows.some((r) => r.tre_after_mm !== null);
  const before = (r: SummaryRow) => (useTre ? r.tre_before_mm : r.chamfer_before_mm);
  const after = (r: SummaryRow) => (useTre ? r.tre_after_mm : r.chamfer_after_mm);
  const label = useTre ? 'mean TRE (mm)' : 'chamfer distance (mm)';
  const title = useTre ? 'Landmark error (TRE) per case, before → after' : 'Surface distance (chamfer) per case, before → after (no landmarks given)';
  const width = options.width ?? Math.max(480, Math.min(1400, 120 + 28 * rows.length));
  const height = options.height ?? 300;
  const labelled = rows.length <= 80;
  const left = 64;
  const right = 16;
  const top = 48;
  const bottom = labelled ? 86 : 28;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const values = rows.flatMap((r) => [before(r), after(r)]).filter((v): v is number => v !== null && Number.isFinite(v));
  const max = values.length > 0 ? Math.max(...values) : 1;
  const step = niceStep(max > 0 ? max : 1);
  const yMax = Math.ceil((max > 0 ? max : 1) / step) * step;
  const x = (i: number) => left + (rows.length === 1 ? plotW / 2 : (plotW * (i + 0.5)) / rows.length);
  const y = (v: number) => top + plotH * (1 - v / yMax);
  const parts: string[] = [];
  parts.push(`<svg id="tre-plot" class="plot" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(title)}">`);
  parts.push(`<title>${escapeHtml(title)}</title>`);
  parts.push(`<text x="${left}" y="16" class="plot-title">${escapeHtml(title)}</text>`);
  for (let v = 0; v <= yMax + 1e-9 * yMax; v += step) {
    parts.push(`<line x1="${left}" x2="${width - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" class="grid"/>`);
    parts.push(`<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" class="tick">${fmt(v)}</text>`);
  }
  parts.push(`<text transform="translate(16 ${(top + plotH / 2).toFixed(1)}) rotate(-90)" text-anchor="middle" class="axis-label">${escapeHtml(label)}</text>`);
  parts.push(`<line x1="${left}" x2="${width - right}" y1="${y(0)}" y2="${y(0)}" class="axis"/>`);
  rows.forEach((r, i) => {
    const cx = x(i).toFixed(1);
    const b = before(r);
    const a = after(r);
    const name = escapeHtml(r.id);
    if (r.status !== 'ok' || a === null) {
      const yy = y(0);
      parts.push(`<g class="failed"><title>${name}: ${escapeHtml(r.status)}${r.error ? ` — ${escapeHtml(r.error)}` : ''}</title><path d="M${x(i) - 5} ${yy - 5} l10 10 m0 -10 l-10 10"/></g>`);
    } else {
      if (b !== null) parts.push(`<line x1="${cx}" x2="${cx}" y1="${y(b).toFixed(1)}" y2="${y(a).toFixed(1)}" class="link"/>`);
      if (b !== null) parts.push(`<circle cx="${cx}" cy="${y(b).toFixed(1)}" r="4" class="before"><title>${name} before: ${fmt(b)} mm</title></circle>`);
      parts.push(`<circle cx="${cx}" cy="${y(a).toFixed(1)}" r="4.5" class="after"><title>${name} after: ${fmt(a)} mm</title></circle>`);
    }
    if (labelled) parts.push(`<text transform="translate(${cx} ${(y(0) + 10).toFixed(1)}) rotate(45)" class="case-label">${name}</text>`);
  });
  const lx = left + 4;
  parts.push(`<g class="legend"><circle cx="${lx}" cy="30" r="4" class="before"/><text x="${lx + 8}" y="34">before</text><circle cx="${lx + 64}" cy="30" r="4.5" class="after"/><text x="${lx + 72}" y="34">after</text><path d="M${lx + 118} 25 l10 10 m0 -10 l-10 10" class="failed-mark"/><text x="${lx + 134}" y="34">failed</text></g>`);
  parts.push('</svg>');
  return parts.join('');
}
