/**
 * Drawing a random smooth deformation for a preset (presets.ts): global motion (a coarse control grid with
 * Gaussian kernel interpolation), local motion (many small kernels on the shape, anisotropic along line-like
 * structures), and a rigid perturbation; plus the shape augmentation map applied before it.
 *
 * Fields are evaluated once (value and Jacobian) at the points they are drawn for; amplitudes are then chosen by
 * scaling, which is linear in both: det(I + a∇u_g + b∇u_l) is re-checked for new (a, b) without re-evaluating
 * the kernels. Amplitudes shrink until det Dφ ≥ preset.minJacobian at every drawn point, so no preset deformation
 * folds where the shape is.
 */
import { anisotropicPrecision, emptyField, evaluateField, isotropicPrecision, scaleField, sumFields, type GaussianField } from './gaussian-field.ts';
import type { SynthPreset } from './presets.ts';
import type { Random } from './random.ts';
import { applyMapWithField, determinant3, IDENTITY3, multiply3, rotationMatrix, type SmoothMap, type Vec3 } from './smooth-map.ts';

/** Axis-aligned bounds [min, max] of N×3 points. */
function boundsOf3(points: Float64Array): { min: Vec3; max: Vec3 } {
  const min: Vec3 = [Infinity, Infinity, Infinity];
  const max: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < points.length; i += 3) {
    for (let d = 0; d < 3; d++) {
      const v = points[i + d];
      if (v < min[d]) min[d] = v;
      if (v > max[d]) max[d] = v;
    }
  }
  return { min, max };
}

export function centroidOf(points: Float64Array): Vec3 {
  const c: Vec3 = [0, 0, 0];
  const n = points.length / 3;
  for (let i = 0; i < points.length; i += 3) {
    c[0] += points[i];
    c[1] += points[i + 1];
    c[2] += points[i + 2];
  }
  return [c[0] / n, c[1] / n, c[2] / n];
}

/** A random field on a regular control grid covering the points' box, vectors with i.i.d. N(0, 1) components (unscaled). */
export function randomGridField(points: Float64Array, spacingMm: number, sigmaMm: number, random: Random): GaussianField {
  const { min, max } = boundsOf3(points);
  const counts = [0, 1, 2].map((d) => Math.max(2, Math.ceil((max[d] - min[d]) / spacingMm) + 1));
  const origin = [0, 1, 2].map((d) => (min[d] + max[d]) / 2 - ((counts[d] - 1) * spacingMm) / 2);
  const k = counts[0] * counts[1] * counts[2];
  const centres = new Float64Array(3 * k);
  const vectors = new Float64Array(3 * k);
  const precision = new Float64Array(6 * k);
  const iso = isotropicPrecision(sigmaMm);
  let j = 0;
  for (let a = 0; a < counts[0]; a++) {
    for (let b = 0; b < counts[1]; b++) {
      for (let c = 0; c < counts[2]; c++, j++) {
        centres[3 * j] = origin[0] + a * spacingMm;
        centres[3 * j + 1] = origin[1] + b * spacingMm;
        centres[3 * j + 2] = origin[2] + c * spacingMm;
        for (let d = 0; d < 3; d++) vectors[3 * j + d] = random.normal();
        precision.set(iso, 6 * j);
      }
    }
  }
  return { centres, vectors, precision };
}

/**
 * Local kernels on `count` distinct reference points: vectors of random direction and length up to the amplitude, isotropic
 * width σ, or σ × anisotropy along the reference direction where its linearity exceeds the threshold.
 */
export function randomLocalField(
  reference: Float64Array,
  direction: Float64Array,
  linearity: Float64Array,
  local: SynthPreset['local'],
  random: Random,
): GaussianField {
  const r = reference.length / 3;
  const k = Math.min(local.count, r);
  if (k === 0 || !(local.maxAmplitudeMm > 0)) return emptyField();
  const idx = new Uint32Array(r);
  for (let i = 0; i < r; i++) idx[i] = i;
  const centres = new Float64Array(3 * k);
  const vectors = new Float64Array(3 * k);
  const precision = new Float64Array(6 * k);
  for (let s = 0; s < k; s++) {
    const j = s + random.int(r - s);
    const t = idx[s];
    idx[s] = idx[j];
    idx[j] = t;
    const i = idx[s];
    centres.set(reference.subarray(3 * i, 3 * i + 3), 3 * s);
    const dir = random.unitVector();
    const length = random.uniform(0, local.maxAmplitudeMm);
    for (let d = 0; d < 3; d++) vectors[3 * s + d] = dir[d] * length;
    const p =
      linearity[i] > local.linearityThreshold && local.anisotropy > 1
        ? anisotropicPrecision([direction[3 * i], direction[3 * i + 1], direction[3 * i + 2]], local.sigmaMm * local.anisotropy, local.sigmaMm)
        : isotropicPrecision(local.sigmaMm);
    precision.set(p, 6 * s);
  }
  return { centres, vectors, precision };
}

/** A random rotation of at most maxDeg degrees about a uniformly random axis. */
export function randomRotation(maxDeg: number, random: Random): Float64Array {
  if (!(maxDeg > 0)) return Float64Array.from(IDENTITY3);
  return rotationMatrix(random.unitVector(), (random.uniform(0, maxDeg) * Math.PI) / 180);
}

/** A field with its value and Jacobian at the drawing points. */
interface Evaluated {
  field: GaussianField;
  u: Float64Array;
  jac: Float64Array;
}

function largestNorm(u: Float64Array, n: number): number {
  let largest = 0;
  for (let i = 0; i < 3 * n; i += 3) largest = Math.max(largest, Math.hypot(u[i], u[i + 1], u[i + 2]));
  return largest;
}

/** min over points of det(I + Σ_p scale_p ∇u_p). */
function lowestDeterminant(parts: Evaluated[], scales: number[], n: number): number {
  const m = new Float64Array(9);
  let lowest = Infinity;
  for (let i = 0; i < n; i++) {
    m.set(IDENTITY3);
    for (let p = 0; p < parts.length; p++) {
      const s = scales[p];
      if (s === 0) continue;
      const jac = parts[p].jac;
      for (let c = 0; c < 9; c++) m[c] += s * jac[9 * i + c];
    }
    lowest = Math.min(lowest, determinant3(m));
  }
  return lowest;
}

/**
 * Shrinks the scales (each by its factor per round) until det ≥ minJacobian at every evaluated point (drawing
 * points and probes); returns the scaled sum field and its value at the first `n` (drawing) points.
 */
function combine(parts: Evaluated[], scales: number[], shrink: number[], minJacobian: number, n: number): { field: GaussianField; u: Float64Array } {
  const all = (parts[0]?.u.length ?? 0) / 3;
  for (let round = 0; round < 40 && lowestDeterminant(parts, scales, all) < minJacobian; round++) {
    for (let p = 0; p < parts.length; p++) scales[p] *= shrink[p];
  }
  if (lowestDeterminant(parts, scales, all) < minJacobian) scales.fill(0);
  const fields = parts.map((part, p) => {
    const f = { centres: part.field.centres, vectors: Float64Array.from(part.field.vectors), precision: part.field.precision };
    scaleField(f, scales[p]);
    return f;
  });
  const u = new Float64Array(3 * n);
  parts.forEach((part, p) => {
    for (let i = 0; i < u.length; i++) u[i] += scales[p] * part.u[i];
  });
  return { field: sumFields(...fields), u };
}

/**
 * Probe points for the fold check: every other drawing point moved by up to `reachMm` in a random direction, so
 * that det Dφ is also checked off the shape (across a vessel, the gradient of a kernel peaks σ away from it).
 */
function probesAround(points: Float64Array, reachMm: number, random: Random): Float64Array {
  const n = points.length / 3;
  const m = Math.ceil(n / 2);
  const out = new Float64Array(3 * m);
  for (let s = 0; s < m; s++) {
    const dir = random.unitVector();
    const r = random.uniform(0, reachMm);
    for (let d = 0; d < 3; d++) out[3 * s + d] = points[6 * s + d] + r * dir[d];
  }
  return out;
}

function concatPoints(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

export interface DrawnMap {
  map: SmoothMap;
  /** φ(p) at the drawing points, in order. */
  mapped: Float64Array;
}

export interface DrawnDeformation extends DrawnMap {
  info: { globalAmplitudeMm: number; rotationDeg: number; localKernels: number };
}

/** The ground-truth deformation φ, drawn for `points` (the augmented samples of both clouds). */
export function randomDeformation(
  points: Float64Array,
  reference: Float64Array,
  direction: Float64Array,
  linearity: Float64Array,
  preset: SynthPreset,
  random: Random,
): DrawnDeformation {
  const n = points.length / 3;
  const g = preset.global;
  const amplitude = random.uniform(g.minAmplitudeMm, g.maxAmplitudeMm);
  const globalField = randomGridField(points, g.gridSpacingMm, g.sigmaMm, random);
  const localField = randomLocalField(reference, direction, linearity, preset.local, random);
  const checked = concatPoints(points, probesAround(points, 1.5 * preset.local.sigmaMm, random));
  const parts = [globalField, localField].map((field) => ({ field, ...evaluateField(field, checked) }));
  const largest = largestNorm(parts[0].u, n);
  const { field, u } = combine(parts, [largest > 0 ? amplitude / largest : 0, 1], [0.9, 0.75], preset.minJacobian, n);
  const angleDeg = random.uniform(0, preset.rigid.maxRotationDeg);
  const axis = random.unitVector();
  const linear = angleDeg > 0 ? rotationMatrix(axis, (angleDeg * Math.PI) / 180) : Float64Array.from(IDENTITY3);
  const t = random.unitVector();
  const tLen = random.uniform(0, preset.rigid.maxTranslationMm);
  const map: SmoothMap = { field, linear, centreMm: centroidOf(points), translationMm: [t[0] * tLen, t[1] * tLen, t[2] * tLen] };
  return {
    map,
    mapped: applyMapWithField(map, points, u),
    info: { globalAmplitudeMm: largestNorm(u, n), rotationDeg: angleDeg, localKernels: localField.centres.length / 3 },
  };
}

/**
 * The augmentation map for `points` (its first `nShape` points set the amplitude and the Jacobian check; the
 * rest, e.g. reference points, are carried along): per-axis scaling, optional left–right mirror, a rotation
 * and a base smooth field.
 */
export function randomAugmentation(points: Float64Array, nShape: number, preset: SynthPreset, random: Random): DrawnMap {
  const a = preset.augment;
  const scale = [0, 1, 2].map(() => 1 + random.uniform(-a.maxScale, a.maxScale));
  if (a.mirrorX && random.next() < 0.5) scale[0] = -scale[0];
  const rotation = randomRotation(a.maxRotationDeg, random);
  const linear = multiply3(rotation, [scale[0], 0, 0, 0, scale[1], 0, 0, 0, scale[2]]);
  const amplitude = random.uniform(0, a.baseAmplitudeMm);
  const shapePoints = points.subarray(0, 3 * nShape);
  const base = randomGridField(shapePoints, a.baseGridSpacingMm, a.baseGridSpacingMm, random);
  const parts = [{ field: base, ...evaluateField(base, points) }];
  const largest = largestNorm(parts[0].u, nShape);
  const { field, u } = combine(parts, [largest > 0 ? amplitude / largest : 0], [0.8], 0.5, nShape);
  const map: SmoothMap = { field, linear, centreMm: centroidOf(shapePoints), translationMm: [0, 0, 0] };
  return { map, mapped: applyMapWithField(map, points, u) };
}
