/**
 * The y rows an x cluster keeps under a BlockSparsity (types.ts), as flat [j0, j1, j0, j1, …] ranges: empty
 * blocks dropped, and runs of consecutive y clusters merged into one range (cols ascend within a row, so a block
 * that starts where the previous range ends extends it). The engines that read blocks range by range share it.
 */
import type { BlockSparsity } from './types.ts';

export function columnRanges(s: BlockSparsity, k: number): number[] {
  const ranges: number[] = [];
  for (let b = s.rowPtr[k]; b < s.rowPtr[k + 1]; b++) {
    const j0 = s.yStart[s.cols[b]];
    const j1 = s.yStart[s.cols[b] + 1];
    if (j1 === j0) continue;
    if (ranges.length > 0 && ranges[ranges.length - 1] === j0) ranges[ranges.length - 1] = j1;
    else ranges.push(j0, j1);
  }
  return ranges;
}
