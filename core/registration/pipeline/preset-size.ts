/**
 * The fixed shape's size against a millimetre preset's lengths. The lung and brain presets' blurs, kernels and grid
 * spacings are millimetres of that anatomy, and they act in the fixed shape's frame (the pre-alignment carries the
 * moving shape there, whatever its unit: a moving lung in metres against a fixed one in mm registers as well as two
 * in mm). A fixed shape smaller than the pre-alignment's first blur cannot be that anatomy in mm — typically its
 * coordinates are normalised, or in cm or m — and at that blur every match falls on its centre, so the fit collapses
 * (measured: DIR-Lab copd1's vessel trees, normalised to 1 unit = 100 mm and 3.8 units across, made the lung preset's
 * affine fit singular, and the brain preset doubled their distance). Such a run is refused before it starts; a size
 * merely unusual for the anatomy is warned of.
 */
import { InputError } from '../../io/errors.ts';
import type { PresetName } from '../types.ts';
import { drawnDiameterOf, type PreparedInput } from './inputs.ts';
import { PRESETS } from './presets.ts';

/** What each millimetre preset (lengthUnit 'mm') registers, and the diameters (mm, bounding-box diagonal) it is usual for. */
const ANATOMY: Partial<Record<PresetName, { what: string; usualMm: readonly [number, number] }>> = {
  // DIR-Lab COPD lung pairs 415 mm; one adult lung about 250 mm; a child's lungs from about 100 mm.
  lung: { what: 'lungs', usualMm: [100, 1000] },
  // An fsaverage5 hemisphere is 217 mm, a head surface 260–300 mm; deep structures (a hippocampus, 45 mm) still work.
  brain: { what: 'brain surfaces', usualMm: [30, 500] },
};

const mm = (d: number): string => (d >= 10 ? d.toFixed(0) : d.toPrecision(2));

/**
 * Throws an InputError naming the fixed file when it is smaller than the preset's first pre-alignment blur; returns
 * a warning when its size is outside what the preset's anatomy usually measures; else undefined. The scale-free
 * generic preset is never checked.
 */
export function checkFixedSizeForPreset(fixed: PreparedInput, preset: PresetName): string | undefined {
  const anatomy = ANATOMY[preset];
  if (anatomy === undefined) return undefined;
  const diameter = drawnDiameterOf(fixed.shape);
  if (!(diameter > 0)) return undefined;
  const firstBlurMm = PRESETS[preset].prealign.stages[0]?.blurs[0] ?? 0;
  const remedy = 'if its coordinates are normalised or in cm or m, rescale them to mm; for shapes in any unit, use --preset generic (scale-free)';
  if (diameter < firstBlurMm) {
    throw new InputError(
      fixed.path,
      'unsupported',
      `is ${mm(diameter)} mm across (its bounding box's diagonal), smaller than the ${preset} preset's first pre-alignment blur (${firstBlurMm} mm): the preset's lengths are ` +
        `millimetres of ${anatomy.what}, which this shape cannot be in mm; ${remedy}`,
    );
  }
  const [low, high] = anatomy.usualMm;
  if (diameter >= low && diameter <= high) return undefined;
  return (
    `the fixed shape ${fixed.path} is ${mm(diameter)} mm across (its bounding box's diagonal), where the ${preset} preset expects ${anatomy.what} of ${low}–${high} mm ` +
    `(its lengths are millimetres): ${remedy}.`
  );
}
