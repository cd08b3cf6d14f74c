/**
 * Whether an image is a mask or a label map — shown with label colours and resampled by nearest neighbour (labels
 * are never blended) — rather than a grey image.
 *
 * A label map is integer-valued with few distinct values, and it is piecewise constant: inside a structure a voxel
 * equals its neighbour. An 8-bit grey image (a FreeSurfer T1.mgz, a CT stored as uint8) passes the first two tests
 * but not the last: its tissue varies from voxel to voxel. Measured on the project's data, the share of neighbouring
 * voxel pairs along the first image axis that are equal (pairs where both are 0 left out, so a large background does
 * not count): label maps 0.57 (FreeSurfer aseg at 3 mm), 0.83 (TotalSegmentator, 41 labels at 3 mm), 0.95 (lung
 * masks); grey images 0.065 (MNE sample T1.mgz, uint8), 0.12 (a CT windowed into uint8). The threshold sits between.
 *
 * A grey image windowed so that much of it saturates is flat where it is clipped: the same CT in a lung window
 * (−1000 … −400 HU into uint8) has 63 % of its voxels at 255 and an equal share of 0.67, as a label map. So pairs
 * where both voxels hold the image's smallest or largest value are left out too; what remains is the unclipped
 * tissue, which varies. The label maps above keep their shares (0.57, 0.82), as their largest label is one small
 * structure.
 */

/** Most distinct values a label map may have. */
export const MAX_LABEL_VALUES = 256;

/** Least share of equal neighbouring pairs (not both 0, nor both an extreme value) in a label map with more than two values. */
export const MIN_EQUAL_NEIGHBOUR_SHARE = 0.3;

/**
 * True when every voxel is an integer, there are at most MAX_LABEL_VALUES distinct values, and — unless there are
 * only two (a binary mask, however ragged) — at least MIN_EQUAL_NEIGHBOUR_SHARE of the neighbouring pairs along the
 * fastest axis hold equal values, counting only pairs that are not both 0, both the smallest value or both the
 * largest. The pairs that wrap from one row to the next are counted too (one in a row: they do not move the share).
 */
export function looksLikeMask(data: ArrayLike<number>): boolean {
  const seen = new Set<number>();
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isInteger(v)) return false;
    if (!seen.has(v)) {
      seen.add(v);
      if (seen.size > MAX_LABEL_VALUES) return false;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (seen.size <= 2) return true;
  let pairs = 0;
  let equal = 0;
  for (let i = 1; i < data.length; i++) {
    const u = data[i - 1];
    const v = data[i];
    if (u !== v) pairs++;
    else if (u !== 0 && u !== lo && u !== hi) {
      pairs++;
      equal++;
    }
  }
  // Three values or more: a middle value borders another somewhere, so pairs > 0.
  return equal >= MIN_EQUAL_NEIGHBOUR_SHARE * pairs;
}
