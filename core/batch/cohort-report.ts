/**
 * `report.html`: the cohort report, one self-contained file that opens offline — styles, the sorting script, the
 * plot (inline SVG) and every thumbnail (PNG data URLs) are inside it, and its Content-Security-Policy forbids
 * loading anything from elsewhere. It holds the counts, the TRE-per-case plot (tre-plot.ts), and the cohort table,
 * sortable by any column (click a header; again to reverse), with the before / after thumbnails of each pair and
 * the reason of each failure. Pair ids link to the pair's report.json (relative links, for browsing OUTDIR).
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { escapeHtml } from './html-text.ts';
import { THUMBNAIL_COLOURS, thumbnailPaths } from './pair-thumbnails.ts';
import type { BatchSummaryFile } from './summary-files.ts';
import type { SummaryEntry } from './summary-row.ts';
import { trePlotSvg } from './tre-plot.ts';

export const REPORT_HTML = 'report.html';

/** Base64 PNGs per pair id. */
export type Thumbnails = Map<string, { before?: string; after?: string }>;

interface Column {
  title: string;
  type: 'number' | 'text';
  value(r: SummaryEntry): string | number | null;
  digits?: number;
}

const COLUMNS: Column[] = [
  { title: '#', type: 'number', value: (r) => r.index },
  { title: 'id', type: 'text', value: (r) => r.id },
  { title: 'status', type: 'text', value: (r) => r.status },
  { title: 'TRE before (mm)', type: 'number', value: (r) => r.tre_before_mm, digits: 2 },
  { title: 'TRE after (mm)', type: 'number', value: (r) => r.tre_after_mm, digits: 2 },
  { title: 'TRE p90 after (mm)', type: 'number', value: (r) => r.tre_after_p90_mm, digits: 2 },
  { title: 'chamfer before (mm)', type: 'number', value: (r) => r.chamfer_before_mm, digits: 2 },
  { title: 'chamfer after (mm)', type: 'number', value: (r) => r.chamfer_after_mm, digits: 2 },
  { title: 'HD95 after (mm)', type: 'number', value: (r) => r.hd95_after_mm, digits: 2 },
  { title: 'Jacobian min', type: 'number', value: (r) => r.jacobian_min, digits: 3 },
  { title: 'folding (%)', type: 'number', value: (r) => (r.folding_fraction === null ? null : 100 * r.folding_fraction), digits: 3 },
  { title: 'time (s)', type: 'number', value: (r) => r.seconds, digits: 1 },
];

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; background: #fff; }
h1 { font-size: 20px; margin: 0 0 4px; }
.meta { color: #555; margin: 0 0 16px; }
.counts span { display: inline-block; margin-right: 14px; }
.ok { color: #1a7f37; } .failed { color: #c62828; } .cancelled { color: #8a6d00; }
.plot { display: block; margin: 12px 0 20px; max-width: 100%; height: auto; }
.plot .grid { stroke: #e4e4e4; } .plot .axis { stroke: #888; }
.plot .tick, .plot .case-label, .plot .legend text { font-size: 11px; fill: #444; }
.plot .plot-title { font-size: 13px; font-weight: 600; fill: #222; }
.plot .axis-label { font-size: 12px; fill: #444; }
.plot .link { stroke: #bbb; stroke-width: 2; }
.plot .before { fill: #9e9e9e; } .plot .after { fill: rgb(${THUMBNAIL_COLOURS.moving.join(',')}); }
.plot .failed path, .plot .failed-mark { stroke: #c62828; stroke-width: 2; fill: none; }
table.cohort { border-collapse: collapse; }
table.cohort th, table.cohort td { border-bottom: 1px solid #e4e4e4; padding: 4px 8px; text-align: right; vertical-align: middle; }
table.cohort th { background: #f5f5f5; position: sticky; top: 0; cursor: pointer; user-select: none; white-space: nowrap; }
table.cohort th[aria-sort="ascending"]::after { content: " \\25B2"; } table.cohort th[aria-sort="descending"]::after { content: " \\25BC"; }
table.cohort td.text { text-align: left; }
table.cohort td.error { text-align: left; max-width: 420px; color: #c62828; font-size: 12px; }
table.cohort img { display: block; width: 120px; height: 120px; image-rendering: auto; border: 1px solid #ddd; }
.swatch { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 10px; vertical-align: baseline; }
`;

/** Sorts the table by a clicked header: numbers by value (empty last), text by locale order. */
const SCRIPT = `
(function () {
  var table = document.getElementById('cohort');
  var headers = table.tHead.rows[0].cells;
  for (var i = 0; i < headers.length; i++) {
    if (!headers[i].dataset.type) continue;
    headers[i].addEventListener('click', function (event) {
      var th = event.currentTarget;
      var col = th.cellIndex;
      var numeric = th.dataset.type === 'number';
      var ascending = th.getAttribute('aria-sort') !== 'ascending';
      for (var k = 0; k < headers.length; k++) headers[k].removeAttribute('aria-sort');
      th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].dataset.sort, y = b.cells[col].dataset.sort;
        if (x === '' && y === '') return 0;
        if (x === '') return 1;
        if (y === '') return -1;
        var d = numeric ? Number(x) - Number(y) : x.localeCompare(y);
        return ascending ? d : -d;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  }
})();
`;

function cell(column: Column, r: SummaryEntry): string {
  const v = column.value(r);
  const sort = v === null ? '' : String(v);
  const shown = v === null ? '' : typeof v === 'number' && column.digits !== undefined ? v.toFixed(column.digits) : String(v);
  if (column.title === 'id') {
    const href = `${r.dir}/report.json`.split('/').map(encodeURIComponent).join('/');
    const content = r.status === 'ok' ? `<a href="${escapeHtml(href)}">${escapeHtml(shown)}</a>` : escapeHtml(shown);
    return `<td class="text" data-sort="${escapeHtml(sort)}">${content}</td>`;
  }
  if (column.title === 'status') return `<td class="text ${escapeHtml(r.status)}" data-sort="${escapeHtml(sort)}">${escapeHtml(shown)}${r.resumed ? ' (resumed)' : ''}</td>`;
  return `<td class="${column.type}" data-sort="${escapeHtml(sort)}">${escapeHtml(shown)}</td>`;
}

function thumbnailCell(id: string, which: 'before' | 'after', data: string | undefined): string {
  if (!data) return '<td class="thumb text">—</td>';
  const alt = which === 'before' ? `${id}: moving shape (orange) and fixed shape (blue outline), before registration` : `${id}: warped shape (orange) and fixed shape (blue outline), after registration`;
  return `<td class="thumb"><img class="thumbnail ${which}" alt="${escapeHtml(alt)}" src="data:image/png;base64,${data}"></td>`;
}

/** The report page for a summary and its thumbnails. */
export function cohortReportHtml(summary: BatchSummaryFile, thumbnails: Thumbnails): string {
  const rows = [...summary.pairs].sort((a, b) => a.index - b.index);
  const c = summary.counts;
  const scope = summary.shard ? `shard ${summary.shard.index}/${summary.shard.count} of ` : summary.mergedFrom ? `merge of ${summary.mergedFrom.length} summaries of ` : '';
  const head = COLUMNS.map((col) => `<th data-type="${col.type}" scope="col">${escapeHtml(col.title)}</th>`).join('') + '<th scope="col">before</th><th scope="col">after</th><th data-type="text" scope="col">error</th>';
  const body = rows
    .map((r) => {
      const t = thumbnails.get(r.id) ?? {};
      const error = r.error ? `${r.error_kind ? `${r.error_kind}: ` : ''}${r.error}` : '';
      return `<tr data-id="${escapeHtml(r.id)}" data-status="${escapeHtml(r.status)}">${COLUMNS.map((col) => cell(col, r)).join('')}${thumbnailCell(r.id, 'before', t.before)}${thumbnailCell(r.id, 'after', t.after)}<td class="error" data-sort="${escapeHtml(error)}">${escapeHtml(error)}</td></tr>`;
    })
    .join('\n');
  const missing = summary.missingShards && summary.missingShards.length > 0 ? `<p class="failed">Missing shards: ${summary.missingShards.join(', ')}</p>` : '';
  const swatch = (rgb: readonly number[]) => `<span class="swatch" style="background: rgb(${rgb.join(',')})"></span>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Monge batch report</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Monge batch report</h1>
<p class="meta">${escapeHtml(scope)}manifest ${escapeHtml(summary.manifest.path)} (${summary.manifest.pairs} pairs, SHA-256 ${escapeHtml(summary.manifest.sha256.slice(0, 12))}…) · Monge ${escapeHtml(summary.monge)} · ${escapeHtml(summary.finishedAt ?? summary.startedAt)}</p>
<p class="counts"><span>${c.pairs} pairs</span><span class="ok">${c.ok} ok${c.resumed > 0 ? ` (${c.resumed} from an earlier run)` : ''}</span><span class="failed">${c.failed} failed</span>${c.cancelled > 0 ? `<span class="cancelled">${c.cancelled} cancelled</span>` : ''}${c.pending > 0 ? `<span class="cancelled">${c.pending} not run yet</span>` : ''}</p>
${missing}
${trePlotSvg(rows)}
<p class="meta">Thumbnails: anterior view, patient's right on the left; fixed shape${swatch(THUMBNAIL_COLOURS.fixed)}(outline and tint), moving (before) / warped (after) shape${swatch(THUMBNAIL_COLOURS.moving)}. Click a column header to sort.</p>
<table id="cohort" class="cohort">
<thead><tr>${head}</tr></thead>
<tbody>
${body}
</tbody>
</table>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

/** Reads the thumbnails of the summary's pairs (beside each pair's folder, in thumbnails/), as base64. */
export async function readThumbnails(summaryDir: string, rows: readonly SummaryEntry[]): Promise<Thumbnails> {
  const out: Thumbnails = new Map();
  for (const r of rows) {
    if (r.status !== 'ok') continue;
    const base = join(summaryDir, dirname(r.dir));
    const paths = thumbnailPaths(r.id);
    const read = (p: string) => readFile(join(base, p)).then((b) => b.toString('base64'), () => undefined);
    out.set(r.id, { before: await read(paths.before), after: await read(paths.after) });
  }
  return out;
}

/** Writes `dir/report.html` for the summary written in `dir`. */
export async function writeCohortReport(dir: string, summary: BatchSummaryFile): Promise<void> {
  const thumbnails = await readThumbnails(dir, summary.pairs);
  await writeFileAtomic(join(dir, REPORT_HTML), cohortReportHtml(summary, thumbnails));
}
