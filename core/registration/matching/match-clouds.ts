/**
 * Correspondences between a moving and a fixed weighted cloud — the E-step of pre-alignment and fine-tuning —
 * under three models of how mass may move, all on the kernel engine's fused reductions (no N×M matrix):
 *
 *  - 'ot'      RobOT (core/ot `match`): entropic optimal transport, balanced or unbalanced (reach); both
 *              marginals are (softly) enforced, so the moving measure is spread over the whole fixed one — right
 *              when mass is conserved (same anatomy, same sampling), biased when one part grows more than another.
 *  - 'gmm'     Coherent Point Drift's E-step (Myronenko & Song 2010, PAMI 32(12)): the fixed points are samples
 *              of a Gaussian mixture centred on the moving points, P(i | y_j) = a_i k_ij / (Σ_k a_k k_kj + c),
 *              k_ij = exp(−|x_i − y_j|² / 2σ²); every fixed point must be explained (its marginal holds), a moving
 *              point may take more or less mass, and c absorbs outliers. Targets ŷ_i = Σ_j b_j P_ij y_j / P1_i,
 *              confidence P1_i / a_i. It is the entropic plan with only the fixed-side Sinkhorn half-step.
 *  - 'nearest' a soft closest point (the moving-side half-step): ŷ_i = Σ_j softmax_j(log b_j − |x_i − y_j|²/2σ²) y_j,
 *              ICP's correspondence smoothed over σ.
 *
 * σ is the blur (ε = σ² with the cost ½|x − y|²). Points, blur and reach share one length unit, whichever the caller
 * uses: mm in fine-tuning (finetune.ts); in pre-alignment (prealign.ts) normalised units, mm divided by the fixed
 * cloud's RMS radius (its mass-weighted RMS distance from its centroid).
 */
import type { KernelEngine } from '../../kernels/types.ts';
import { PointLocator } from '../../metrics/point-to-points.ts';
import { match } from '../../ot/index.ts';
import type { ProgressOptions } from '../../progress/index.ts';

export type MatchModel = 'ot' | 'gmm' | 'nearest';

export interface MatchSettings extends ProgressOptions {
  model: MatchModel;
  /** σ, in the clouds' length unit (see above: mm, or pre-alignment's normalised units). */
  blur: number;
  /**
   * In the clouds' length unit. 'ot': unbalanced reach, null = balanced. 'nearest': distance scale of the confidence
   * fall-off.
   */
  reach?: number | null;
  /** 'ot': Sinkhorn tolerance (default 1e-2). */
  tol?: number;
  /** 'gmm': expected outlier fraction w of CPD (default 0.1). */
  outlierFraction?: number;
  /**
   * Remove the blur's own bias from the targets (default false): a barycentre of a curved surface or of a volume
   * near its boundary lies inside it by about κ·blur², so the fixed cloud is matched to itself under the same
   * settings, b_j = T(y_j) − y_j, and each target ŷ_i is corrected by the bias of its nearest fixed point — the
   * barycentric counterpart of the Sinkhorn divergence's debiasing term OT_ε(β, β).
   */
  debias?: boolean;
}

export interface CloudMatch {
  /** ŷ_i, N×3. */
  matched: Float64Array;
  /** Confidence of each moving point (≈ 1 for a point fully matched, → 0 for an outlier). */
  confidence: Float64Array;
  /** Sinkhorn iterations ('ot'), else the reductions run. */
  iterations: number;
  /** 'ot': the marginal error; 0 otherwise. */
  marginalError: number;
  /** 'ot': OT_ε; else the mean squared distance to the targets (a cost to compare starts with). */
  cost: number;
}

function cloud(points: ArrayLike<number>, centre: readonly number[]): { points: Float32Array; dim: number } {
  const out = new Float32Array(points.length);
  for (let i = 0; i < points.length; i++) out[i] = points[i] - centre[i % 3];
  return { points: out, dim: 3 };
}

function centreOf(points: ArrayLike<number>): [number, number, number] {
  const c: [number, number, number] = [0, 0, 0];
  const n = points.length / 3;
  for (let i = 0; i < points.length; i++) c[i % 3] += points[i] / n;
  return c;
}

/** Mean squared distance from the points to their targets, weighted by a·confidence. */
function meanSquare(x: ArrayLike<number>, matched: Float64Array, a: ArrayLike<number>, confidence: Float64Array): number {
  let s = 0;
  let w = 0;
  for (let i = 0; i < a.length; i++) {
    const wi = a[i] * confidence[i];
    s += wi * ((matched[3 * i] - x[3 * i]) ** 2 + (matched[3 * i + 1] - x[3 * i + 1]) ** 2 + (matched[3 * i + 2] - x[3 * i + 2]) ** 2);
    w += wi;
  }
  return w > 0 ? s / w : Infinity;
}

/**
 * Matches moving points x (masses a, summing to 1) to fixed points y (masses b, summing to 1) under `settings`.
 */
export async function matchClouds(engine: KernelEngine, x: Float64Array, a: Float64Array, y: Float64Array, b: Float64Array, settings: MatchSettings): Promise<CloudMatch> {
  const result = await matchOnce(engine, x, a, y, b, settings);
  if (!settings.debias) return result;
  const self = await matchOnce(engine, y, b, y, b, { ...settings, reach: settings.model === 'ot' ? settings.reach : null });
  const nearest = PointLocator.build(y).query(result.matched).pointIndex;
  for (let i = 0; i < a.length; i++) {
    const j = nearest[i];
    for (let k = 0; k < 3; k++) result.matched[3 * i + k] -= self.matched[3 * j + k] - y[3 * j + k];
  }
  return result;
}

async function matchOnce(engine: KernelEngine, x: Float64Array, a: Float64Array, y: Float64Array, b: Float64Array, settings: MatchSettings): Promise<CloudMatch> {
  if (settings.model === 'ot') {
    const m = await match(engine, x, y, { a, b, blur: settings.blur, reach: settings.reach ?? null, tol: settings.tol ?? 1e-2, maxIter: 300, signal: settings.signal });
    return { matched: m.matched, confidence: m.confidence, iterations: m.iterations, marginalError: m.marginalError, cost: m.cost };
  }
  const n = a.length;
  const mCount = b.length;
  // Work relative to a common centre so that float32 keeps sub-micrometre steps.
  const centre = centreOf(y);
  const xc = cloud(x, centre);
  const yc = cloud(y, centre);
  const eps = settings.blur * settings.blur;
  const yValues = Float32Array.from(yc.points);
  const lse = new Float32Array(n);
  const mean = new Float32Array(3 * n);
  const confidence = new Float64Array(n);
  if (settings.model === 'nearest') {
    const h = new Float32Array(mCount);
    for (let j = 0; j < mCount; j++) h[j] = Math.log(b[j]);
    await engine.softminWeighted(eps, 2, xc, yc, h, yValues, 3, lse, mean);
    const matched = new Float64Array(3 * n);
    for (let i = 0; i < 3 * n; i++) matched[i] = mean[i] + centre[i % 3];
    const reach = settings.reach ?? null;
    for (let i = 0; i < n; i++) {
      const d2 = (matched[3 * i] - x[3 * i]) ** 2 + (matched[3 * i + 1] - x[3 * i + 1]) ** 2 + (matched[3 * i + 2] - x[3 * i + 2]) ** 2;
      confidence[i] = reach === null ? 1 : 1 / (1 + d2 / (reach * reach));
    }
    return { matched, confidence, iterations: 1, marginalError: 0, cost: meanSquare(x, matched, a, confidence) };
  }
  // 'gmm': L_j = log Σ_i a_i k_ij (softmin of y against x with h = log a), then the moving-side means with
  // h_j = log b_j − log(e^{L_j} + c).
  const logA = new Float32Array(n);
  for (let i = 0; i < n; i++) logA[i] = Math.log(a[i]);
  const softminY = new Float32Array(mCount);
  await engine.softmin(eps, 2, yc, xc, logA, softminY);
  // log evidence L_j, in the log domain throughout (a far fixed point has e^{L_j} below float range).
  const logEvidence = new Float64Array(mCount);
  for (let j = 0; j < mCount; j++) logEvidence[j] = -softminY[j] / eps;
  // c: CPD's uniform outlier density, relative to the median evidence of a fixed point.
  const w = settings.outlierFraction ?? 0.1;
  const sorted = Float64Array.from(logEvidence).sort();
  const logC = Math.log(w / (1 - w)) + sorted[Math.floor(mCount / 2)];
  const h = new Float32Array(mCount);
  for (let j = 0; j < mCount; j++) {
    const hi = Math.max(logEvidence[j], logC);
    h[j] = Math.log(b[j]) - (hi + Math.log(Math.exp(logEvidence[j] - hi) + Math.exp(logC - hi)));
  }
  await engine.softminWeighted(eps, 2, xc, yc, h, yValues, 3, lse, mean);
  const matched = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    confidence[i] = Math.exp(lse[i]);
    for (let k = 0; k < 3; k++) matched[3 * i + k] = confidence[i] > 0 ? mean[3 * i + k] + centre[k] : x[3 * i + k];
  }
  return { matched, confidence, iterations: 2, marginalError: 0, cost: meanSquare(x, matched, a, confidence) };
}
