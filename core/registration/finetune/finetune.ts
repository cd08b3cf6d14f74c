/**
 * Robust-OT fine-tuning (RobOT's last stage, Shen, Feydy et al. 2021): alternate
 *
 *   match   ŷ_i, c_i = match(ψ(z_i) → y)     robust OT: barycentric targets and confidences (matching/)
 *   fit     u ← u + smooth fit of r_i = ŷ_i − ψ(z_i) with weights a_i·c_i   (kernel regression or kernel spline)
 *
 * with ψ = id + u, over rounds of decreasing blur and kernel width. The matched points z are the moving shape
 * AFTER the previous steps (fixed space). By default each round fits the remaining pull r and adds it (a demons-like
 * increment): a smoother that shrinks its input — as kernel regression does — still converges to the targets over
 * rounds, whereas re-fitting the whole displacement from z each round stalls at the smoother's fixed point
 * (measured on DIR-Lab copd1 with the regression: the re-fit left a 4–7 mm misfit). With a spline whose λ anneals,
 * re-fitting is CPD's M-step instead, and the better model for lungs (the 'total' update, FinetuneUpdate). Several
 * channels — e.g. a lung's surface and its interior volume — are matched separately (a surface point never pairs
 * with an interior one) and fitted together.
 *
 * The displacement lives on a working grid (work-grid.ts) and comes out as a field there; the pipeline wraps it in
 * a core/field GridDisplacement, or integrates it as a stationary velocity (diffeomorphic option).
 */
import type { KernelEngine } from '../../kernels/types.ts';
import { matchClouds, type MatchModel } from '../matching/match-clouds.ts';
import { throwIfCancelled, type ProgressOptions } from '../../progress/index.ts';
import type { MassCloud } from '../prealign/prealign.ts';
import { fitAnisotropicRegression } from './anisotropic-regression.ts';
import { fitKernelRegression } from './kernel-regression.ts';
import { fitKernelSpline, scaleTangential, type SplineSolve } from './kernel-spline.ts';
import { compactStencil, sampleGrid, sampleStencil, sampleWith, voxelCount, type WorkGrid } from './work-grid.ts';

/** One pair of clouds matched on its own (surface ↔ surface, interior ↔ interior, …). */
export interface MatchChannel {
  name: string;
  /** Moving cloud in fixed space (after the previous steps). */
  moving: MassCloud;
  fixed: MassCloud;
  /** Share of this channel in the fit (the channels' masses are normalised to these totals). */
  weight: number;
}

export type FitMethod = 'regression' | 'spline';

/** One match → fit round. */
export interface FinetuneRound {
  /** OT blur (mm). */
  blurMm: number;
  /** Unbalanced reach (mm), null = balanced. */
  reachMm: number | null;
  /** Kernel widths of the fit (mm), coarse to fine. */
  sigmasMm: readonly number[];
  /** Correspondence model (default 'ot'). */
  match?: MatchModel;
  /** Correct the targets for the blur's bias (match-clouds.ts; default false). */
  debias?: boolean;
  /** This round's regression δ fraction or spline λ (default: FinetuneOptions.smoothing). */
  smoothing?: number;
}

/**
 * How a round's fit enters the displacement:
 *  - 'increment' — u ← u + fit(ŷ − ψ(z)): demons-like, each round adds the remaining pull;
 *  - 'total' — u ← u₀ + fit(ŷ − z − u₀(z)): each round re-fits the whole displacement from the starting shape, as
 *    Coherent Point Drift's M-step does (Myronenko & Song 2010, eq. 19), so that a biased early round (large blur)
 *    is undone by later ones instead of accumulating. With a spline and a λ that shrinks with the blur (λ ∝ σ², as
 *    CPD's λσ²) this is CPD's regularised coherent motion, with OT or GMM matches.
 */
export type FinetuneUpdate = 'increment' | 'total';

export interface FinetuneOptions extends ProgressOptions {
  rounds: readonly FinetuneRound[];
  method: FitMethod;
  /** Regression: δ fraction (kernel-regression.ts). Spline: λ, the regularisation (kernel-spline.ts). */
  smoothing?: number;
  /** Sinkhorn marginal tolerance (default 1e-2). */
  otTolerance?: number;
  /** Confidences below this are treated as outliers (weight 0); default 0. */
  minConfidence?: number;
  /** 'gmm' rounds: CPD's expected outlier fraction w (match-clouds.ts; default 0.1). */
  gmmOutlierFraction?: number;
  /**
   * Sliding: ω in [0, 1], the weight of the tangential part of each surface point's pull against its normal part
   * (default 1, no sliding). Below 1 the surfaces may slide along each other, as lungs do along the chest wall, and
   * a match's tangential part — the part an OT or GMM match gets least right on a smooth surface — counts less:
   * the regression scales the tangential component of each pull by ω, the spline weighs the tangential misfit by ω
   * (kernel-spline.ts; 0 is point-to-plane).
   */
  tangentialWeight?: number;
  /** Regression only: σ∥/σ⊥ of kernels stretched along line-like neighbourhoods (anisotropic-regression.ts); 1 = off. */
  anisotropy?: number;
  /** Default 'increment'. */
  update?: FinetuneUpdate;
  /**
   * 'total' only: `initial` is a first guess — the first round matches from z + initial(z) — and not the base the
   * fit starts from (that is then 0: the fit is the whole displacement from z). Default false.
   */
  initialIsGuess?: boolean;
  /** Spline only: grid steps per σ of its kernel products (kernel-spline.ts; default 3). */
  splineStepsPerSigma?: number;
  /** Spline only: cap on its conjugate-gradient iterations (kernel-spline.ts; default 40). */
  splineMaxIterations?: number;
}

export interface RoundReport {
  blurMm: number;
  reachMm: number | null;
  sigmasMm: number[];
  /** Per channel: mean confidence, OT iterations. */
  channels: { name: string; meanConfidence: number; iterations: number; marginalError: number }[];
  /** Weighted RMS of |ŷ − ψ(z)| before the fit (mm): how far the matches still pull. */
  residualRmsMm: number;
  /** Weighted RMS misfit after the fit (mm); with sliding, the tangential part weighs ω. */
  misfitRmsMm: number;
  /** The spline's conjugate gradients (method 'spline' only). */
  solve?: SplineSolve;
}

export interface FinetuneResult {
  /** The displacement u on the grid (3 per voxel, LPS mm), ψ = id + u. */
  field: Float64Array;
  rounds: RoundReport[];
  /** Confidences of the last round for the first channel's moving points (at their input positions). */
  confidence?: { pointsLps: Float64Array; values: Float64Array };
}

function normalisedMass(mass: Float64Array, total: number): Float64Array {
  let s = 0;
  for (const m of mass) s += m;
  return mass.map((m) => (m * total) / s);
}

/** A round's fitted displacement on the work grid; a spline can also give it at some voxels only (SplineFit). */
interface RoundFit {
  readonly field: Float64Array;
  fieldAt?: (voxels: Int32Array) => Float64Array;
  solve?: SplineSolve;
  coefficients?: Float64Array;
}

/** Fits u from matches: the pipeline's choice of kernel regression or spline (with its CG report). */
async function fit(
  grid: WorkGrid,
  z: Float64Array,
  d: Float64Array,
  w: Float64Array,
  round: FinetuneRound,
  options: FinetuneOptions,
  normals?: Float64Array,
  warmStart?: Float64Array,
): Promise<RoundFit> {
  const sigmas = round.sigmasMm;
  const smoothing = round.smoothing ?? options.smoothing;
  if (options.method === 'spline') {
    return fitKernelSpline(grid, z, d, w, {
      sigmasMm: sigmas,
      lambda: smoothing,
      signal: options.signal,
      sliding: normals ? { normalsLps: normals, tangentialWeight: options.tangentialWeight ?? 1 } : undefined,
      stepsPerSigma: options.splineStepsPerSigma,
      maxIterations: options.splineMaxIterations,
      initialCoefficients: warmStart,
    });
  }
  if ((options.anisotropy ?? 1) > 1) {
    return { field: fitAnisotropicRegression(grid, z, d, w, { sigmasMm: sigmas, anisotropy: options.anisotropy!, shrink: smoothing, signal: options.signal }) };
  }
  return { field: fitKernelRegression(grid, z, d, w, { sigmasMm: sigmas, shrink: smoothing, signal: options.signal }) };
}

/** Runs the rounds; `initial` (optional) is a starting field on the grid. */
export async function finetune(engine: KernelEngine, grid: WorkGrid, channels: readonly MatchChannel[], options: FinetuneOptions, initial?: Float64Array): Promise<FinetuneResult> {
  if (channels.length === 0) throw new RangeError('finetune: no channel to match');
  const field = initial ? Float64Array.from(initial) : new Float64Array(3 * voxelCount(grid));
  // 'total': the displacement every round's fit is added to (u₀; zero when `initial` is only a guess).
  let base: Float64Array | undefined;
  if (options.update === 'total') base = initial && !options.initialIsGuess ? Float64Array.from(initial) : new Float64Array(field.length);
  const prepared = channels.map((c) => ({
    ...c,
    a: normalisedMass(c.moving.mass, 1),
    b: normalisedMass(c.fixed.mass, 1),
  }));
  const nTotal = prepared.reduce((s, c) => s + c.a.length, 0);
  const z = new Float64Array(3 * nTotal);
  {
    let o = 0;
    for (const c of prepared) {
      z.set(c.moving.pointsLps, 3 * o);
      o += c.a.length;
    }
  }
  let normals: Float64Array | undefined;
  const omega = options.tangentialWeight ?? 1;
  if (!(omega >= 0 && omega <= 1)) throw new RangeError(`finetune: tangential weight ${omega} is not in [0, 1]`);
  if (omega < 1 && prepared.some((c) => c.moving.normalsLps)) {
    normals = new Float64Array(3 * nTotal);
    let o = 0;
    for (const c of prepared) {
      if (c.moving.normalsLps) normals.set(c.moving.normalsLps, 3 * o);
      o += c.a.length;
    }
  }
  // 'total' update: the fit's data are ŷ − z − u₀(z), the pull from the starting shape.
  const baseAtZ = base ? sampleGrid(grid, base, 3, z) : undefined;
  // The work grid's voxels around the points, and the points' trilinear corners among them.
  const zOnGrid = compactStencil(sampleStencil(grid, z));
  // 'total' with a spline: the displacement is u₀ + the last fit, and until the last round it is read only at the
  // points, so `field` waits for the end and the last fit is kept with its values at the voxels around the points
  // (the same values, bit for bit).
  let lastFit: { fit: RoundFit; atVoxels: Float64Array } | undefined;
  /** u₀ + the last fit at the voxels around the points ('total' only). */
  const displacementAtVoxels = (atVoxels: Float64Array): Float64Array => {
    const out = new Float64Array(atVoxels.length);
    zOnGrid.voxels.forEach((v, j) => {
      for (let c = 0; c < 3; c++) out[3 * j + c] = base![3 * v + c] + atVoxels[3 * j + c];
    });
    return out;
  };
  const reports: RoundReport[] = [];
  let warmStart: Float64Array | undefined;
  let confidence: FinetuneResult['confidence'];
  const minConfidence = options.minConfidence ?? 0;
  for (let r = 0; r < options.rounds.length; r++) {
    const round = options.rounds[r];
    throwIfCancelled(options.signal, 'finetune');
    const u = lastFit ? sampleWith(zOnGrid.local, displacementAtVoxels(lastFit.atVoxels), 3) : sampleGrid(grid, field, 3, z);
    const d = new Float64Array(3 * nTotal);
    const w = new Float64Array(nTotal);
    const channelReports: RoundReport['channels'] = [];
    let o = 0;
    let ss = 0;
    let ws = 0;
    for (const c of prepared) {
      const n = c.a.length;
      const current = new Float64Array(3 * n);
      for (let i = 0; i < 3 * n; i++) current[i] = z[3 * o + i] + u[3 * o + i];
      const model = round.match ?? 'ot';
      const m = await matchClouds(engine, current, c.a, c.fixed.pointsLps, c.b, {
        model,
        blur: round.blurMm,
        reach: round.reachMm,
        tol: options.otTolerance ?? 1e-2,
        debias: round.debias ?? false,
        outlierFraction: options.gmmOutlierFraction,
        signal: options.signal,
      });
      let conf = 0;
      for (let i = 0; i < n; i++) {
        const ci = m.confidence[i] >= minConfidence ? (model === 'ot' ? Math.min(m.confidence[i], 1) : m.confidence[i]) : 0;
        w[o + i] = c.weight * c.a[i] * ci;
        conf += c.a[i] * m.confidence[i];
        for (let k = 0; k < 3; k++) {
          // 'increment': the remaining pull from the current position; 'total': the pull from z + u₀(z).
          d[3 * (o + i) + k] = m.matched[3 * i + k] - (baseAtZ ? z[3 * (o + i) + k] + baseAtZ[3 * (o + i) + k] : current[3 * i + k]);
          ss += w[o + i] * (m.matched[3 * i + k] - current[3 * i + k]) ** 2;
        }
        ws += w[o + i];
      }
      channelReports.push({ name: c.name, meanConfidence: conf, iterations: m.iterations, marginalError: m.marginalError });
      if (c === prepared[0]) confidence = { pointsLps: c.moving.pointsLps, values: Float64Array.from(m.confidence) };
      o += n;
    }
    if (normals && options.method === 'regression') {
      // Sliding for the regression: the normal component of each pull, and ω times its tangential component.
      scaleTangential(d, normals, omega);
    }
    const result = await fit(grid, z, d, w, round, options, normals, warmStart);
    const solve = result.solve;
    // 'total' rounds re-fit the whole displacement to slowly changing matches: the next CG starts from this one.
    if (options.update === 'total') warmStart = result.coefficients;
    let fitted: Float64Array;
    if (base && result.fieldAt) {
      lastFit = { fit: result, atVoxels: result.fieldAt(zOnGrid.voxels) };
      fitted = sampleWith(zOnGrid.local, lastFit.atVoxels, 3);
    } else {
      const increment = result.field;
      for (let i = 0; i < field.length; i++) field[i] = (base ? base[i] : field[i]) + increment[i];
      fitted = sampleGrid(grid, increment, 3, z);
    }
    let mis = 0;
    // With sliding, the tangential misfit counts ω times (the spline's own weighting: |Q^{1/2} r|²).
    const misfit = fitted.map((v, i) => v - d[i]);
    if (normals) scaleTangential(misfit, normals, Math.sqrt(omega));
    for (let i = 0; i < misfit.length; i++) mis += w[Math.floor(i / 3)] * misfit[i] ** 2;
    reports.push({
      blurMm: round.blurMm,
      reachMm: round.reachMm,
      sigmasMm: [...round.sigmasMm],
      channels: channelReports,
      residualRmsMm: ws > 0 ? Math.sqrt(ss / ws) : 0,
      misfitRmsMm: ws > 0 ? Math.sqrt(mis / ws) : 0,
      ...(solve ? { solve } : {}),
    });
    options.onProgress?.({ stage: 'finetune', fraction: (r + 1) / options.rounds.length });
  }
  if (base && lastFit) {
    const increment = lastFit.fit.field;
    for (let i = 0; i < field.length; i++) field[i] = base[i] + increment[i];
  }
  return confidence ? { field, rounds: reports, confidence } : { field, rounds: reports };
}
