/**
 * True when every voxel is an integer and there are at most 256 distinct values: a mask or a label map, which is
 * shown with label colours and resampled by nearest neighbour (labels are never blended), as opposed to a grey image.
 */
export function looksLikeMask(data: ArrayLike<number>): boolean {
  const seen = new Set<number>();
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isInteger(v)) return false;
    if (!seen.has(v)) {
      seen.add(v);
      if (seen.size > 256) return false;
    }
  }
  return true;
}
