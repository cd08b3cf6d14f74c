import type { Deformation } from '../field/types.ts';

/** Points carried by φ (moving → fixed): φ(x) = x + u(x), with the displacements u. */
export interface WarpedPoints {
  pointsLps: Float64Array;
  displacementsLps: Float64Array;
}

/**
 * Warps moving-space points (interleaved xyz, LPS mm) onto the fixed space with Monge's forward map φ — the direction
 * for meshes, point sets and landmarks (images go the other way, see warp-image.ts).
 */
export async function warpPoints(pointsLps: Float64Array, deformation: Deformation): Promise<WarpedPoints> {
  const displacementsLps = await deformation.evaluate(pointsLps);
  const out = new Float64Array(pointsLps.length);
  for (let i = 0; i < out.length; i++) out[i] = pointsLps[i] + displacementsLps[i];
  return { pointsLps: out, displacementsLps };
}
