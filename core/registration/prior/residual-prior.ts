/**
 * A cohort residual prior: what a registration of this kind systematically gets wrong, learned from annotated cases
 * and added to new ones. A shape's outline does not determine how the tissue inside slides (DIR-Lab COPD: the
 * dependent lung expands more than any map of the lung masks says, in every case), but that error repeats between
 * patients of one protocol, so the landmarks of earlier cases can correct it.
 *
 * Training: for each case k with landmarks, the residual r_kj = y_kj − φ_k(x_kj) (expert fixed landmark minus the
 * registration's warped moving landmark, fixed space) is stored at the warped landmark in the case's normalised
 * fixed frame, q_kj = (φ_k(x_kj) − μ_k) / s_k, as ρ_kj = r_kj / s_k (shape-moments.ts).
 *
 * Correction of a new case with fixed moments (μ, s), at a fixed-space point y with q = (y − μ) / s: the shrunk
 * Nadaraya–Watson average of the stored residuals, rescaled to this shape,
 *
 *   c(y) = α · s ⊙ Σ_kj K(q, q_kj) ρ_kj / (Σ_kj K(q, q_kj) + κ),      K(q, q') = exp(−|q − q'|² / (2σ²)),
 *
 * where α ∈ (0, 1] shrinks towards no correction (the cohort's error only partly transfers) and κ (one point's full
 * weight) fades c to 0 where the cohort has no landmark. φ is then replaced by y ↦ φ(y) + c(φ(y)).
 *
 * Measured (DIR-Lab COPD 1–5, lung preset, each case corrected by a prior of the four others; `npm run eval:lung --
 * --prior-loo`): mean TRE 6.54 → 6.08 mm, every case better, at σ 0.45 and α 0.5 (a NumPy check of the formula:
 * σ 0.3 and α 0.75, 6.07–6.14; the setting is not sharp).
 */
import { normalisePoints, type ShapeMomentsLps } from './shape-moments.ts';

export const RESIDUAL_PRIOR_FORMAT = 'monge-residual-prior';
export const RESIDUAL_PRIOR_VERSION = 1;

export interface ResidualPrior {
  format: typeof RESIDUAL_PRIOR_FORMAT;
  version: typeof RESIDUAL_PRIOR_VERSION;
  /** Kernel width σ in normalised units (multiples of the fixed shape's per-axis spread). */
  sigma: number;
  /** Shrinkage α ∈ (0, 1]. */
  shrink: number;
  /** Fade κ: the kernel weight below which c fades to 0 (1 = one landmark's full weight). */
  fade: number;
  /** Where the cases came from (free text per case: e.g. the output folder). */
  cases: string[];
  /** q_kj, interleaved xyz, all cases. */
  pointsNormalised: number[];
  /** ρ_kj = r_kj / s_k, interleaved xyz. */
  residualsNormalised: number[];
  /**
   * How the cases were registered (absent in priors of Monge before 2026-11-24): the correction fits runs made the
   * same way, and register warns when it is applied to another kind of run.
   */
  learnedWith?: PriorProvenance;
}

/** The preset and the steps that ran (in order) in a registration a prior learns from or corrects. */
export interface PriorProvenance {
  preset: string;
  steps: string[];
}

/** Words for a provenance: "preset lung, steps prealign, net, finetune". */
export function provenanceWords(p: PriorProvenance): string {
  return `preset ${p.preset}, steps ${p.steps.join(', ')}`;
}

/** One annotated, registered case. */
export interface PriorCase {
  name: string;
  /** The fixed shape's moments (shape-moments.ts). */
  fixedMoments: ShapeMomentsLps;
  /** φ(x_j): the moving landmarks warped by the registration (LPS mm). */
  warpedLps: Float64Array;
  /** y_j: the expert fixed landmarks, paired row by row (LPS mm). */
  truthLps: Float64Array;
  /** How the case was registered, when known. */
  learnedWith?: PriorProvenance;
}

export interface PriorSettings {
  sigma?: number;
  shrink?: number;
  fade?: number;
}

/** Defaults measured on DIR-Lab COPD 1–5 (see the module comment). */
export const PRIOR_DEFAULTS = { sigma: 0.45, shrink: 0.5, fade: 1 } as const;

/** Checks σ > 0, α ∈ (0, 1], κ ≥ 0; a RangeError names the bad one. */
export function checkPriorSettings(s: Required<PriorSettings>): void {
  if (!(Number.isFinite(s.sigma) && s.sigma > 0)) throw new RangeError(`residual prior: σ must be > 0 (got ${s.sigma})`);
  if (!(s.shrink > 0 && s.shrink <= 1)) throw new RangeError(`residual prior: the shrinkage α must be in (0, 1] (got ${s.shrink})`);
  if (!(Number.isFinite(s.fade) && s.fade >= 0)) throw new RangeError(`residual prior: the fade κ must be ≥ 0 (got ${s.fade})`);
}

/** Stores each case's residuals r = y − φ(x) at q = (φ(x) − μ) / s, as r / s. */
export function trainResidualPrior(cases: readonly PriorCase[], settings: PriorSettings = {}): ResidualPrior {
  const s = { ...PRIOR_DEFAULTS, ...settings };
  checkPriorSettings(s);
  if (cases.length === 0) throw new RangeError('residual prior: no case to learn from');
  const points: number[] = [];
  const residuals: number[] = [];
  for (const c of cases) {
    if (c.warpedLps.length !== c.truthLps.length || c.warpedLps.length === 0) {
      throw new RangeError(`residual prior: case ${c.name} has ${c.warpedLps.length / 3} warped and ${c.truthLps.length / 3} expert landmarks`);
    }
    const q = normalisePoints(c.warpedLps, c.fixedMoments);
    for (let i = 0; i < q.length; i++) {
      const r = (c.truthLps[i] - c.warpedLps[i]) / c.fixedMoments.spreadMm[i % 3];
      if (!Number.isFinite(q[i]) || !Number.isFinite(r)) throw new RangeError(`residual prior: case ${c.name} has a non-finite landmark (row ${Math.floor(i / 3)})`);
      points.push(q[i]);
      residuals.push(r);
    }
  }
  return {
    format: RESIDUAL_PRIOR_FORMAT,
    version: RESIDUAL_PRIOR_VERSION,
    sigma: s.sigma,
    shrink: s.shrink,
    fade: s.fade,
    cases: cases.map((c) => c.name),
    pointsNormalised: points,
    residualsNormalised: residuals,
    ...(sharedProvenance(cases) ?? {}),
  };
}

/** `{ learnedWith }` when every case says how it was registered and they all agree; undefined otherwise. */
function sharedProvenance(cases: readonly PriorCase[]): { learnedWith: PriorProvenance } | undefined {
  const first = cases[0].learnedWith;
  if (!first || !cases.every((c) => c.learnedWith && provenanceWords(c.learnedWith) === provenanceWords(first))) return undefined;
  return { learnedWith: { preset: first.preset, steps: [...first.steps] } };
}

/** c(y) at fixed-space points (interleaved xyz, LPS mm) of a shape with moments `fixed` (the module's formula). */
export function priorCorrection(prior: ResidualPrior, fixed: ShapeMomentsLps, pointsLps: Float64Array): Float64Array {
  const q = normalisePoints(pointsLps, fixed);
  const P = prior.pointsNormalised;
  const R = prior.residualsNormalised;
  const m = P.length / 3;
  const inv2s2 = 1 / (2 * prior.sigma * prior.sigma);
  // Beyond 6σ a kernel weight is below 1.6e-8: skipped.
  const cut2 = 36 * prior.sigma * prior.sigma;
  const out = new Float64Array(pointsLps.length);
  for (let i = 0; i < q.length; i += 3) {
    let den = prior.fade;
    let nx = 0;
    let ny = 0;
    let nz = 0;
    for (let j = 0; j < m; j++) {
      const dx = q[i] - P[3 * j];
      const dy = q[i + 1] - P[3 * j + 1];
      const dz = q[i + 2] - P[3 * j + 2];
      const d2 = dx * dx + dy * dy + dz * dz;
      if (d2 > cut2) continue;
      const k = Math.exp(-d2 * inv2s2);
      den += k;
      nx += k * R[3 * j];
      ny += k * R[3 * j + 1];
      nz += k * R[3 * j + 2];
    }
    if (den > 0) {
      out[i] = (prior.shrink * fixed.spreadMm[0] * nx) / den;
      out[i + 1] = (prior.shrink * fixed.spreadMm[1] * ny) / den;
      out[i + 2] = (prior.shrink * fixed.spreadMm[2] * nz) / den;
    }
  }
  return out;
}
