import { writeImage } from '../io/images/write-image.ts';
import { jacobianOfDeformation } from './jacobian.ts';
import type { JacobianStats } from './jacobian-stats.ts';
import type { Deformation, GridLps } from './types.ts';

/**
 * Computes det ∇φ of `deformation` on a (moving-space) grid (core/field/jacobian.ts) and writes it as a float32
 * scalar image (.nii.gz, .nii, .nrrd or .mha, atomically); returns the statistics for the report (min,
 * fraction ≤ 0 = folding).
 */
export async function writeJacobianMap(path: string, deformation: Deformation, grid: GridLps): Promise<JacobianStats> {
  const { image, stats } = await jacobianOfDeformation(deformation, grid);
  await writeImage(path, image, { niftiGzip: 'fast' });
  return stats;
}
