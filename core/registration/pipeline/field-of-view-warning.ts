/**
 * The warning for a mask that its scan cut short (core/shape/field-of-view.ts): which edges of the image it touches,
 * in anatomical terms, and by how much. The pipeline registers the cut's flat cap as if it were the shape's
 * boundary — measured better than leaving it out (README) — so what lies beyond the cut is extrapolated.
 */
import { anatomicalDirection, fieldOfViewCuts } from '../../shape/index.ts';
import type { PreparedInput } from './inputs.ts';

/**
 * Least contact (mm²) with an edge that is worth a warning: a tip grazing the edge in a voxel or two (the sample
 * lung's apex, 6 mm²) is no cut; copd1's inspiration mask, cut at a costophrenic recess, touches 315 mm².
 */
export const MIN_CUT_AREA_MM2 = 100;

/** A warning when a volume input's mask touches an edge of its image over MIN_CUT_AREA_MM2 or more, else undefined. */
export function fieldOfViewWarning(input: PreparedInput, role: 'moving' | 'fixed'): string | undefined {
  if (!input.image) return undefined;
  const cuts = fieldOfViewCuts(input.image).filter((c) => c.areaMm2 >= MIN_CUT_AREA_MM2);
  if (cuts.length === 0) return undefined;
  const edges = cuts.map((c) => `${anatomicalDirection(c.normalLps)} (${c.voxels} voxels, ${Math.round(c.areaMm2)} mm²)`).join(', ');
  return (
    `the ${role} mask ${input.path} touches the edge of its image — ${edges}: the scan's field of view cuts the shape there. ` +
    'The cut is closed by a flat surface that is registered as if it were the shape’s boundary, so the map near the cut is less reliable, ' +
    'and beyond it extrapolated (landmarks there included).'
  );
}
