/**
 * Where a scan stops and the anatomy does not: the faces of an image's grid that its mask touches.
 *
 * A lung mask whose scan was cut short (an apex or a costophrenic recess outside the field of view) ends in a flat
 * face on the grid's boundary. The surface extracted from it closes that face with a cap that is no anatomy, and the
 * tissue beyond it has no counterpart in the other scan's shape. Registration matches the cap as if it were the
 * shape's boundary (measured better than leaving it out: README, "A mask cut short by its scan"), so the user is
 * told where the cuts are.
 */
import type { ImageLps } from '../image/index.ts';

/** A face of the grid that the mask touches. */
export interface FieldOfViewCut {
  /** The face: index axis and side (index 0 or size − 1). */
  axis: 0 | 1 | 2;
  side: 'low' | 'high';
  /** Outward unit normal (LPS): away from the grid, towards the tissue the scan did not see. */
  normalLps: [number, number, number];
  /** Foreground voxels on the face. */
  voxels: number;
  /** Their area (mm²): voxels × the face's voxel area. */
  areaMm2: number;
}

/** Foreground (> 0) voxels of the face `index = at` along `axis`. */
function faceForeground(image: ImageLps, axis: 0 | 1 | 2, at: number): number {
  const [nx, ny] = image.size;
  const a = (axis + 1) % 3;
  const b = (axis + 2) % 3;
  const idx = [0, 0, 0];
  idx[axis] = at;
  let count = 0;
  for (let u = 0; u < image.size[a]; u++) {
    idx[a] = u;
    for (let v = 0; v < image.size[b]; v++) {
      idx[b] = v;
      if (image.data[(idx[2] * ny + idx[1]) * nx + idx[0]] > 0) count++;
    }
  }
  return count;
}

/** The faces of a mask's grid that hold foreground: where the scan, not the shape, ends. Scalar images only. */
export function fieldOfViewCuts(image: ImageLps): FieldOfViewCut[] {
  if (image.components !== 1) return [];
  const cuts: FieldOfViewCut[] = [];
  const d = image.directionLps;
  for (const axis of [0, 1, 2] as const) {
    // A grid one voxel thick along an axis (a single slice) has no inside along it.
    if (image.size[axis] < 2) continue;
    const direction = [d[axis], d[3 + axis], d[6 + axis]];
    const length = Math.hypot(direction[0], direction[1], direction[2]);
    const faceAreaMm2 = image.spacingMm[(axis + 1) % 3] * image.spacingMm[(axis + 2) % 3];
    for (const side of ['low', 'high'] as const) {
      const voxels = faceForeground(image, axis, side === 'low' ? 0 : image.size[axis] - 1);
      if (voxels === 0) continue;
      const sign = side === 'low' ? -1 : 1;
      const normalLps: [number, number, number] = [(sign * direction[0]) / length, (sign * direction[1]) / length, (sign * direction[2]) / length];
      cuts.push({ axis, side, normalLps, voxels, areaMm2: voxels * faceAreaMm2 });
    }
  }
  return cuts;
}

/**
 * The anatomical direction an LPS unit vector points to most, by its largest component: left / posterior / superior
 * for the positive axes, right / anterior / inferior for the negative ones.
 */
export function anatomicalDirection(unitLps: readonly number[]): 'left' | 'right' | 'posterior' | 'anterior' | 'superior' | 'inferior' {
  const k = [0, 1, 2].reduce((best, c) => (Math.abs(unitLps[c]) > Math.abs(unitLps[best]) ? c : best), 0);
  const names = [
    ['left', 'right'],
    ['posterior', 'anterior'],
    ['superior', 'inferior'],
  ] as const;
  return names[k][unitLps[k] >= 0 ? 0 : 1];
}
