/**
 * Parameter presets of the registration pipeline. Lengths are in mm for 'lung' and 'brain'; 'generic' is
 * scale-free: its lengths are multiples of the fixed shape's RMS radius (resolvePreset multiplies them out), so
 * that a shape in metres, millimetres or arbitrary units registers alike.
 *
 * 'lung' was tuned on DIR-Lab COPDGene cases 1–5 only (test/eval/lung.ts prints the spread across them); 'brain'
 * on fsaverage5 white → pial (test/eval/brain.ts).
 */
import type { FitMethod, FinetuneRound, FinetuneUpdate } from '../finetune/finetune.ts';
import type { MatchModel } from '../matching/match-clouds.ts';
import type { LinearModel } from '../prealign/linear-fit.ts';
import type { PresetName } from '../types.ts';

/** How a volume input (mask, label map) becomes a surface. */
export interface SurfacePreset {
  /** Block-average the mask by this factor before extraction (1 = full resolution). */
  blockFactor: number;
  /** Taubin smoothing iterations. */
  smoothIterations: number;
}

/** How the OT clouds are built from the inputs. */
export interface CloudPreset {
  /** Points (clusters) of each surface cloud. */
  surfacePoints: number;
  /** Points of each interior cloud (volume inputs only; 0 = surfaces only). */
  interiorPoints: number;
  /** Mass of surface points: area (mm²) or one per vertex (shapes that share a vertex sampling, e.g. FreeSurfer). */
  surfaceMass: 'area' | 'uniform';
  /** Share of the interior channel in the fit (the surface channel has 1). */
  interiorWeight: number;
  /** Points of each cloud in the pre-alignment (clustered further when the clouds are larger). */
  prealignPoints: number;
}

export interface PrealignStage {
  model: LinearModel;
  blurs: number[];
  reach: number | null;
  match: MatchModel;
  /** Correct the barycentric targets for the blur's bias (match-clouds.ts). */
  debias?: boolean;
}

export interface PrealignPreset {
  stages: PrealignStage[];
  /** Stop a blur level when no point moves more than this (length). */
  tolerance: number;
  maxIterations: number;
  rotationSearch: boolean;
  /** Which clouds drive the fit: 'interior' when volumes give one, else the surfaces. */
  channels: 'surface' | 'interior' | 'both';
}

export interface FinetunePreset {
  rounds: FinetuneRound[];
  method: FitMethod;
  /** Regression δ fraction or spline λ. */
  smoothing: number;
  /**
   * Sliding (finetune.ts): the weight ω of a surface point's tangential misfit against its normal one; 1 = none,
   * 0 = point-to-plane.
   */
  tangentialWeight: number;
  /** σ∥/σ⊥ of the regression's kernels along line-like structures (1 = isotropic). */
  anisotropy: number;
  diffeomorphic: boolean;
  channels: 'surface' | 'interior' | 'both';
  /** How each round's fit enters the displacement (finetune.ts; default 'increment'). */
  update?: FinetuneUpdate;
  /** Spline: grid steps per kernel σ (kernel-spline.ts; default 3). */
  splineStepsPerSigma?: number;
  /** Spline: cap on its conjugate-gradient iterations (kernel-spline.ts; default 40). */
  splineMaxIterations?: number;
  /** 'gmm' rounds: CPD's expected outlier fraction w (match-clouds.ts; default 0.1). */
  gmmOutlierFraction?: number;
}

export interface Preset {
  name: PresetName;
  /** 'mm': lengths below are mm; 'shape': multiples of the fixed shape's RMS radius. */
  lengthUnit: 'mm' | 'shape';
  surface: SurfacePreset;
  clouds: CloudPreset;
  prealign: PrealignPreset;
  finetune: FinetunePreset;
  /** Working grid of the non-linear steps: spacing and margin around the shapes (lengths). */
  gridSpacing: number;
  gridMargin: number;
  /** Exported field: spacing when the fixed input has no image grid, and margin around the fixed shape. */
  fieldSpacing: number;
  fieldMargin: number;
}

/**
 * Coherent Point Drift's annealing (Myronenko & Song 2010) as fine-tuning rounds: GMM matches with a blur σ_r that
 * falls geometrically, σ_r = σ_0 (σ_end/σ_0)^{r/(R−1)}, and a spline of one wide Gaussian kernel whose λ follows
 * CPD's λσ²: λ_r = λ (σ_r / s)² with s the shape's RMS radius (CPD works on shapes normalised by it). Large λ while
 * the blur is large keeps the early, coarse matches to an almost rigid motion; the map gains freedom as σ shrinks.
 * Meant for the 'total' update (each round re-fits the whole displacement).
 */
function annealedRounds(o: { rounds: number; fromBlurMm: number; toBlurMm: number; kernelMm: number; lambda: number; shapeScaleMm: number }): FinetuneRound[] {
  return Array.from({ length: o.rounds }, (_, r) => {
    const blurMm = o.fromBlurMm * (o.toBlurMm / o.fromBlurMm) ** (r / (o.rounds - 1));
    return { blurMm, reachMm: null, sigmasMm: [o.kernelMm], match: 'gmm', smoothing: o.lambda * (blurMm / o.shapeScaleMm) ** 2 };
  });
}

const LUNG: Preset = {
  name: 'lung',
  lengthUnit: 'mm',
  surface: { blockFactor: 2, smoothIterations: 5 },
  clouds: { surfacePoints: 1500, interiorPoints: 1500, surfaceMass: 'area', interiorWeight: 1, prealignPoints: 1000 },
  prealign: {
    stages: [
      { model: 'rigid', blurs: [40, 20], reach: null, match: 'ot' },
      { model: 'affine', blurs: [10, 6], reach: null, match: 'ot', debias: true },
    ],
    tolerance: 1,
    maxIterations: 5,
    rotationSearch: false,
    channels: 'interior',
  },
  // CPD-like coherent motion (see annealedRounds): measured on COPD 1–5 with scratch runs of the pipeline, the
  // 'total' update took prealign + finetune from 9.71 to 8.76 mm mean TRE, where the previous demons-like
  // increments with OT matches and 80 → 20 mm regression plateaued; a NumPy CPD with increments instead of
  // re-fits dropped from 7.7 to 10.3 mm on the same surfaces, which is what pointed here. Then (prealign + finetune,
  // COPD 1–5): the spline's kernel products on a grid of σ/12 instead of σ/3, 8.70 → 8.27 (σ/24 changed nothing);
  // a 300 mm kernel, λ 1.5 and annealing from 60 mm, 7.77; 60 / 80 / 120 rounds, 7.56 / 7.45 / 7.40 (80 kept, for
  // the time). The landscape is noisy at ± 0.2 mm between neighbouring settings.
  // Sliding (tangentialWeight): lungs slide along the chest wall, and on a smooth surface the matches' tangential
  // part is their least reliable one. Weighing it by ω: 1 (none) 7.45, 0.4 7.19, 0.3 7.03, 0.2 7.16, 0.1 7.46,
  // 0 (point-to-plane) 7.70; ω annealed 1 → 0.1 or 0.6 → 0.15, 7.18 / 7.07. With ω = 0.3 a stiffer λ: 3 / 4 / 6 / 12,
  // 6.68 / 6.62 / 6.65 / 7.14 (λ 4 without sliding: 7.54); end blur 4.5 / 7 mm, 7.31 / 6.90 (at λ 1.5). The sliding
  // system is worse conditioned: capped at 40 CG iterations it diverged (TRE 52 mm), 300 converge. With sliding the
  // kernel products' grid matters less: σ/6 / σ/8 / σ/12, 6.63 / 6.61 / 6.62 (σ/8 kept: `monge register` 19.0 → 16.9 s).
  // After the network the same schedule is run from its guess: a shorter one from 14–40 mm (40–80 rounds) gave
  // 6.63–6.72 where this one gives 6.62, as without the network (the guess is washed out at 60 mm).
  // CPD's outlier fraction w: segmentation masks have no outlying surface, so the uniform outlier term only dilutes
  // the matches; w 0.3 / 0.1 / 0.05 / 0.02 / 0.005: 6.88 / 6.61 / 6.57 / 6.54 / 6.53 (0.02 kept; four of five cases
  // gain, copd2 loses 0.08).
  finetune: {
    rounds: annealedRounds({ rounds: 80, fromBlurMm: 60, toBlurMm: 5.5, kernelMm: 300, lambda: 4, shapeScaleMm: 110 }),
    method: 'spline',
    splineStepsPerSigma: 8,
    splineMaxIterations: 300,
    gmmOutlierFraction: 0.02,
    smoothing: 0.01,
    tangentialWeight: 0.3,
    anisotropy: 1,
    diffeomorphic: true,
    channels: 'surface',
    update: 'total',
  },
  gridSpacing: 4,
  gridMargin: 20,
  fieldSpacing: 2,
  fieldMargin: 10,
};

const BRAIN: Preset = {
  name: 'brain',
  lengthUnit: 'mm',
  surface: { blockFactor: 1, smoothIterations: 5 },
  clouds: { surfacePoints: 20000, interiorPoints: 0, surfaceMass: 'uniform', interiorWeight: 0, prealignPoints: 1500 },
  prealign: {
    stages: [{ model: 'rigid', blurs: [10, 5], reach: null, match: 'ot' }],
    tolerance: 0.1,
    maxIterations: 5,
    rotationSearch: false,
    channels: 'surface',
  },
  finetune: {
    rounds: [{ blurMm: 1, reachMm: null, sigmasMm: [2, 1] }],
    method: 'regression',
    smoothing: 0.001,
    tangentialWeight: 1,
    anisotropy: 1,
    diffeomorphic: true,
    channels: 'surface',
  },
  gridSpacing: 1,
  gridMargin: 8,
  fieldSpacing: 1,
  fieldMargin: 5,
};

const GENERIC: Preset = {
  name: 'generic',
  lengthUnit: 'shape',
  surface: { blockFactor: 1, smoothIterations: 5 },
  clouds: { surfacePoints: 2000, interiorPoints: 0, surfaceMass: 'area', interiorWeight: 0, prealignPoints: 1000 },
  prealign: {
    stages: [
      { model: 'rigid', blurs: [0.4, 0.2], reach: null, match: 'ot' },
      { model: 'affine', blurs: [0.1, 0.05], reach: null, match: 'ot', debias: true },
    ],
    tolerance: 0.002,
    maxIterations: 8,
    rotationSearch: false,
    channels: 'surface',
  },
  finetune: {
    rounds: [
      { blurMm: 0.08, reachMm: null, sigmasMm: [0.5, 0.25] },
      { blurMm: 0.04, reachMm: 0.4, sigmasMm: [0.25, 0.12] },
    ],
    method: 'regression',
    smoothing: 0.001,
    tangentialWeight: 1,
    anisotropy: 1,
    diffeomorphic: false,
    channels: 'surface',
  },
  gridSpacing: 0.025,
  gridMargin: 0.2,
  fieldSpacing: 0.02,
  fieldMargin: 0.1,
};

export const PRESETS: Readonly<Record<PresetName, Preset>> = { lung: LUNG, brain: BRAIN, generic: GENERIC };

/** A deep copy with every length multiplied by `unit` (the generic preset's shape scale; 1 for mm presets). */
export function resolvePreset(name: PresetName, shapeScaleMm: number): Preset {
  const p = structuredClone(PRESETS[name]);
  const k = p.lengthUnit === 'shape' ? shapeScaleMm : 1;
  if (k === 1) return p;
  for (const s of p.prealign.stages) {
    s.blurs = s.blurs.map((b) => b * k);
    if (s.reach !== null) s.reach *= k;
  }
  p.prealign.tolerance *= k;
  p.finetune.rounds = p.finetune.rounds.map((r) => ({
    ...r,
    blurMm: r.blurMm * k,
    reachMm: r.reachMm === null ? null : r.reachMm * k,
    sigmasMm: r.sigmasMm.map((s) => s * k),
  }));
  p.gridSpacing *= k;
  p.gridMargin *= k;
  p.fieldSpacing *= k;
  p.fieldMargin *= k;
  return p;
}
