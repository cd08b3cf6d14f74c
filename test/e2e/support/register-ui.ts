/**
 * Driving a registration through the page as a user does (Parameters panel, Register, Cancel) and reading what the
 * page shows back: the progress panel's label and bar over time, the metrics table, and whether the web host's
 * process is still computing (CPU time from /proc, Linux).
 */
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';

export interface RegisterParameters {
  preset: 'lung' | 'brain' | 'generic';
  steps: ('prealign' | 'net' | 'finetune')[];
  blurMm?: number;
  fieldSpacingMm?: number;
  /** Output folder on the host (empty: the service's automatic one). */
  outDir?: string;
  /** Parameters › Inverse field. */
  inverseField?: boolean;
  /** Parameters › Advanced › Label / Threshold (volume inputs). */
  label?: number;
  threshold?: number;
  /** Advanced › Fine-tuning (absent: preset default). */
  finetuneForm?: 'diffeomorphic' | 'displacement';
  /** Advanced › Rotation search. */
  rotationSearch?: boolean;
}

/** Fills the Parameters panel: every knob is set, so nothing carries over from a previous test. */
export async function setParameters(page: Page, p: RegisterParameters): Promise<void> {
  await page.locator('#advanced').evaluate((el) => el.setAttribute('open', ''));
  await page.locator('#preset').selectOption(p.preset);
  for (const step of ['prealign', 'net', 'finetune'] as const) await page.locator(`#step-${step}`).setChecked(p.steps.includes(step));
  await page.locator('#knob-blur').fill(p.blurMm === undefined ? '' : String(p.blurMm));
  await page.locator('#knob-reach').fill('');
  await page.locator('#knob-kernel').fill('');
  await page.locator('#knob-field-spacing').fill(p.fieldSpacingMm === undefined ? '' : String(p.fieldSpacingMm));
  await page.locator('#knob-field-format').selectOption('nii.gz');
  await page.locator('#knob-outdir').fill(p.outDir ?? '');
  await page.locator('#knob-inverse-field').setChecked(p.inverseField ?? false);
  await page.locator('#knob-label').fill(p.label === undefined ? '' : String(p.label));
  await page.locator('#knob-threshold').fill(p.threshold === undefined ? '' : String(p.threshold));
  await page.locator('#knob-finetune-form').selectOption(p.finetuneForm ?? '');
  await page.locator('#knob-rotation-search').setChecked(p.rotationSearch ?? false);
}

/** Dismisses every message on the page (as a user closes them before a new run; the next error is then the run's). */
export async function clearMessages(page: Page): Promise<void> {
  await page.locator('#messages').evaluate((el) => {
    for (const button of el.querySelectorAll<HTMLButtonElement>('.message button')) button.click();
  });
}

/** One state of the progress panel. */
export interface ProgressSample {
  label: string;
  value: number;
  /** Page time (ms). */
  t: number;
}

interface ProgressWindow {
  mongeProgressLog?: ProgressSample[];
  /** Page time of the last Cancel click or Escape key (ms). */
  mongeCancelAt?: number;
}

/**
 * Starts recording, in the page, every change of the progress panel (a MutationObserver) and the moment of every
 * Cancel click or Escape key (capturing listeners, so they run before the app's own); clears earlier records.
 * Functions passed to page.evaluate stay anonymous: the test runner's transform would wrap named ones in a helper
 * the page does not have.
 */
export async function watchProgress(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as ProgressWindow;
    const first = w.mongeProgressLog === undefined;
    w.mongeProgressLog = [];
    w.mongeCancelAt = undefined;
    if (!first) return;
    const label = document.getElementById('progress-label');
    const bar = document.getElementById('progress') as HTMLProgressElement | null;
    if (!label || !bar) throw new Error('no progress panel');
    new MutationObserver(() => w.mongeProgressLog?.push({ label: label.textContent ?? '', value: bar.value, t: performance.now() })).observe(label, {
      childList: true,
      characterData: true,
      subtree: true,
    });
    document.addEventListener('click', (e) => {
      if (e.target instanceof Element && e.target.closest('#btn-cancel, #btn-cancel-top')) w.mongeCancelAt = performance.now();
    }, true);
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') w.mongeCancelAt = performance.now();
    }, true);
  });
}

/** Time (ms, measured in the page) from the last Cancel click or Escape to the progress panel's return to idle. */
export async function cancelLatencyMs(page: Page): Promise<number> {
  return page.evaluate(() => {
    const w = window as unknown as ProgressWindow;
    const at = w.mongeCancelAt;
    if (at === undefined) throw new Error('no cancel was recorded');
    const idle = (w.mongeProgressLog ?? []).find((s) => s.t >= at && s.label === 'Idle');
    if (!idle) throw new Error('the progress panel did not return to idle after the cancel');
    return idle.t - at;
  });
}

export async function progressLog(page: Page): Promise<ProgressSample[]> {
  return page.evaluate(() => (window as unknown as ProgressWindow).mongeProgressLog ?? []);
}

/** `Registering a onto b: prealign 40 %` → { stage: 'prealign', percent: 40 }. */
export function parseProgress(label: string): { stage: string; percent: number } | undefined {
  const m = /^Registering .+?: (.+) (\d+) %/.exec(label);
  return m ? { stage: m[1], percent: Number(m[2]) } : undefined;
}

/** Waits until the progress panel shows a registration stage matching `stage`. */
export async function waitForStage(page: Page, stage: RegExp, timeoutMs = 60_000): Promise<string> {
  const handle = await page.waitForFunction(
    ([source, flags]) => {
      const text = document.getElementById('progress-label')?.textContent ?? '';
      const m = /^Registering .+?: (.+) \d+ %/.exec(text);
      return m && new RegExp(source, flags).test(m[1]) ? text : false;
    },
    [stage.source, stage.flags] as const,
    { timeout: timeoutMs, polling: 20 },
  );
  return (await handle.jsonValue()) as string;
}

/**
 * Waits for the registration to end with its results on show; a failure (an error message; clear older ones first
 * with clearMessages) ends the wait at once with that message, so a broken run fails the test with the reason
 * instead of a timeout.
 */
export async function waitForResults(page: Page, timeoutMs = 180_000): Promise<void> {
  const handle = await page.waitForFunction(
    () => {
      const error = document.querySelector('#messages .message[data-kind="error"] span');
      if (error) return `error: ${error.textContent ?? ''}`;
      const summary = document.getElementById('results-summary');
      const idle = document.getElementById('panel-progress')?.dataset.state === 'idle';
      return summary?.dataset.state === 'loaded' && idle ? 'ok' : false;
    },
    undefined,
    { timeout: timeoutMs, polling: 100 },
  );
  const outcome = (await handle.jsonValue()) as string;
  if (outcome !== 'ok') throw new Error(`the registration did not show results: ${outcome}`);
}

/** The metrics table as { key: { column: value } } (raw numbers from the cells' data-value). */
export async function metricsTable(page: Page): Promise<Record<string, Record<string, number>>> {
  return page.evaluate(() => {
    const out: Record<string, Record<string, number>> = {};
    for (const row of document.querySelectorAll<HTMLTableRowElement>('#metrics tbody tr')) {
      const key = row.dataset.key ?? '';
      out[key] = {};
      for (const cell of row.querySelectorAll<HTMLTableCellElement>('td[data-value]')) out[key][cell.dataset.column ?? ''] = Number(cell.dataset.value);
    }
    return out;
  });
}

/** The metrics table's column names, in order. */
export async function metricsColumns(page: Page): Promise<string[]> {
  return page.locator('#metrics thead th[data-column]').evaluateAll((cells) => cells.map((c) => (c as HTMLElement).dataset.column ?? ''));
}

/** CPU time (user + system, s) a process has used so far, all its threads together; undefined without /proc. */
export async function cpuSeconds(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return undefined;
  // Fields after the command name (which may hold spaces, so split after its closing parenthesis): utime and stime
  // are fields 14 and 15 of proc(5), in clock ticks (USER_HZ, 100 on Linux).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
