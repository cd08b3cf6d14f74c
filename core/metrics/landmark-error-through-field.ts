/**
 * Landmark error through an exported displacement field, the convention of dense-registration challenges:
 *
 *   e_k = | y_k + T(y_k) − x_k |,
 *
 * y_k a fixed landmark, T the field on the fixed grid (ITK's resampling convention: fixed-space point + vector =
 * moving-space point), interpolated trilinearly, x_k the corresponding moving landmark. The error lies in the
 * moving frame. This is how Learn2Reg's evaluation (`compute_tre`: fixed landmarks + displacement at them, against
 * the moving landmarks) and most DIR-Lab results of image registration are computed; Monge's own TRE
 * (`landmarks_error.csv`) goes the other way, the moving landmarks carried into the fixed frame, as the user asked
 * for the warped moving landmarks. The two differ by the local scale of the map: with an expiration scan as the
 * moving image, distances in its frame are shorter by about the cube root of the volume ratio.
 */
import { GridDisplacement } from '../field/grid-displacement.ts';
import type { ImageLps } from '../image/index.ts';
import { landmarkErrors } from './landmark-error.ts';

/**
 * Per-landmark e_k (mm): T sampled as `monge warp --inverse` carries points (GridDisplacement, T = 0 outside the
 * field's grid, ITK's rule).
 */
export function landmarkErrorsThroughField(fieldLps: ImageLps, fixedLandmarksLps: Float64Array, movingLandmarksLps: Float64Array): Float64Array {
  if (fieldLps.components !== 3) throw new Error(`a displacement field has 3 components per voxel, this one ${fieldLps.components}`);
  const t = new GridDisplacement(fieldLps, 'zero').sample(fixedLandmarksLps);
  return landmarkErrors(fixedLandmarksLps.map((y, i) => y + t[i]), movingLandmarksLps);
}
