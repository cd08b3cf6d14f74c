/**
 * Which voxels of a volume input are the shape: every voxel > 0 (a mask, or a label map taken whole), the voxels
 * equal to one label (one organ of a label map), or the voxels ≥ a threshold (a grey image). `monge surface` and
 * `monge register` take the same choice (--label, --threshold).
 */
import type { ImageLps } from '../image/index.ts';

export interface VoxelSelection {
  /** Voxels equal to this label. */
  label?: number;
  /** Voxels ≥ this value. Exclusive with `label`. */
  threshold?: number;
}

/** The selection in words, for messages: `label 3`, `threshold -400`, `value > 0`. */
export function selectionWords(selection: VoxelSelection = {}): string {
  if (selection.label !== undefined) return `label ${selection.label}`;
  if (selection.threshold !== undefined) return `threshold ${selection.threshold}`;
  return 'value > 0';
}

/** Why the selection is not usable, or undefined. */
export function selectionProblem(selection: VoxelSelection): string | undefined {
  if (selection.label !== undefined && selection.threshold !== undefined) return 'give either a label or a threshold, not both';
  if (selection.label !== undefined && !Number.isFinite(selection.label)) return `label must be a number (got ${selection.label})`;
  if (selection.threshold !== undefined && !Number.isFinite(selection.threshold)) return `threshold must be a number (got ${selection.threshold})`;
  return undefined;
}

/** The selected voxels as a binary mask (uint8 0 / 1, the image's geometry, first component), and their count. */
export function maskOfSelection(image: ImageLps, selection: VoxelSelection): { mask: ImageLps; count: number } {
  const { label, threshold } = selection;
  const inside = label !== undefined ? (v: number) => v === label : threshold !== undefined ? (v: number) => v >= threshold : (v: number) => v > 0;
  const n = image.size[0] * image.size[1] * image.size[2];
  const data = new Uint8Array(n);
  let count = 0;
  for (let v = 0; v < n; v++) {
    if (inside(image.data[v * image.components])) {
      data[v] = 1;
      count++;
    }
  }
  const { size, spacingMm, originLps, directionLps } = image;
  return { mask: { size: [...size], spacingMm: [...spacingMm], originLps: [...originLps], directionLps: Float64Array.from(directionLps), components: 1, data }, count };
}
