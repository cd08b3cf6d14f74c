/**
 * An analytic registration result for warp tests: the exact ITK field T(y) = φ⁻¹(y) − y of an affine φ (moving →
 * fixed) on an oblique, anisotropic grid, written as a results folder's field.nii.gz. Trilinear interpolation
 * reproduces an affine field exactly, so anything carried through it must land on φ to the inversion's tolerance.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AffineDeformation } from '../../core/field/affine.ts';
import { writeDisplacementField } from '../../core/field/export-displacement-field.ts';
import { gridPointsLps } from '../../core/field/grid.ts';
import { affineFromParts } from '../../core/field/matrix4.ts';
import { rotation3 } from '../unit/field/support.ts';

type Vec3 = [number, number, number];

/** The fixed grid the field lives on: every index axis mixes L, P and S. */
export const FIELD_GRID = { size: [36, 32, 30] as Vec3, spacingMm: [2, 2.5, 1.75] as Vec3, originLps: [-30, -35, -25] as Vec3, directionLps: Float64Array.from(rotation3(20, 10)) };
/** φ(x) = M x + c, moving → fixed: a 5 % scaling, a rotation and a shift. */
const M = rotation3(8, -6).map((v) => 1.05 * v);
const C: Vec3 = [3, -2, 4];
export const PHI = new AffineDeformation(affineFromParts(M, C));

/** φ at one LPS point. */
export function phi(x: ArrayLike<number>): Vec3 {
  return [0, 1, 2].map((r) => M[3 * r] * x[0] + M[3 * r + 1] * x[1] + M[3 * r + 2] * x[2] + C[r]) as Vec3;
}

/** The largest distance between corresponding points of two interleaved xyz arrays. */
export function maxPointError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < a.length; i += 3) e = Math.max(e, Math.hypot(a[i] - b[i], a[i + 1] - b[i + 1], a[i + 2] - b[i + 2]));
  return e;
}

/** Centre of the grid's voxel box, LPS. */
export function fieldGridCentre(): Vec3 {
  const p = gridPointsLps(FIELD_GRID);
  const c: Vec3 = [0, 0, 0];
  for (let i = 0; i < p.length; i += 3) for (let a = 0; a < 3; a++) c[a] += (3 * p[i + a]) / p.length;
  return c;
}

/** `dir/registered/field.nii.gz` holding φ's field; returns the folder. */
export async function affineFieldFolder(dir: string): Promise<string> {
  const folder = join(dir, 'registered');
  await mkdir(folder);
  await writeDisplacementField(join(folder, 'field.nii.gz'), PHI, { ...FIELD_GRID });
  return folder;
}
