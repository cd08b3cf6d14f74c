/**
 * Statistics of a Jacobian determinant image J(x) = det(∂φ/∂x) of a deformation φ (1 component per voxel),
 * optionally restricted to a mask (e.g. the lung mask of the fixed image). Over the voxels V counted (all voxels,
 * or those whose mask value is non-zero):
 *   min, max, mean = (1/|V|) Σ J,  std = population SD,
 *   nonPositiveCount = |{x ∈ V : J(x) ≤ 0}|,  nonPositiveFraction = nonPositiveCount / |V|
 * J ≤ 0 marks folding (the map is not locally invertible there), the usual plausibility check of a registration
 * (e.g. the Learn2Reg challenge reports the fraction of negative Jacobians and the SD of log J). J > 1 is local
 * expansion, 0 < J < 1 compression (at inspiration → expiration the lung compresses).
 *
 * The mask must lie on the same voxel grid as the Jacobian image: the 8 corners of the index box must map to the
 * same LPS points to within 1 % of the smallest voxel spacing; resampling a mask is not this module's business.
 */
import { indexToLps, type ImageLps } from '../image/index.ts';

export interface JacobianStats {
  /** Voxels counted (inside the mask, or all). */
  voxels: number;
  min: number;
  max: number;
  mean: number;
  /** Population standard deviation (divides by the voxel count). */
  std: number;
  /** Voxels with J ≤ 0 (folding). */
  nonPositiveCount: number;
  /** nonPositiveCount / voxels. */
  nonPositiveFraction: number;
}

type Grid = Pick<ImageLps, 'size' | 'spacingMm' | 'originLps' | 'directionLps'>;

/** Throws unless `mask` lies on the voxel grid of `image` (same size; corners within 1 % of a voxel). */
export function assertSameGrid(image: Grid, mask: Grid, what = 'mask'): void {
  if (image.size.some((n, c) => n !== mask.size[c])) {
    throw new RangeError(`${what} size ${mask.size.join('×')} differs from the image size ${image.size.join('×')}`);
  }
  const tolMm = 0.01 * Math.min(...image.spacingMm);
  for (let corner = 0; corner < 8; corner++) {
    const ijk: [number, number, number] = [
      corner & 1 ? image.size[0] - 1 : 0,
      corner & 2 ? image.size[1] - 1 : 0,
      corner & 4 ? image.size[2] - 1 : 0,
    ];
    const p = indexToLps(image, ijk);
    const q = indexToLps(mask, ijk);
    const gap = Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
    if (!(gap <= tolMm)) {
      throw new RangeError(`${what} is not on the image's voxel grid: voxel ${ijk.join(',')} is ${gap.toPrecision(3)} mm apart (tolerance ${tolMm.toPrecision(3)} mm)`);
    }
  }
}

/** Min, max, mean, SD and folding count/fraction of `jacobian` over the voxels where `mask` ≠ 0 (all if no mask). */
export function jacobianStats(jacobian: ImageLps, mask?: ImageLps): JacobianStats {
  if (jacobian.components !== 1) throw new RangeError(`Jacobian determinant image must have 1 component, got ${jacobian.components}`);
  const n = jacobian.size[0] * jacobian.size[1] * jacobian.size[2];
  if (jacobian.data.length !== n) throw new RangeError(`Jacobian image holds ${jacobian.data.length} values for ${n} voxels`);
  if (mask) {
    if (mask.components !== 1) throw new RangeError(`mask must have 1 component, got ${mask.components}`);
    assertSameGrid(jacobian, mask);
    if (mask.data.length !== n) throw new RangeError(`mask holds ${mask.data.length} values for ${n} voxels`);
  }
  const j = jacobian.data;
  const m = mask?.data;
  let voxels = 0;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let nonPositiveCount = 0;
  for (let i = 0; i < n; i++) {
    if (m && m[i] === 0) continue;
    const v = j[i];
    if (!Number.isFinite(v)) throw new RangeError(`Jacobian determinant at voxel ${i} is not finite (${v})`);
    voxels++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
    if (v <= 0) nonPositiveCount++;
  }
  if (voxels === 0) throw new RangeError(mask ? 'mask selects no voxels' : 'Jacobian image has no voxels');
  const mean = sum / voxels;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    if (m && m[i] === 0) continue;
    ss += (j[i] - mean) ** 2;
  }
  return { voxels, min, max, mean, std: Math.sqrt(ss / voxels), nonPositiveCount, nonPositiveFraction: nonPositiveCount / voxels };
}
