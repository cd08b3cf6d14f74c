/**
 * Chamfer distance between shapes A and B, in mm, defined here as the symmetric mean of directed distances:
 *   CD(A, B) = ½ · ( (1/|A|) Σ_{a∈A} d(a, B)  +  (1/|B|) Σ_{b∈B} d(b, A) )
 * with d the point-to-surface distance when the other shape has triangles, else the point-to-point distance
 * (directed-distance.ts), summed over the vertices / points of each shape. Unsquared distances, so the value is
 * in mm and reads as an average surface gap; the point-cloud learning literature often uses squared distances or
 * sums instead, which are not comparable with this number.
 */
import type { Shape } from '../shape/index.ts';
import { directedDistances } from './directed-distance.ts';

/** Mean of a non-empty set of finite values. */
export function meanOf(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) throw new RangeError('mean of an empty set');
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  if (!Number.isFinite(sum)) throw new RangeError('distances include non-finite values');
  return sum / n;
}

/** CD from the two directed distance sets d(a_i, B) and d(b_j, A). */
export function chamferFromDirected(aToBMm: ArrayLike<number>, bToAMm: ArrayLike<number>): number {
  return 0.5 * (meanOf(aToBMm) + meanOf(bToAMm));
}

/** CD(A, B), mm. */
export function chamferDistance(a: Pick<Shape, 'pointsLps' | 'triangles'>, b: Pick<Shape, 'pointsLps' | 'triangles'>): number {
  return chamferFromDirected(directedDistances(a, b).distanceMm, directedDistances(b, a).distanceMm);
}
