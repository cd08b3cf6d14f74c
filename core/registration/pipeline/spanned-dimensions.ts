import { symmetricEigen } from '../../linalg/index.ts';
import { InputError } from '../../io/errors.ts';
import type { PreparedInput } from './inputs.ts';

/**
 * A cloud thinner than this fraction of its length along some direction counts as flat there: far below any real
 * anatomy (a 6 mm slab 100 mm across is 0.06) and far above rounding (float32 coordinates carry ~1e-7).
 */
const FLAT_FRACTION = 1e-4;

/**
 * How many dimensions a point cloud spans (3: a solid or a closed surface; 2: a plane; 1: a line; 0: one point): the
 * principal extents √λ of its covariance (λ its eigenvalues) that exceed FLAT_FRACTION of the largest.
 */
export function spannedDimensions(pointsLps: Float64Array): { dimensions: 0 | 1 | 2 | 3; extentsMm: [number, number, number] } {
  const n = pointsLps.length / 3;
  const mean = [0, 0, 0];
  for (let i = 0; i < pointsLps.length; i++) mean[i % 3] += pointsLps[i] / n;
  const c = new Float64Array(9);
  for (let i = 0; i < pointsLps.length; i += 3) {
    const d = [pointsLps[i] - mean[0], pointsLps[i + 1] - mean[1], pointsLps[i + 2] - mean[2]];
    for (let r = 0; r < 3; r++) for (let s = 0; s < 3; s++) c[3 * r + s] += (d[r] * d[s]) / n;
  }
  const values = symmetricEigen(c, 3).values;
  const extentsMm = [0, 1, 2].map((k) => Math.sqrt(Math.max(0, values[k]))) as [number, number, number];
  const largest = extentsMm[0];
  const dimensions = largest === 0 ? 0 : (extentsMm.filter((e) => e > FLAT_FRACTION * largest).length as 1 | 2 | 3);
  return { dimensions, extentsMm };
}

/**
 * Refuses a fixed shape that spans fewer dimensions than the moving one (a plane, a line or a point against a
 * surface): no invertible map takes the moving shape onto it. Before, the pre-alignment's affine fit came out
 * singular and the run ended in an internal error.
 */
export function checkFixedSpansMoving(moving: PreparedInput, fixed: PreparedInput): void {
  const m = spannedDimensions(moving.shape.pointsLps);
  const f = spannedDimensions(fixed.shape.pointsLps);
  if (f.dimensions >= m.dimensions) return;
  const what = ['a single point', 'a line', 'a plane'][f.dimensions];
  throw new InputError(
    fixed.path,
    'unsupported',
    `its points lie on ${what} (principal extents ${f.extentsMm.map((e) => e.toPrecision(3)).join(', ')} mm), where the moving shape spans ${m.dimensions} dimensions: no invertible map takes the moving shape onto it`,
  );
}
