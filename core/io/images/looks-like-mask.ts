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
 */

/** Most distinct values a label map may have. */
export const MAX_LABEL_VALUES = 256;

/** Least share of equal neighbouring pairs (not both 0) in a label map with more than two values. */
export const MIN_EQUAL_NEIGHBOUR_SHARE = 0.3;

/**
 * True when every voxel is an integer, there are at most MAX_LABEL_VALUES distinct values, and — unless there are
 * only two (a binary mask, however ragged) — at least MIN_EQUAL_NEIGHBOUR_SHARE of the neighbouring pairs along the
 * fastest axis that are not both 0 hold equal values. The pairs that wrap from one row to the next are counted too
 * (one in a row: they do not move the share).
 */
export function looksLikeMask(data: ArrayLike<number>): boolean {
  const seen = new Set<number>();
  let pairs = 0;
  let equal = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isInteger(v)) return false;
    if (!seen.has(v)) {
      seen.add(v);
      if (seen.size > MAX_LABEL_VALUES) return false;
    }
    if (i > 0) {
      const u = data[i - 1];
      if (u !== 0 || v !== 0) {
        pairs++;
        if (u === v) equal++;
      }
    }
  }
  // More than two values means a non-zero voxel, so pairs > 0 here.
  return seen.size <= 2 || equal >= MIN_EQUAL_NEIGHBOUR_SHARE * pairs;
}
