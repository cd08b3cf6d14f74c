/**
 * Synthetic-deformation presets per anatomy, in millimetres. The numbers follow the motion each anatomy shows:
 *
 * lung — breathing moves the lung surface and vessels by up to ~25 mm (diaphragm; DIR-Lab COPD reports 26–30 mm
 *   mean landmark motion between breath-holds, most of it smooth), so the global field has coarse 80 mm control
 *   spacing and amplitudes up to 25 mm; local motion (sliding, vessel bending) is ±3 mm with 4 mm kernels,
 *   stretched 3× along vessels where the local point distribution is linear.
 * brain — inter-subject cortical and skull shape differences (after an affine alignment) are of the order of a
 *   centimetre and shorter-range than breathing: global amplitude up to 15 mm on a 50 mm control grid, the same
 *   ±3 mm / 4 mm local motion (the scale of cortical thickness, white → pial ≈ 2.5 mm).
 *
 * Both add a small rigid perturbation (what a pre-alignment leaves), sensor-like noise, point dropout (random, and
 * now and then a thin planar cap, as when a scan's field of view grazes the organ) and a few outliers. The
 * augmentation (shape variety from few training shapes) is stronger for lungs, of which few are available.
 */

export type SynthPresetName = 'lung' | 'brain';

export interface SynthPreset {
  name: SynthPresetName;
  /** Points sampled per cloud before dropout and outliers. */
  samplesPerCloud: number;
  rigid: { maxRotationDeg: number; maxTranslationMm: number };
  /** Coarse control grid over the shape's box, Gaussian interpolation; the largest |u| on the shape is drawn in [min, max]. */
  global: { gridSpacingMm: number; sigmaMm: number; minAmplitudeMm: number; maxAmplitudeMm: number };
  /** Many kernels centred on the shape, each with a random vector of components in ±maxAmplitude. */
  local: { count: number; maxAmplitudeMm: number; sigmaMm: number; anisotropy: number; linearityThreshold: number };
  /** Gaussian noise σ added to both clouds. */
  noiseMm: number;
  dropout: { maxRandomFraction: number; capProbability: number; maxCapFraction: number };
  outliers: { probability: number; maxFraction: number };
  /**
   * Shape augmentation applied to both clouds before the deformation (not part of the ground truth): per-axis
   * scaling in 1 ± maxScale, a rotation up to maxRotationDeg, a left–right mirror, and a base smooth field of
   * amplitude up to baseAmplitudeMm, so that a few training shapes yield many.
   */
  augment: { maxScale: number; maxRotationDeg: number; mirrorX: boolean; baseAmplitudeMm: number; baseGridSpacingMm: number };
  /** The smallest det Dφ allowed on the sampled points; amplitudes shrink until it holds. */
  minJacobian: number;
}

export const SYNTH_PRESETS: Record<SynthPresetName, SynthPreset> = {
  lung: {
    name: 'lung',
    samplesPerCloud: 4096,
    rigid: { maxRotationDeg: 5, maxTranslationMm: 10 },
    global: { gridSpacingMm: 80, sigmaMm: 80, minAmplitudeMm: 5, maxAmplitudeMm: 25 },
    local: { count: 400, maxAmplitudeMm: 3, sigmaMm: 4, anisotropy: 3, linearityThreshold: 0.6 },
    noiseMm: 0.5,
    dropout: { maxRandomFraction: 0.1, capProbability: 0.1, maxCapFraction: 0.05 },
    outliers: { probability: 0.5, maxFraction: 0.01 },
    augment: { maxScale: 0.2, maxRotationDeg: 8, mirrorX: true, baseAmplitudeMm: 20, baseGridSpacingMm: 90 },
    minJacobian: 0.25,
  },
  brain: {
    name: 'brain',
    samplesPerCloud: 4096,
    rigid: { maxRotationDeg: 4, maxTranslationMm: 5 },
    global: { gridSpacingMm: 50, sigmaMm: 50, minAmplitudeMm: 3, maxAmplitudeMm: 15 },
    local: { count: 400, maxAmplitudeMm: 3, sigmaMm: 4, anisotropy: 3, linearityThreshold: 0.6 },
    noiseMm: 0.3,
    dropout: { maxRandomFraction: 0.1, capProbability: 0.1, maxCapFraction: 0.05 },
    outliers: { probability: 0.5, maxFraction: 0.01 },
    augment: { maxScale: 0.12, maxRotationDeg: 8, mirrorX: true, baseAmplitudeMm: 6, baseGridSpacingMm: 50 },
    minJacobian: 0.25,
  },
};

export function isSynthPresetName(name: string): name is SynthPresetName {
  return name === 'lung' || name === 'brain';
}
