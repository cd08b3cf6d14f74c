/**
 * The results panel's metrics table: one row per metric of report.json (main/service/report-view.ts), one column
 * per phase (before, pre-aligned, network, fine-tuned), units in the row names, numbers right-aligned. The headline
 * rows show at first; the details (counts, one-way and signed distance summaries: dozens of rows in a real report)
 * behind a "show all" button in the table's footer.
 */
import type { ReportView } from '../../main/service/api.ts';

/** Short column headers (the panel is narrow) and their full names (tooltips). */
const COLUMN_NAMES: Record<string, [string, string]> = {
  before: ['before', 'before registration'],
  initial: ['before', 'before registration'],
  prealign: ['pre', 'after pre-alignment'],
  net: ['net', 'after the network'],
  finetune: ['fine', 'after fine-tuning'],
  after: ['after', 'final result'],
  final: ['after', 'final result'],
};

/** A value as the table shows it. */
export function formatMetric(value: number | null, unit: string): string {
  if (value === null || !Number.isFinite(value)) return '—';
  if (unit === 'MB') return value.toFixed(0);
  if (unit === 'mm' || unit === 's' || unit === '%') return value.toFixed(2);
  if (Number.isInteger(value)) return String(value);
  return value.toPrecision(3);
}

export function renderMetrics(table: HTMLTableElement, report: ReportView | undefined): void {
  table.replaceChildren();
  if (!report || report.metrics.length === 0) return;
  const head = table.createTHead().insertRow();
  const corner = document.createElement('th');
  corner.textContent = 'metric';
  head.append(corner);
  for (const column of report.columns) {
    const th = document.createElement('th');
    th.scope = 'col';
    const [short, full] = COLUMN_NAMES[column] ?? [column, column];
    th.textContent = short;
    th.title = full;
    th.dataset.column = column;
    head.append(th);
  }
  const body = table.createTBody();
  const details: HTMLTableRowElement[] = [];
  for (const row of report.metrics) {
    const tr = body.insertRow();
    tr.dataset.key = row.key;
    if (row.detail) {
      tr.classList.add('detail');
      tr.hidden = true;
      details.push(tr);
    }
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = row.unit ? `${row.label} (${row.unit})` : row.label;
    tr.append(th);
    row.values.forEach((value, c) => {
      const td = tr.insertCell();
      td.textContent = formatMetric(value, row.unit);
      td.dataset.column = report.columns[c];
      if (value !== null) td.dataset.value = String(value);
    });
  }
  if (details.length > 0) addDetailsToggle(table, details, report.columns.length + 1);
}

/** A footer button that shows or hides the detail rows. */
function addDetailsToggle(table: HTMLTableElement, details: HTMLTableRowElement[], columns: number): void {
  const cell = table.createTFoot().insertRow().insertCell();
  cell.colSpan = columns;
  const button = document.createElement('button');
  button.type = 'button';
  button.id = 'metrics-details';
  const show = (expanded: boolean): void => {
    for (const tr of details) tr.hidden = !expanded;
    button.textContent = expanded ? 'Show the main metrics only' : `Show all metrics (${details.length} more)`;
    button.setAttribute('aria-expanded', String(expanded));
  };
  button.addEventListener('click', () => show(button.getAttribute('aria-expanded') !== 'true'));
  show(false);
  cell.append(button);
}
