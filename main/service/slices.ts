/**
 * Three orthogonal slices through the centre of a volume, oriented for display the way radiology viewers (and 3D
 * Slicer) show them: patient left on the screen's right; axial seen from the feet with anterior at the top;
 * coronal and sagittal with superior at the top, sagittal with anterior on the left.
 *
 * Slices follow the voxel grid (no resampling): each display axis takes the index axis whose direction is closest
 * to it (the permutation maximising Σ|D|), flipped where the direction points the other way. For an oblique
 * acquisition the slice is the grid plane nearest to the anatomical one; its true LPS geometry travels with it
 * (origin and per-pixel steps), so overlays computed in mm land where they belong.
 */
import { indexToLps, indexToLpsLinear, type ImageLps } from '../../core/image/index.ts';
import type { DisplaySlice, SliceOrientation, Vec3 } from './api.ts';
import { LinearSampler } from './image-sampler.ts';

/** Display axes of each orientation: the slice normal, the screen-horizontal axis and the screen-vertical one (LPS 0 = x, 1 = y, 2 = z). */
const LAYOUT: Record<SliceOrientation, { normal: 0 | 1 | 2; h: 0 | 1 | 2; rightSign: 1 | -1; v: 0 | 1 | 2; downSign: 1 | -1 }> = {
  // Axial: screen right = patient left (+x), screen down = posterior (+y).
  axial: { normal: 2, h: 0, rightSign: 1, v: 1, downSign: 1 },
  // Coronal: screen right = patient left (+x), screen down = inferior (−z).
  coronal: { normal: 1, h: 0, rightSign: 1, v: 2, downSign: -1 },
  // Sagittal: screen right = posterior (+y), screen down = inferior (−z).
  sagittal: { normal: 0, h: 1, rightSign: 1, v: 2, downSign: -1 },
};

const PERMUTATIONS: readonly (readonly [number, number, number])[] = [
  [0, 1, 2],
  [0, 2, 1],
  [1, 0, 2],
  [1, 2, 0],
  [2, 0, 1],
  [2, 1, 0],
];

/** perm[lpsAxis] = the index axis closest to it (maximising Σ|D[lpsAxis][perm[lpsAxis]]|). */
export function axisPermutation(directionLps: ArrayLike<number>): [number, number, number] {
  let best: readonly [number, number, number] = PERMUTATIONS[0];
  let bestScore = -Infinity;
  for (const p of PERMUTATIONS) {
    const score = Math.abs(directionLps[p[0]]) + Math.abs(directionLps[3 + p[1]]) + Math.abs(directionLps[6 + p[2]]);
    if (score > bestScore) {
      bestScore = score;
      best = p;
    }
  }
  return [best[0], best[1], best[2]];
}

/** The LPS letter of a direction: its dominant axis and sign (+x L, −x R, +y P, −y A, +z S, −z I). */
export function lpsLetter(v: readonly number[]): string {
  let axis = 0;
  for (let a = 1; a < 3; a++) if (Math.abs(v[a]) > Math.abs(v[axis])) axis = a;
  return ['RL', 'AP', 'IS'][axis][v[axis] >= 0 ? 1 : 0];
}

interface SliceFrame {
  orientation: SliceOrientation;
  axis: 0 | 1 | 2;
  index: number;
  width: number;
  height: number;
  /** Index of pixel (c, r): ijk[axis] = index, ijk[colAxis] = colStart + c·colSign, ijk[rowAxis] = rowStart + r·rowSign. */
  colAxis: number;
  colStart: number;
  colSign: 1 | -1;
  rowAxis: number;
  rowStart: number;
  rowSign: 1 | -1;
}

function sliceFrame(image: ImageLps, orientation: SliceOrientation, indices?: readonly number[]): SliceFrame {
  const d = image.directionLps;
  const perm = axisPermutation(d);
  const { normal, h, rightSign, v, downSign } = LAYOUT[orientation];
  const axis = perm[normal] as 0 | 1 | 2;
  const colAxis = perm[h];
  const rowAxis = perm[v];
  const colSign: 1 | -1 = Math.sign(d[3 * h + colAxis]) === rightSign ? 1 : -1;
  const rowSign: 1 | -1 = Math.sign(d[3 * v + rowAxis]) === downSign ? 1 : -1;
  const width = image.size[colAxis];
  const height = image.size[rowAxis];
  return {
    orientation,
    axis,
    index: Math.min(image.size[axis] - 1, Math.max(0, Math.round(indices?.[axis] ?? Math.floor(image.size[axis] / 2)))),
    width,
    height,
    colAxis,
    colStart: colSign === 1 ? 0 : width - 1,
    colSign,
    rowAxis,
    rowStart: rowSign === 1 ? 0 : height - 1,
    rowSign,
  };
}

function geometryOf(image: ImageLps, f: SliceFrame): Pick<DisplaySlice, 'originLps' | 'uStepLps' | 'vStepLps' | 'edgeLabels'> {
  const ijk: [number, number, number] = [0, 0, 0];
  ijk[f.axis] = f.index;
  ijk[f.colAxis] = f.colStart;
  ijk[f.rowAxis] = f.rowStart;
  const m = indexToLpsLinear(image);
  const u: Vec3 = [m[f.colAxis] * f.colSign, m[3 + f.colAxis] * f.colSign, m[6 + f.colAxis] * f.colSign];
  const v: Vec3 = [m[f.rowAxis] * f.rowSign, m[3 + f.rowAxis] * f.rowSign, m[6 + f.rowAxis] * f.rowSign];
  const neg = (w: Vec3): Vec3 => [-w[0], -w[1], -w[2]];
  return {
    originLps: indexToLps(image, ijk),
    uStepLps: u,
    vStepLps: v,
    edgeLabels: { left: lpsLetter(neg(u)), right: lpsLetter(u), top: lpsLetter(neg(v)), bottom: lpsLetter(v) },
  };
}

/**
 * The axial, coronal and sagittal slices of a volume (first component of each voxel), at `indices` (one per index
 * axis; default the centre).
 */
export function extractSlices(image: ImageLps, indices?: readonly number[]): DisplaySlice[] {
  const [nx, ny] = image.size;
  const nc = image.components;
  return (['axial', 'coronal', 'sagittal'] as const).map((orientation) => {
    const f = sliceFrame(image, orientation, indices);
    const values = new Float32Array(f.width * f.height);
    const ijk = [0, 0, 0];
    ijk[f.axis] = f.index;
    for (let r = 0; r < f.height; r++) {
      ijk[f.rowAxis] = f.rowStart + r * f.rowSign;
      for (let c = 0; c < f.width; c++) {
        ijk[f.colAxis] = f.colStart + c * f.colSign;
        values[r * f.width + c] = image.data[((ijk[2] * ny + ijk[1]) * nx + ijk[0]) * nc];
      }
    }
    return { orientation, axis: f.axis, index: f.index, width: f.width, height: f.height, values, ...geometryOf(image, f) };
  });
}

/**
 * `image` resampled (trilinearly) on the pixels of `slices`, each pixel's LPS point first mapped by `mapLps`
 * (e.g. x ↦ x + u(x) through a displacement field); points outside the image give 0.
 */
export function resampleOnSlices(slices: DisplaySlice[], image: ImageLps, mapLps?: (p: Float64Array) => void): DisplaySlice[] {
  const sampler = new LinearSampler(image, 0);
  const out = new Float64Array(image.components);
  const p = new Float64Array(3);
  return slices.map((s) => {
    const values = new Float32Array(s.width * s.height);
    for (let r = 0; r < s.height; r++) {
      for (let c = 0; c < s.width; c++) {
        for (let a = 0; a < 3; a++) p[a] = s.originLps[a] + c * s.uStepLps[a] + r * s.vStepLps[a];
        mapLps?.(p);
        sampler.sampleInto(p[0], p[1], p[2], out);
        values[r * s.width + c] = out[0];
      }
    }
    return { ...s, values };
  });
}

/**
 * For each index axis, the index of the slice with the most non-zero voxels: where a mask shows most of itself.
 * The centre slice of a lung mask pair is the mediastinum in the sagittal view; the densest one cuts a lung.
 */
export function densestIndices(image: ImageLps): [number, number, number] {
  const [nx, ny, nz] = image.size;
  const counts = [new Float64Array(nx), new Float64Array(ny), new Float64Array(nz)];
  const nc = image.components;
  let v = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, v += nc) {
        if (image.data[v] !== 0) {
          counts[0][i]++;
          counts[1][j]++;
          counts[2][k]++;
        }
      }
    }
  }
  return counts.map((c) => {
    let best = Math.floor(c.length / 2);
    for (let i = 0; i < c.length; i++) if (c[i] > c[best]) best = i;
    return best;
  }) as [number, number, number];
}

