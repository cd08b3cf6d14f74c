/**
 * report.json → the results panel's metrics table (ReportView).
 *
 * The pipeline's report (core/registration) records settings, versions, input hashes, time and memory per step,
 * and metrics before and after each step. This reader depends only on that outline, so that new metrics appear
 * in the table without changes here:
 *
 *   {
 *     "version": "0.1.0",
 *     "engine": { "engine": "cpu", "threads": 2, "backend": "wasm-simd" },        (or a string)
 *     "settings": { "preset": "lung", … },
 *     "inputs": { "moving": { "path": "…", "sha256": "…" } | "…", "fixed": …, "movingLandmarks": …, "fixedLandmarks": … },
 *     "steps": [ { "name": "prealign", "seconds": 1.2, "peakMemoryMb": 210, "metrics": { … } }, … ]
 *              (or an object keyed by step name),
 *     "metrics": { "before": { … }, "prealign": { … }, …, "after": { … } }
 *   }
 *
 * A metrics object holds numbers, nested to any depth (`{ "tre": { "mean": 26.3, "max": … } }`); each numeric leaf
 * becomes a row keyed by its dotted path, one column per phase: `before`, then the steps in pipeline order, then
 * `after` when it is given separately and differs from the last step's (the pipeline repeats the last step's
 * metrics as `after`; one column of them is enough in a narrow panel). Units come from the names: distances and
 * errors in mm, fractions shown in %, times in s, memory in MB.
 *
 * The pipeline measures the Jacobian of the final map once, at the top level
 * (`"jacobian": { "insideFixed": { "min", "nonPositiveFraction", … }, "region" }`): it becomes the rows `jacobian.min`
 * and `jacobian.foldingFraction` in the last column, unless the metrics already hold them.
 */
import type { Frame } from '../../core/frames/index.ts';
import { STEP_NAMES } from '../../core/registration/types.ts';
import type { WarpedLandmarksRun } from '../../core/registration/warped-landmarks.ts';
import type { MetricRow, ReportView } from './api.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

const BEFORE = ['before', 'initial', 'identity', 'input'];
const AFTER = ['after', 'final', 'output'];

/** First numeric field among `names` of an object. */
function firstNumber(o: JsonObject, names: string[]): number | null {
  for (const n of names) {
    const v = num(o[n]);
    if (v !== null) return v;
  }
  return null;
}

interface StepRecord {
  name: string;
  seconds: number | null;
  peakMemoryMb: number | null;
  metrics?: JsonObject;
}

function stepRecords(report: JsonObject): StepRecord[] {
  const raw = report.steps;
  const entries: [string, JsonObject][] = [];
  if (Array.isArray(raw)) {
    for (const s of raw) if (isObject(s)) entries.push([String(s.name ?? s.step ?? ''), s]);
  } else if (isObject(raw)) {
    for (const [name, s] of Object.entries(raw)) if (isObject(s)) entries.push([name, s]);
  }
  return entries
    .filter(([name]) => name !== '')
    .map(([name, s]) => {
      let seconds = firstNumber(s, ['seconds', 'timeSeconds', 'time_s', 'durationSeconds', 'wallSeconds']);
      const ms = firstNumber(s, ['timeMs', 'durationMs', 'ms']);
      if (seconds === null && ms !== null) seconds = ms / 1000;
      const peakMemoryMb = firstNumber(s, ['peakMemoryMb', 'peakRssMb', 'memoryMb', 'peakMb']);
      return { name, seconds, peakMemoryMb, ...(isObject(s.metrics) ? { metrics: s.metrics } : {}) };
    });
}

/** Dotted paths and values of the numeric leaves of a metrics object. */
function flatten(o: JsonObject, prefix = '', out: [string, number][] = []): [string, number][] {
  for (const [k, v] of Object.entries(o)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'number' && Number.isFinite(v)) out.push([key, v]);
    else if (isObject(v)) flatten(v, key, out);
  }
  return out;
}

/** The unit of a metric from its dotted name, and the factor its value is shown with. */
export function unitOf(key: string): { unit: string; scale: number } {
  const k = key.toLowerCase();
  const last = k.split('.').pop() ?? k;
  if (last === 'n' || /count$/.test(last)) return { unit: '', scale: 1 };
  if (/fraction/.test(k)) return { unit: '%', scale: 100 };
  if (/percent/.test(k)) return { unit: '%', scale: 1 };
  if (/memory|mb$/.test(k)) return { unit: 'MB', scale: 1 };
  if (/seconds|time|_s$/.test(k)) return { unit: 's', scale: 1 };
  if (/jacobian|confidence/.test(k)) return { unit: '', scale: 1 };
  if (/tre|distance|hausdorff|chamfer|error|displacement|mm/.test(k)) return { unit: 'mm', scale: 1 };
  return { unit: '', scale: 1 };
}

/**
 * Whether a metric is a detail: counts, and leaves nested three deep or more (the one-way and signed summaries
 * under `surfaceDistance.movingToFixed.absolute.…`). The headline rows stay: TRE and vertex error statistics,
 * chamfer and Hausdorff distances, the Jacobian, time and memory.
 */
export function isDetail(key: string): boolean {
  const parts = key.split('.');
  const last = (parts.at(-1) ?? '').toLowerCase();
  return last === 'n' || last.endsWith('count') || parts.length >= 3;
}

const ACRONYMS: Record<string, string> = { tre: 'TRE', rmse: 'RMSE', p90: 'p90', p95: 'p95', std: 'SD', n: 'n' };

/** `treMm.mean` → `TRE mean`, `jacobian.foldingFraction` → `Jacobian folding fraction`. */
export function labelOf(key: string): string {
  const words = key
    .split('.')
    .flatMap((part) => part.replace(/([a-z0-9])([A-Z])/g, '$1 $2').split(/[\s_]+/))
    .map((w) => w.toLowerCase())
    .filter((w) => w !== '' && w !== 'mm');
  const text = words.map((w) => ACRONYMS[w] ?? w).join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function engineWords(engine: Json | undefined): string | undefined {
  if (typeof engine === 'string') return engine;
  if (!isObject(engine)) return undefined;
  const name = engine.engine ?? engine.name;
  const parts = [typeof name === 'string' ? name : undefined];
  if (typeof engine.threads === 'number') parts.push(`${engine.threads} thread${engine.threads === 1 ? '' : 's'}`);
  if (typeof engine.backend === 'string') parts.push(engine.backend);
  const words = parts.filter((p): p is string => p !== undefined).join(', ');
  return words === '' ? undefined : words;
}

/** Minimum and folding fraction of the report's top-level Jacobian statistics (inside the fixed shape when given). */
function finalJacobian(value: Json | undefined): { min: number | null; foldingFraction: number | null } | undefined {
  if (!isObject(value)) return undefined;
  const stats = isObject(value.insideFixed) ? value.insideFixed : value;
  const min = num(stats.min);
  const foldingFraction = firstNumber(stats, ['foldingFraction', 'nonPositiveFraction']);
  return min === null && foldingFraction === null ? undefined : { min, foldingFraction };
}

/** The table view of a parsed report.json. */
export function reportView(report: unknown): ReportView {
  const r: JsonObject = isObject(report) ? report : {};
  const steps = stepRecords(r);
  const phases = new Map<string, JsonObject>();
  const metrics = isObject(r.metrics) ? r.metrics : {};
  for (const [name, value] of Object.entries(metrics)) if (isObject(value)) phases.set(name, value);
  for (const s of steps) if (s.metrics && !phases.has(s.name)) phases.set(s.name, s.metrics);

  const rank = (name: string): number => {
    if (BEFORE.includes(name)) return 0;
    const step = (STEP_NAMES as readonly string[]).indexOf(name);
    if (step >= 0) return 1 + step;
    if (AFTER.includes(name)) return 100;
    return 50;
  };
  let columns = [...new Set([...phases.keys(), ...steps.map((s) => s.name)])].sort((a, b) => rank(a) - rank(b));
  // The last column before "after": a step, or a phase after the steps (the residual prior's).
  const lastStep = columns.filter((c) => rank(c) > 0 && rank(c) < 100).at(-1);
  for (const name of AFTER) {
    const phase = phases.get(name);
    const same = phase !== undefined && lastStep !== undefined && JSON.stringify(phase) === JSON.stringify(phases.get(lastStep));
    if (same && !steps.some((s) => s.name === name)) columns = columns.filter((c) => c !== name);
  }
  if (columns.length === 0 && steps.length === 0) columns.push('after');

  const rows = new Map<string, MetricRow>();
  columns.forEach((column, c) => {
    const phase = phases.get(column);
    if (!phase) return;
    for (const [key, value] of flatten(phase)) {
      let row = rows.get(key);
      if (!row) {
        const { unit } = unitOf(key);
        row = { key, label: labelOf(key), unit, values: columns.map(() => null), ...(isDetail(key) ? { detail: true } : {}) };
        rows.set(key, row);
      }
      row.values[c] = value * unitOf(key).scale;
    }
  });
  const jacobian = finalJacobian(r.jacobian);
  if (jacobian && columns.length > 0) {
    const last = columns.length - 1;
    for (const [key, value] of [['jacobian.min', jacobian.min], ['jacobian.foldingFraction', jacobian.foldingFraction]] as const) {
      if (value === null) continue;
      const { unit, scale } = unitOf(key);
      const row = rows.get(key) ?? { key, label: labelOf(key), unit, values: columns.map(() => null) };
      rows.set(key, row);
      row.values[last] ??= value * scale;
    }
  }
  const stepValue = (pick: (s: StepRecord) => number | null): (number | null)[] =>
    columns.map((column) => {
      const s = steps.find((x) => x.name === column);
      return s ? pick(s) : null;
    });
  if (steps.some((s) => s.seconds !== null)) rows.set('time', { key: 'time', label: 'Time', unit: 's', values: stepValue((s) => s.seconds) });
  if (steps.some((s) => s.peakMemoryMb !== null)) {
    rows.set('peakMemory', { key: 'peakMemory', label: 'Peak memory', unit: 'MB', values: stepValue((s) => s.peakMemoryMb) });
  }

  const settings = isObject(r.settings) ? r.settings : {};
  const preset = typeof settings.preset === 'string' ? settings.preset : typeof r.preset === 'string' ? r.preset : undefined;
  const version = typeof r.version === 'string' ? r.version : isObject(r.versions) && typeof r.versions.monge === 'string' ? r.versions.monge : undefined;
  const engine = engineWords(r.engine ?? settings.engine);
  return {
    columns,
    metrics: [...rows.values()],
    steps: steps.map(({ name, seconds, peakMemoryMb }) => ({ name, seconds, peakMemoryMb })),
    ...(engine !== undefined ? { engine } : {}),
    ...(version !== undefined ? { version } : {}),
    ...(preset !== undefined ? { preset } : {}),
  };
}

export interface ReportInputs {
  moving?: string;
  fixed?: string;
  movingLandmarks?: string;
  fixedLandmarks?: string;
  /** CSV column prefixes the landmarks were read with (files holding several point sets side by side). */
  movingLandmarksPrefix?: string;
  fixedLandmarksPrefix?: string;
}

/**
 * The input paths a report names (string, or an object with a `path`), by role, and the landmark column prefixes
 * (the pipeline's `{ path, prefix }`, or a request's `movingLandmarksPrefix`).
 */
export function reportInputs(report: unknown): ReportInputs {
  const r: JsonObject = isObject(report) ? report : {};
  const source = [r.inputs, r.request, r.settings].find(isObject) ?? {};
  const pathOf = (v: Json | undefined): string | undefined => (typeof v === 'string' ? v : isObject(v) && typeof v.path === 'string' ? v.path : undefined);
  const out: ReportInputs = {};
  for (const role of ['moving', 'fixed', 'movingLandmarks', 'fixedLandmarks'] as const) {
    const p = pathOf(source[role]);
    if (p !== undefined) out[role] = p;
  }
  for (const role of ['movingLandmarks', 'fixedLandmarks'] as const) {
    const entry = source[role];
    const prefix = isObject(entry) && typeof entry.prefix === 'string' ? entry.prefix : source[`${role}Prefix`];
    if (typeof prefix === 'string' && prefix !== '') out[`${role}Prefix`] = prefix;
  }
  return out;
}

/** The frame of landmark files that declare none, as the report's settings (or an older report's request) give it. */
export function reportLandmarksFrame(report: unknown): Frame | undefined {
  const r = (report ?? {}) as { settings?: { landmarksFrame?: unknown }; request?: { landmarksFrame?: unknown }; inputs?: { landmarksFrame?: unknown } };
  const f = r.settings?.landmarksFrame ?? r.request?.landmarksFrame ?? r.inputs?.landmarksFrame;
  return f === 'RAS' || f === 'LPS' ? f : undefined;
}

/** How the run's landmarks_warped.csv is read back: the report's landmark frame and moving landmarks' prefix. */
export function reportWarpedLandmarksRun(report: unknown): WarpedLandmarksRun {
  const frame = reportLandmarksFrame(report);
  const movingPrefix = reportInputs(report).movingLandmarksPrefix;
  return { ...(frame ? { frame } : {}), ...(movingPrefix ? { movingPrefix } : {}) };
}

/**
 * The registration's own warnings (report.json `warnings`: shapes at different scales, a mask cut by its scan's
 * field of view, a field grid regridded to fit …), which the results panel shows beside its own.
 */
export function reportWarnings(report: unknown): string[] {
  const raw = isObject(report) ? report.warnings : undefined;
  return Array.isArray(raw) ? raw.filter((w): w is string => typeof w === 'string' && w !== '') : [];
}
