/**
 * The warning for a map that folds: voxels of the fixed region where the Jacobian determinant is ≤ 0, i.e. where the
 * map turns tissue inside out and is not invertible. The exported field is then no valid deformation there (ITK's
 * and ANTs' inverses fail to converge, a warped label map gets holes and doubled structures) and the warped mesh may
 * cross itself. Folding is the usual plausibility check of a registration (Learn2Reg reports its fraction); the
 * report's numbers say it, and this puts it where a user looks: stderr, `warnings`, the app's panel.
 */
import type { JacobianStats } from '../../field/jacobian-stats.ts';

/** How the fine-tuning step ran: as a velocity field (cannot fold), as a displacement, or not at all. */
export type FinetuneForm = 'diffeomorphic' | 'displacement' | 'not run';

/**
 * A warning when any voxel counted in `stats` folds, else undefined. `region` names where they were counted (the
 * fixed mask, or the fixed shape's bounding box). Only a displacement fine-tuning can be told to run as a velocity
 * field instead; otherwise the fold comes from another step or from the field's finite differences.
 */
export function foldingWarning(stats: JacobianStats, region: string, finetune: FinetuneForm): string | undefined {
  if (stats.nonPositiveCount === 0) return undefined;
  const what =
    `the map folds: ${(100 * stats.nonPositiveFraction).toPrecision(2)} % of the voxels in the ${region} (${stats.nonPositiveCount}) ` +
    `have a Jacobian determinant ≤ 0 (minimum ${stats.min.toFixed(2)}; jacobian.nii.gz shows where). There the field is not invertible, ` +
    'and the warped shape may cross itself.'
  return finetune === 'displacement'
    ? `${what} --diffeomorphic integrates the fine-tuning as a velocity field, which cannot fold.`
    : finetune === 'diffeomorphic'
      ? // The velocity's flow cannot fold; its sampling on the field grid can, where the kernel is narrower than a voxel.
        `${what} It comes from the field's sampling (a kernel width near or below the field spacing: a wider kernel or a finer field spacing removes it) or from a step other than the (diffeomorphic) fine-tuning: a reflecting affine map, the network or the prior correction.`
      : `${what} It comes from the steps run: a reflecting affine map, the network or the prior correction, or the field's finite differences.`;
}
