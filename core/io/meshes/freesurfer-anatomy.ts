import { basename } from 'node:path';
import type { SurfaceAnatomy } from '../../shape/types.ts';

/**
 * The anatomy a FreeSurfer surface's name states, in GIfTI's terms, as FreeSurfer's mris_convert writes it into a
 * GIfTI (mrisurf GIfTI writer): `lh.` / `rh.` → CortexLeft / CortexRight; white → GrayWhite, pial → Pial,
 * graymid / midthickness → MidThickness; white, pial, orig, smoothwm, graymid, midthickness → Anatomical, inflated →
 * Inflated, sphere (and sphere.reg) → Spherical. Undefined for other names (MNE's inner_skull.surf …).
 */
export function anatomyFromFreesurferName(file: string): SurfaceAnatomy | undefined {
  const match = /^(lh|rh)\.([a-z_]+)/i.exec(basename(file));
  if (!match) return undefined;
  const surface = match[2].toLowerCase();
  const anatomy: SurfaceAnatomy = { structurePrimary: match[1].toLowerCase() === 'lh' ? 'CortexLeft' : 'CortexRight' };
  const secondary = SECONDARY[surface];
  if (secondary) anatomy.structureSecondary = secondary;
  const geometric = GEOMETRIC[surface];
  if (geometric) anatomy.geometricType = geometric;
  return anatomy;
}

const SECONDARY: Readonly<Record<string, string>> = { white: 'GrayWhite', pial: 'Pial', graymid: 'MidThickness', midthickness: 'MidThickness' };

const GEOMETRIC: Readonly<Record<string, string>> = {
  white: 'Anatomical',
  pial: 'Anatomical',
  orig: 'Anatomical',
  smoothwm: 'Anatomical',
  graymid: 'Anatomical',
  midthickness: 'Anatomical',
  inflated: 'Inflated',
  sphere: 'Spherical',
};
