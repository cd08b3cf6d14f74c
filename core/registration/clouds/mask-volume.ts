/**
 * Volumes for the pipeline: the foreground voxels of a mask as a weighted cloud (interior points for volumetric
 * OT, each voxel weighing its volume in mm³), and a block-averaged copy of a mask whose 0.5 iso-surface is a
 * smooth, lighter surface than the voxel staircase of the full-resolution mask.
 */
import { indexToLps, indexToLpsLinear, type ImageLps } from '../../image/index.ts';
import type { WeightedCloud } from './cluster-cloud.ts';

/** True where the voxel is foreground: > 0, or equal to `label` when given. */
function selectorOf(label: number | undefined): (v: number) => boolean {
  return label === undefined ? (v) => v > 0 : (v) => v === label;
}

/** Number of foreground voxels. */
export function foregroundCount(image: ImageLps, label?: number): number {
  const inside = selectorOf(label);
  const comps = image.components;
  let n = 0;
  for (let v = 0; v < image.data.length; v += comps) if (inside(image.data[v])) n++;
  return n;
}

/** Volume of one voxel (mm³): |det(D·diag(s))|. */
export function voxelVolumeMm3(image: Pick<ImageLps, 'spacingMm' | 'directionLps'>): number {
  const m = indexToLpsLinear({ size: [1, 1, 1], originLps: [0, 0, 0], ...image });
  return Math.abs(m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]));
}

/**
 * The foreground voxels clustered into cells of `cellMm` (cluster-cloud.ts): mass = foreground volume of the cell
 * (mm³), point = its centroid. Built cell by cell without listing every voxel.
 */
export function maskInteriorCloud(image: ImageLps, cellMm: number, label?: number): WeightedCloud {
  const inside = selectorOf(label);
  const [nx, ny, nz] = image.size;
  const comps = image.components;
  const m = indexToLpsLinear(image);
  const o = image.originLps;
  // Accumulate per cell (cells keyed by integer coordinates from the LPS origin), then sort the cells.
  const cells = new Map<number, number[]>();
  const vv = voxelVolumeMm3(image);
  const key = (a: number, b: number, c: number): number => ((c + 4096) * 8192 + (b + 4096)) * 8192 + (a + 4096);
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        if (!inside(image.data[(i + nx * (j + ny * k)) * comps])) continue;
        const x = o[0] + m[0] * i + m[1] * j + m[2] * k;
        const y = o[1] + m[3] * i + m[4] * j + m[5] * k;
        const z = o[2] + m[6] * i + m[7] * j + m[8] * k;
        const q = key(Math.floor(x / cellMm), Math.floor(y / cellMm), Math.floor(z / cellMm));
        let acc = cells.get(q);
        if (!acc) {
          acc = [0, 0, 0, 0];
          cells.set(q, acc);
        }
        acc[0] += x;
        acc[1] += y;
        acc[2] += z;
        acc[3] += 1;
      }
    }
  }
  const keys = [...cells.keys()].sort((a, b) => a - b);
  const pointsLps = new Float64Array(3 * keys.length);
  const mass = new Float64Array(keys.length);
  keys.forEach((q, c) => {
    const acc = cells.get(q)!;
    pointsLps[3 * c] = acc[0] / acc[3];
    pointsLps[3 * c + 1] = acc[1] / acc[3];
    pointsLps[3 * c + 2] = acc[2] / acc[3];
    mass[c] = acc[3] * vv;
  });
  return { pointsLps, mass };
}

/**
 * The fraction of foreground in blocks of `factor`³ voxels (a float32 image on the coarse grid, voxel centres at
 * the block centres): its 0.5 iso-surface (extractSurface with threshold 0.5) follows the mask boundary with
 * sub-voxel interpolation and factor² fewer vertices.
 */
export function blockAverage(image: ImageLps, factor: number, label?: number): ImageLps {
  if (!Number.isInteger(factor) || factor < 1) throw new RangeError(`block factor must be a positive integer (got ${factor})`);
  const inside = selectorOf(label);
  const [nx, ny, nz] = image.size;
  const size: [number, number, number] = [Math.ceil(nx / factor), Math.ceil(ny / factor), Math.ceil(nz / factor)];
  const out = new Float32Array(size[0] * size[1] * size[2]);
  const comps = image.components;
  for (let k = 0; k < nz; k++) {
    const K = Math.floor(k / factor);
    for (let j = 0; j < ny; j++) {
      const J = Math.floor(j / factor);
      for (let i = 0; i < nx; i++) {
        if (inside(image.data[(i + nx * (j + ny * k)) * comps])) out[Math.floor(i / factor) + size[0] * (J + size[1] * K)] += 1;
      }
    }
  }
  const perBlock = factor ** 3;
  for (let v = 0; v < out.length; v++) out[v] /= perBlock;
  const shift = (factor - 1) / 2;
  return {
    size,
    spacingMm: [image.spacingMm[0] * factor, image.spacingMm[1] * factor, image.spacingMm[2] * factor],
    originLps: indexToLps(image, [shift, shift, shift]),
    directionLps: Float64Array.from(image.directionLps),
    components: 1,
    data: out,
  };
}
