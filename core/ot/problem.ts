/**
 * One solved transport problem: validates the options, builds the (centred, feature-augmented) float32 clouds
 * and the masses, the ε schedule and, for large problems, the multiscale hierarchy; runs the Sinkhorn loop; and
 * keeps what the entry points (index.ts) need to derive costs, gradients and matches, with the permutation back
 * to input order.
 */
import type { KernelEngine } from '../kernels/types.ts';
import { rhoOfReach } from './cost.ts';
import { diameterOf, epsilonSchedule } from './epsilon-schedule.ts';
import { augmentedClouds, type AugmentedClouds } from './features.ts';
import { resolveMasses, type Masses } from './masses.ts';
import { buildHierarchy, denseHierarchy, type Hierarchy } from './multiscale/grid-hierarchy.ts';
import { AUTO_MULTISCALE_PAIRS, chooseCellSizes } from './multiscale/levels.ts';
import { sinkhorn, type SinkhornOutcome } from './sinkhorn.ts';
import type { CostExponent, OTOptions, PointArray3, SolveDiagnostics } from './types.ts';

export const DEFAULT_SCALING = 0.5;
export const DEFAULT_TOL = 1e-3;
export const DEFAULT_MAX_ITER = 1000;
export const DEFAULT_TRUNCATION = 8;
/** Relative mismatch of total masses tolerated by the balanced problem. */
const BALANCE_TOLERANCE = 1e-6;

export interface SolvedProblem {
  p: CostExponent;
  rho: number | null;
  clouds: AugmentedClouds;
  /** Masses in input order. */
  a: Masses;
  b: Masses;
  hierarchy: Hierarchy;
  outcome: SinkhornOutcome;
  diagnostics: SolveDiagnostics;
}

function positive(value: number, name: string): void {
  if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`ot: ${name} must be finite and > 0 (got ${value})`);
}

/** Scatters sorted-order values back to input order (per-point blocks of `width`). */
export function toInputOrder(sorted: Float64Array, perm: Uint32Array, width = 1): Float64Array {
  const out = new Float64Array(sorted.length);
  for (let s = 0; s < perm.length; s++) for (let c = 0; c < width; c++) out[perm[s] * width + c] = sorted[s * width + c];
  return out;
}

export async function solveProblem(engine: KernelEngine, x: PointArray3, y: PointArray3, options: OTOptions, debias: boolean): Promise<SolvedProblem> {
  const p: CostExponent = options.p ?? 2;
  if (p !== 1 && p !== 2) throw new RangeError(`ot: p must be 1 or 2 (got ${String(p)})`);
  positive(options.blur, 'blur');
  if (options.reach !== undefined && options.reach !== null) positive(options.reach, 'reach');
  const scaling = options.scaling ?? DEFAULT_SCALING;
  const tol = options.tol ?? DEFAULT_TOL;
  positive(tol, 'tol');
  const maxIter = options.maxIter ?? DEFAULT_MAX_ITER;
  if (!(Number.isInteger(maxIter) && maxIter >= 1)) throw new RangeError(`ot: maxIter must be a positive integer (got ${maxIter})`);
  const truncation = options.truncation ?? DEFAULT_TRUNCATION;
  positive(truncation, 'truncation');

  const clouds = augmentedClouds(x, y, options.features);
  const a = resolveMasses(options.a, clouds.n, 'a');
  const b = resolveMasses(options.b, clouds.m, 'b');
  const rho = rhoOfReach(options.reach, p);
  if (rho === null && Math.abs(a.total - b.total) > BALANCE_TOLERANCE * Math.max(a.total, b.total)) {
    throw new RangeError(
      `ot: balanced transport needs equal total masses (a sums to ${a.total}, b to ${b.total}); normalise them or set a reach (unbalanced)`,
    );
  }

  const dim = clouds.x.dim;
  const diameter = diameterOf(clouds.x.points, clouds.y.points, dim);
  const epsilons = epsilonSchedule(p, diameter, options.blur, scaling);

  const pairs = clouds.n * clouds.m;
  const wantMultiscale = options.multiscale === true || ((options.multiscale ?? 'auto') === 'auto' && pairs >= AUTO_MULTISCALE_PAIRS);
  const cellSizes = wantMultiscale ? chooseCellSizes(clouds.x, clouds.y, options.blur, diameter) : [];
  const hierarchy = cellSizes.length > 0 ? buildHierarchy(clouds.x, clouds.y, a, b, cellSizes) : denseHierarchy(clouds.x, clouds.y, a, b);

  const outcome = await sinkhorn(engine, hierarchy, {
    p,
    rho,
    epsilons,
    tol,
    maxIter,
    debias,
    truncation,
    signal: options.signal,
    onProgress: options.onProgress,
  });

  const diagnostics: SolveDiagnostics = {
    iterations: outcome.iterations,
    marginalError: outcome.marginalError,
    epsilons,
    diameter,
    scaleRatio: diameter / options.blur,
  };
  if (cellSizes.length > 0) {
    diagnostics.multiscale = {
      levels: hierarchy.levels.map((l) => ({ cellSize: l.cellSize, nx: l.a.w.length, ny: l.b.w.length })),
      truncation: outcome.truncation,
      keptFraction: outcome.keptFraction,
      widenings: outcome.widenings,
    };
  }
  return { p, rho, clouds, a, b, hierarchy, outcome, diagnostics };
}
