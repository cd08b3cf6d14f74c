import { writeFileAtomic } from '../io/atomic-write.ts';
import { convertMatrix3, convertPoint, type Frame } from '../frames/index.ts';
import type { AffineDeformation } from './affine.ts';
import { affineFromParts, linearPart, translationPart } from './matrix4.ts';

/**
 * The linear part as a plain 4×4 matrix text (4 rows of 4 numbers, row-major, acting on column vectors
 * [x y z 1]ᵀ), in Monge's direction MOVING → FIXED — the opposite of the ITK .tfm. Lines starting with `#` state
 * the direction and frame (numpy.loadtxt and MATLAB's readmatrix skip them). In 'RAS' the matrix is F·M·F with
 * F = diag(−1, −1, 1, 1) (core/frames convertMatrix3). Do not name it `.tfm`/`.txt` where Slicer or ANTs would
 * expect an ITK transform; e.g. `affine-moving-to-fixed.mat4.txt`.
 */
export function formatAffineMatrixText(affine: AffineDeformation, frame: Frame = 'LPS'): string {
  const m = affine.movingToFixedLps;
  const a = convertMatrix3(linearPart(m), 'LPS', frame);
  // The translation is where the map takes the origin, a point: it converts as one (F·t).
  const t = convertPoint(translationPart(m), 'LPS', frame);
  const out = affineFromParts(a, t);
  const rows = [0, 1, 2, 3].map((r) => [0, 1, 2, 3].map((c) => String(Object.is(out[4 * r + c], -0) ? 0 : out[4 * r + c])).join(' '));
  return [
    `# Monge affine: MOVING -> FIXED, ${frame} millimetres, 4x4 row-major, acts on column vectors: p_fixed = M * [x y z 1]^T`,
    '# (ITK, ANTs and Slicer files hold the inverse, fixed -> moving: see the .tfm written beside it)',
    ...rows,
    '',
  ].join('\n');
}

/** Writes formatAffineMatrixText atomically. */
export async function writeAffineMatrixText(path: string, affine: AffineDeformation, frame: Frame = 'LPS'): Promise<void> {
  await writeFileAtomic(path, formatAffineMatrixText(affine, frame));
}
