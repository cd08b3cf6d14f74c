/**
 * Colour scales: the map (viridis, perceptually uniform and readable by colour-blind users; van der Walt & Smith,
 * matplotlib 2015, at 11 stops) and the legend's range and ticks on 3D Slicer's 1 / 2 / 5 / 10 scale
 * (a maximum rounded up to 1, 2 or 5 × 10ᵏ, ticks at a step from the same series). One module, used both by the
 * vtk.js lookup table and by the legend, so the two always agree.
 */

export type Rgb = [number, number, number];

/** Viridis at t = 0, 0.1, …, 1 (RGB in [0, 1]; matplotlib's table). */
export const VIRIDIS: readonly Rgb[] = [
  [0.267004, 0.004874, 0.329415],
  [0.282623, 0.140926, 0.457517],
  [0.253935, 0.265254, 0.529983],
  [0.206756, 0.371758, 0.553117],
  [0.163625, 0.471133, 0.558148],
  [0.127568, 0.566949, 0.550556],
  [0.134692, 0.658636, 0.517649],
  [0.266941, 0.748751, 0.440573],
  [0.477504, 0.821444, 0.318195],
  [0.741388, 0.873449, 0.149561],
  [0.993248, 0.906157, 0.143936],
];

/** The colour at t ∈ [0, 1] (clamped), linear between stops. */
export function colorAt(t: number, stops: readonly Rgb[] = VIRIDIS): Rgb {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const a = stops[i];
  const b = stops[i + 1];
  return [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2])];
}

/** The smallest 1, 2 or 5 × 10ᵏ that is ≥ v (v > 0); 1 for v ≤ 0 or non-finite. */
export function niceCeil(v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const exponent = Math.floor(Math.log10(v));
  for (const e of [exponent - 1, exponent, exponent + 1]) {
    for (const m of [1, 2, 5]) {
      const candidate = m * 10 ** e;
      // Tolerate floating-point noise (0.30000000000000004 is 0.3).
      if (candidate >= v * (1 - 1e-9)) return Number(candidate.toPrecision(12));
    }
  }
  return 10 ** (exponent + 1);
}

/** Tick values 0 … max at the smallest 1/2/5 step giving at most `maxIntervals` intervals. */
export function ticks(max: number, maxIntervals = 5): number[] {
  let step = niceCeil(max / maxIntervals);
  if (max / step > maxIntervals + 1e-9) step = niceCeil(step * 1.01);
  const out: number[] = [];
  for (let k = 0; k * step <= max * (1 + 1e-9); k++) out.push(Number((k * step).toPrecision(12)));
  return out;
}

/** What the legend shows for an array. */
export interface ScaleSpec {
  title: string;
  unit: string;
  min: number;
  max: number;
  ticks: number[];
}

/** The scale of a colour-by choice: mm quantities on the 1/2/5/10 scale from 0, confidence over [0, 1]. */
export function scaleFor(array: 'displacement' | 'confidence' | 'surface_distance', dataMax: number): ScaleSpec {
  if (array === 'confidence') return { title: 'Confidence', unit: '', min: 0, max: 1, ticks: [0, 0.25, 0.5, 0.75, 1] };
  const max = niceCeil(dataMax);
  return { title: array === 'displacement' ? 'Displacement' : 'Distance to fixed', unit: 'mm', min: 0, max, ticks: ticks(max) };
}

/** A tick's text: no trailing zeros, at most two decimals. */
export function tickLabel(v: number): string {
  return String(Number(v.toFixed(2)));
}
