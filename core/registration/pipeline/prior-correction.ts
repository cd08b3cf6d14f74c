/**
 * The cohort residual prior (core/registration/prior) as the chain's last piece: its correction c sampled on a grid
 * over the fixed shape (the preset's margin, a third of the kernel's width in mm as spacing), so that the chain φ becomes y ↦ φ(y) + c(φ(y)) and
 * every output — warped shape, landmarks, exported field, Jacobian — carries it.
 */
import { GridDisplacement } from '../../field/grid-displacement.ts';
import { gridPointsLps } from '../../field/grid.ts';
import { gridGeometry, gridImage } from '../finetune/work-grid.ts';
import { priorCorrection, shapeMoments, type ResidualPrior, type ShapeMomentsLps } from '../prior/index.ts';
import type { Preset } from './presets.ts';
import type { ShapeClouds } from './shape-clouds.ts';
import { workGridOf } from './work-grid-of.ts';

/** The moments a prior is learned and applied in: the fixed shape's interior cloud when it has one, else its surface. */
export function fixedMomentsOf(fixed: ShapeClouds): ShapeMomentsLps {
  const cloud = fixed.interior && fixed.interior.mass.length > 0 ? fixed.interior : fixed.surface;
  return shapeMoments(cloud.pointsLps, cloud.mass);
}

/** The correction of a shape whose fixed clouds are `fixed` and moments `moments` (fixedMomentsOf(fixed)). */
export function priorDeformation(
  prior: ResidualPrior,
  fixed: ShapeClouds,
  moments: ShapeMomentsLps,
  preset: Preset,
): { deformation: GridDisplacement; largestCorrectionMm: number; details: Record<string, unknown> } {
  // c varies over σ·s (≈ 20 mm on a lung): a third of that is spacing enough for trilinear interpolation, and the
  // kernel sum costs grid voxels × cohort landmarks.
  const spacingMm = Math.max(preset.gridSpacing, (prior.sigma * Math.min(...moments.spreadMm)) / 3);
  const grid = workGridOf(fixed, fixed, spacingMm, preset.gridMargin);
  const correction = priorCorrection(prior, moments, gridPointsLps(gridGeometry(grid)));
  let largest = 0;
  for (let i = 0; i < correction.length; i += 3) largest = Math.max(largest, Math.hypot(correction[i], correction[i + 1], correction[i + 2]));
  return {
    deformation: new GridDisplacement(gridImage(grid, correction), 'clamp'),
    largestCorrectionMm: largest,
    details: {
      cases: prior.cases,
      landmarks: prior.pointsNormalised.length / 3,
      sigma: prior.sigma,
      shrink: prior.shrink,
      fade: prior.fade,
      largestCorrectionMm: largest,
      grid: { size: grid.size, spacingMm: grid.spacingMm, originLps: grid.originLps },
    },
  };
}
