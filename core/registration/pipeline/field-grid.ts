/**
 * The grid the displacement field is exported on (ITK's resampling convention: fixed space), and the inverse field's
 * (moving space) in the same way from the moving input. When the input is an image, its own grid — what Slicer, ANTs
 * and ITK resample onto — or, when a field spacing is asked for, the same box and orientation re-sampled at that
 * spacing; otherwise an axis-aligned box around the shape with a margin, at the field spacing.
 */
import { gridAroundBounds, gridOfImage, gridVoxelCount } from '../../field/grid.ts';
import type { GridLps } from '../../field/types.ts';
import { boundsOf } from '../../shape/index.ts';
import type { PreparedInput } from './inputs.ts';

export type FieldSide = 'fixed' | 'moving';

export interface FieldGrid {
  grid: GridLps;
  source: `${FieldSide} image grid` | `${FieldSide} image box` | `${FieldSide} shape box`;
  /** Set when the image's own grid was too large and a coarser one was chosen (a warning for the report). */
  note?: string;
}

/**
 * The most voxels a displacement field is sampled on. 100 M voxels is a 1.2 GB float32 field: about 6 GB of memory
 * while it is written (itk-wasm copies it) and minutes of inversion. A CT's own grid of 512 × 512 × 380 fits; a
 * finer one is not what a deformation that is smooth over millimetres needs.
 */
export const MAX_FIELD_VOXELS = 100e6;

/** The field spacing asked for gives a grid above MAX_FIELD_VOXELS; the message says which spacing fits. */
export class FieldGridError extends Error {
  override readonly name = 'FieldGridError';
}

/** An image's box (first to last voxel centre) at a new spacing, centred on it, same direction. */
export function regridImageBox(grid: GridLps, spacingMm: number): GridLps {
  const size: [number, number, number] = [0, 1, 2].map((a) => Math.max(1, Math.round(((grid.size[a] - 1) * grid.spacingMm[a]) / spacingMm) + 1)) as [number, number, number];
  // Centred on the image box: rounding the voxel count must not shift the grid towards the origin's corner (at a
  // coarse spacing the few voxels left would all sit at one side of the image).
  const shift = [0, 1, 2].map((a) => ((grid.size[a] - 1) * grid.spacingMm[a] - (size[a] - 1) * spacingMm) / 2);
  const d = grid.directionLps;
  const originLps = [0, 1, 2].map((r) => grid.originLps[r] + d[3 * r] * shift[0] + d[3 * r + 1] * shift[1] + d[3 * r + 2] * shift[2]) as [number, number, number];
  return { size, spacingMm: [spacingMm, spacingMm, spacingMm], originLps, directionLps: Float64Array.from(grid.directionLps) };
}

/**
 * The field grid for a registration (`side` fixed, of the fixed input) or for its inverse field (`side` moving): see
 * the file comment. It is decided before the pipeline runs, so that a grid too large to sample (MAX_FIELD_VOXELS) is
 * reported at once rather than after minutes of work: a field spacing that was asked for is refused (FieldGridError,
 * naming a spacing that fits), and an image whose own grid is that large gets its box at the finest spacing that
 * fits, with a note.
 */
export function fieldGridOf(input: PreparedInput, spacingMm: number | undefined, defaultSpacingMm: number, marginMm: number, side: FieldSide = 'fixed'): FieldGrid {
  const image = input.image;
  const boxAt = boxOf(input, marginMm);
  const source = image ? (`${side} image box` as const) : (`${side} shape box` as const);
  const wanted: FieldGrid = image && spacingMm === undefined ? { grid: gridOfImage(image), source: `${side} image grid` } : { grid: boxAt(spacingMm ?? defaultSpacingMm), source };
  const voxels = gridVoxelCount(wanted.grid);
  if (voxels <= MAX_FIELD_VOXELS) return wanted;
  const fits = spacingThatFits(boxAt, Math.max(...wanted.grid.spacingMm));
  const what = `${wanted.grid.size.join(' × ')} = ${Math.round(voxels / 1e6)} M voxels (${((12 * voxels) / 1e9).toFixed(1)} GB as float32)`;
  if (spacingMm !== undefined) {
    throw new FieldGridError(`a displacement field at ${spacingMm} mm would have ${what}, more than the ${MAX_FIELD_VOXELS / 1e6} M voxels Monge samples; give a field spacing of ${fits} mm or more`);
  }
  return {
    grid: boxAt(fits),
    source,
    note: `the ${side} image's grid has ${what}, more than the ${MAX_FIELD_VOXELS / 1e6} M voxels Monge samples: the ${side === 'fixed' ? 'displacement' : 'inverse'} field is written on its box at ${fits} mm (a field spacing chooses another)`,
  };
}

/** The input image's box, or the shape's box plus the margin, at a given spacing (bounds found once). */
function boxOf(input: PreparedInput, marginMm: number): (spacingMm: number) => GridLps {
  const image = input.image;
  if (image) return (h) => regridImageBox(image, h);
  const bounds = boundsOf(input.shape.pointsLps);
  return (h) => gridAroundBounds(bounds, h, marginMm);
}

/** The finest spacing ≥ `fromMm`, rounded up to two significant digits, whose grid has at most MAX_FIELD_VOXELS. */
function spacingThatFits(gridAt: (spacingMm: number) => GridLps, fromMm: number): number {
  for (let h = fromMm; ; h *= 1.02) {
    const e = 10 ** (Math.floor(Math.log10(h)) - 1);
    const rounded = Number((Math.ceil(h / e) * e).toPrecision(2));
    if (gridVoxelCount(gridAt(rounded)) <= MAX_FIELD_VOXELS) return rounded;
  }
}

/** How report.json describes a field's grid. */
export interface GridReport {
  source: FieldGrid['source'];
  size: [number, number, number];
  spacingMm: [number, number, number];
  originLps: [number, number, number];
  directionLps: number[];
}

export function gridReport(fg: FieldGrid): GridReport {
  const { size, spacingMm, originLps, directionLps } = fg.grid;
  return { source: fg.source, size, spacingMm, originLps, directionLps: Array.from(directionLps) };
}
