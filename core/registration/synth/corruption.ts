/**
 * What real acquisitions do to a point cloud, applied to the synthetic clouds: Gaussian noise, random point
 * dropout, a planar cap cut off (a field of view that misses part of the organ), and uniform outliers in the
 * bounding box.
 */
import type { SynthPreset } from './presets.ts';
import type { Random } from './random.ts';

/** Adds N(0, σ²) noise to every coordinate (in place). */
export function addNoise(points: Float64Array, sigmaMm: number, random: Random): void {
  if (!(sigmaMm > 0)) return;
  for (let i = 0; i < points.length; i++) points[i] += sigmaMm * random.normal();
}

/** Indices of the points kept after random dropout and an optional planar cap cut. */
export function dropoutKeep(points: Float64Array, dropout: SynthPreset['dropout'], random: Random): Uint32Array {
  const n = points.length / 3;
  const keep = new Uint8Array(n).fill(1);
  const fraction = random.uniform(0, dropout.maxRandomFraction);
  for (let i = 0; i < n; i++) if (random.next() < fraction) keep[i] = 0;
  if (random.next() < dropout.capProbability && n > 0) {
    const [nx, ny, nz] = random.unitVector();
    const s = new Float64Array(n);
    for (let i = 0; i < n; i++) s[i] = nx * points[3 * i] + ny * points[3 * i + 1] + nz * points[3 * i + 2];
    const sorted = Float64Array.from(s).sort();
    const cut = sorted[Math.min(n - 1, Math.floor((1 - random.uniform(0, dropout.maxCapFraction)) * n))];
    for (let i = 0; i < n; i++) if (s[i] > cut) keep[i] = 0;
  }
  const kept: number[] = [];
  for (let i = 0; i < n; i++) if (keep[i]) kept.push(i);
  // Never drop everything: keep at least half when a cap and the random dropout remove too much.
  if (kept.length < n / 2) return Uint32Array.from({ length: n }, (_, i) => i);
  return Uint32Array.from(kept);
}

/** Rows `idx` of an N×3 array. */
export function takeRows(points: Float64Array, idx: Uint32Array): Float64Array {
  const out = new Float64Array(3 * idx.length);
  for (let s = 0; s < idx.length; s++) out.set(points.subarray(3 * idx[s], 3 * idx[s] + 3), 3 * s);
  return out;
}

/** Uniform points in the box of `points` grown by 5 % per side: how many depends on the preset's draw. */
export function randomOutliers(points: Float64Array, outliers: SynthPreset['outliers'], random: Random): Float64Array {
  const n = points.length / 3;
  if (n === 0 || random.next() >= outliers.probability) return new Float64Array(0);
  const count = Math.round(random.uniform(0, outliers.maxFraction) * n);
  const min = [Infinity, Infinity, Infinity];
  const max = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < points.length; i += 3) {
    for (let d = 0; d < 3; d++) {
      min[d] = Math.min(min[d], points[i + d]);
      max[d] = Math.max(max[d], points[i + d]);
    }
  }
  const out = new Float64Array(3 * count);
  for (let s = 0; s < count; s++) {
    for (let d = 0; d < 3; d++) {
      const pad = 0.05 * (max[d] - min[d]);
      out[3 * s + d] = random.uniform(min[d] - pad, max[d] + pad);
    }
  }
  return out;
}

/** A random permutation of 0..n−1. */
export function randomPermutation(n: number, random: Random): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = random.int(i + 1);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}
