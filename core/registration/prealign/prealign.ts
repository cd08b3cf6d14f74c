/**
 * OT pre-alignment (RobOT's rigid/affine stage, Shen, Feydy et al. 2021): an EM-like loop in which robust optimal
 * transport supplies the correspondences and a weighted linear fit the map,
 *
 *   E-step  ŷ_i, c_i = match(T(x_i) → y)      barycentric projection and confidence (core/ot `match`)
 *   M-step  T ← argmin Σ a_i c_i |T(x_i) − ŷ_i|²   (Horn / Umeyama / least squares, linear-fit.ts)
 *
 * repeated at each blur of an annealing schedule (coarse to fine) until the map moves the points by less than a
 * tolerance. Coordinates are normalised internally — both clouds centred on their mass centroids and divided by
 * the fixed cloud's RMS radius — so the OT problem is well scaled whatever the units; the result is in mm.
 *
 * An optional rotation search starts from the 24 axis-aligned orientations (rotations.ts), runs a few rigid
 * iterations from each on a subsample at the coarsest blur and keeps the one of lowest OT cost.
 */
import type { KernelEngine } from '../../kernels/types.ts';
import { matchClouds, type MatchModel } from '../matching/match-clouds.ts';
import { throwIfCancelled, type ProgressOptions } from '../../progress/index.ts';
import { applyLinear, fitLinear, IDENTITY_MAP, type LinearMap, type LinearModel } from './linear-fit.ts';
import { cubeRotations } from './rotations.ts';

/** A weighted point cloud (mm, LPS). */
export interface MassCloud {
  pointsLps: Float64Array;
  /** Per-point mass (≥ 0); normalised to total 1 internally. */
  mass: Float64Array;
  /** Unit normals of surface points (optional; used by the sliding fit). */
  normalsLps?: Float64Array;
}

export interface PrealignOptions extends ProgressOptions {
  model: LinearModel;
  /** OT blur schedule (mm), coarse to fine. */
  blursMm: readonly number[];
  /** Unbalanced reach (mm), or null for balanced transport. */
  reachMm?: number | null;
  /** Stop a blur level when no point moves by more than this between iterations (mm). */
  toleranceMm: number;
  /** Iterations per blur level (default 10). */
  maxIterations?: number;
  /** Try the 24 axis-aligned starting orientations (default false). */
  rotationSearch?: boolean;
  /** Sinkhorn marginal tolerance (default 1e-2: matching needs no more, see README). */
  otTolerance?: number;
  /** Correspondence model (matching/match-clouds.ts); default 'ot'. */
  match?: MatchModel;
  /** Correct the targets for the blur's bias (matching/match-clouds.ts); default false. */
  debias?: boolean;
}

export interface PrealignResult {
  /** moving → fixed, mm. */
  map: LinearMap;
  iterations: number;
  /** The OT cost of the last match (normalised units). */
  cost: number;
  /** Largest point motion of the last iteration (mm). */
  lastChangeMm: number;
  /** The starting rotation chosen by the search (row-major), when it ran. */
  startRotation?: number[];
  /** Mean confidence of the last match. */
  meanConfidence: number;
}

interface Normalisation {
  centreMoving: [number, number, number];
  centreFixed: [number, number, number];
  scale: number;
}

/** Σ m_i p_i / Σ m_i (points interleaved xyz); a RangeError when the masses sum to zero. */
export function centroid(points: Float64Array, mass: Float64Array): [number, number, number] {
  const c: [number, number, number] = [0, 0, 0];
  let total = 0;
  for (let i = 0; i < mass.length; i++) {
    total += mass[i];
    for (let d = 0; d < 3; d++) c[d] += mass[i] * points[3 * i + d];
  }
  if (!(total > 0)) throw new RangeError('prealign: masses sum to zero');
  return [c[0] / total, c[1] / total, c[2] / total];
}

function normalised(points: Float64Array, centre: readonly number[], scale: number): Float64Array {
  const out = new Float64Array(points.length);
  for (let i = 0; i < points.length; i++) out[i] = (points[i] - centre[i % 3]) / scale;
  return out;
}

function unitMass(mass: Float64Array): Float64Array {
  let total = 0;
  for (const m of mass) total += m;
  if (!(total > 0)) throw new RangeError('prealign: masses sum to zero');
  return mass.map((m) => m / total);
}

/** The normalisation: mass centroids and the fixed cloud's RMS radius. */
export function normalisationOf(moving: MassCloud, fixed: MassCloud): Normalisation {
  const centreMoving = centroid(moving.pointsLps, moving.mass);
  const centreFixed = centroid(fixed.pointsLps, fixed.mass);
  let ss = 0;
  let total = 0;
  for (let i = 0; i < fixed.mass.length; i++) {
    const dx = fixed.pointsLps[3 * i] - centreFixed[0];
    const dy = fixed.pointsLps[3 * i + 1] - centreFixed[1];
    const dz = fixed.pointsLps[3 * i + 2] - centreFixed[2];
    ss += fixed.mass[i] * (dx * dx + dy * dy + dz * dz);
    total += fixed.mass[i];
  }
  const scale = Math.sqrt(ss / total);
  return { centreMoving, centreFixed, scale: scale > 0 ? scale : 1 };
}

/** A map of normalised coordinates back to mm: y = cf + s·T((x − cm)/s) = M x + (cf + s t − M cm). */
function toMm(map: LinearMap, n: Normalisation): LinearMap {
  const m = map.matrix;
  const c = n.centreMoving;
  const translation = new Float64Array(3);
  for (let r = 0; r < 3; r++) translation[r] = n.centreFixed[r] + n.scale * map.translation[r] - (m[3 * r] * c[0] + m[3 * r + 1] * c[1] + m[3 * r + 2] * c[2]);
  return { matrix: Float64Array.from(m), translation };
}

/** The inverse of toMm, for an initial map given in mm. */
function fromMm(map: LinearMap, n: Normalisation): LinearMap {
  const m = map.matrix;
  const c = n.centreMoving;
  const translation = new Float64Array(3);
  for (let r = 0; r < 3; r++) translation[r] = (map.translation[r] + (m[3 * r] * c[0] + m[3 * r + 1] * c[1] + m[3 * r + 2] * c[2]) - n.centreFixed[r]) / n.scale;
  return { matrix: Float64Array.from(m), translation };
}

function largestMotion(a: Float64Array, b: Float64Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i += 3) {
    const d = Math.hypot(a[i] - b[i], a[i + 1] - b[i + 1], a[i + 2] - b[i + 2]);
    if (d > max) max = d;
  }
  return max;
}

/** Every k-th point (a deterministic subsample for the rotation search). */
function strided(cloud: { x: Float64Array; a: Float64Array }, count: number): { x: Float64Array; a: Float64Array } {
  const n = cloud.a.length;
  if (n <= count) return cloud;
  const step = n / count;
  const x = new Float64Array(3 * count);
  const a = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    const i = Math.floor(k * step);
    x.set(cloud.x.subarray(3 * i, 3 * i + 3), 3 * k);
    a[k] = cloud.a[i];
  }
  return { x, a: unitMass(a) };
}

/** Runs the EM loop at one blur from `start`; returns the map, iterations, cost, last change (normalised). */
async function emAtBlur(
  engine: KernelEngine,
  x: Float64Array,
  a: Float64Array,
  y: Float64Array,
  b: Float64Array,
  start: LinearMap,
  model: LinearModel,
  blur: number,
  reach: number | null,
  tolerance: number,
  maxIterations: number,
  otTol: number,
  matchModel: MatchModel,
  debias: boolean,
  signal: AbortSignal | undefined,
): Promise<{ map: LinearMap; iterations: number; cost: number; change: number; meanConfidence: number }> {
  let map = start;
  let current = applyLinear(map, x);
  let cost = NaN;
  let change = Infinity;
  let meanConfidence = 1;
  let it = 0;
  while (it < maxIterations) {
    throwIfCancelled(signal, 'prealign');
    const m = await matchClouds(engine, current, a, y, b, { model: matchModel, blur, reach, tol: otTol, debias, signal });
    cost = m.cost;
    const w = new Float64Array(a.length);
    let wsum = 0;
    for (let i = 0; i < w.length; i++) {
      w[i] = a[i] * m.confidence[i];
      wsum += m.confidence[i] * a[i];
    }
    meanConfidence = wsum;
    const next = fitLinear(model, x, m.matched, w);
    const moved = applyLinear(next, x);
    change = largestMotion(moved, current);
    map = next;
    current = moved;
    it++;
    if (change < tolerance) break;
  }
  return { map, iterations: it, cost, change, meanConfidence };
}

/** Pre-aligns the moving cloud onto the fixed one; the map is moving → fixed in mm. */
export async function prealign(engine: KernelEngine, moving: MassCloud, fixed: MassCloud, options: PrealignOptions, initial: LinearMap = IDENTITY_MAP): Promise<PrealignResult> {
  if (options.blursMm.length === 0) throw new RangeError('prealign: at least one blur');
  const norm = normalisationOf(moving, fixed);
  const s = norm.scale;
  const x = normalised(moving.pointsLps, norm.centreMoving, s);
  const y = normalised(fixed.pointsLps, norm.centreFixed, s);
  const a = unitMass(moving.mass);
  const b = unitMass(fixed.mass);
  const reach = options.reachMm === undefined || options.reachMm === null ? null : options.reachMm / s;
  const tol = options.toleranceMm / s;
  const maxIterations = options.maxIterations ?? 10;
  const otTol = options.otTolerance ?? 1e-2;
  const blurs = options.blursMm.map((v) => v / s);
  const matchModel = options.match ?? 'ot';
  let map = fromMm(initial, norm);
  let startRotation: number[] | undefined;

  if (options.rotationSearch) {
    const sx = strided({ x, a }, 1500);
    const sy = strided({ x: y, a: b }, 1500);
    let best = Infinity;
    const rotations = cubeRotations();
    for (let r = 0; r < rotations.length; r++) {
      throwIfCancelled(options.signal, 'prealign');
      const start: LinearMap = { matrix: rotations[r], translation: new Float64Array(3) };
      const run = await emAtBlur(engine, sx.x, sx.a, sy.x, sy.a, start, 'rigid', blurs[0], reach, tol, 3, otTol, matchModel, false, options.signal);
      if (run.cost < best - 1e-9) {
        best = run.cost;
        map = run.map;
        startRotation = Array.from(rotations[r]);
      }
      options.onProgress?.({ stage: 'prealign: rotation search', fraction: (r + 1) / rotations.length });
    }
  }

  let iterations = 0;
  let cost = NaN;
  let change = 0;
  let meanConfidence = 1;
  for (let l = 0; l < blurs.length; l++) {
    const run = await emAtBlur(engine, x, a, y, b, map, options.model, blurs[l], reach, tol, maxIterations, otTol, matchModel, options.debias ?? false, options.signal);
    map = run.map;
    iterations += run.iterations;
    cost = run.cost;
    change = run.change;
    meanConfidence = run.meanConfidence;
    options.onProgress?.({ stage: 'prealign', fraction: (l + 1) / blurs.length });
  }
  const result: PrealignResult = { map: toMm(map, norm), iterations, cost, lastChangeMm: change * s, meanConfidence };
  if (startRotation) result.startRotation = startRotation;
  return result;
}
