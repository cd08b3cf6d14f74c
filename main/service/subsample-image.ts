/**
 * Subsampling a volume by an integer stride (every s-th voxel along each axis), for display surfaces only: the
 * marching and, above all, the decimation cost grows with the voxel count (a 192×192×208 lung mask gives 417k
 * vertices and ~5 s of quadric decimation to reach 3000), while a surface shown at a few thousand vertices looks
 * the same from half the voxels per axis. The geometry stays exact: voxel (i, j, k) of the result is voxel
 * (s·i, s·j, s·k) of the input, so the origin is unchanged and the spacing is multiplied by s.
 */
import type { ImageLps } from '../../core/image/index.ts';
import type { ArrayValues } from '../../core/shape/index.ts';

/** The smallest stride that brings the voxel count to at most `maxVoxels` (1 when it already is). */
export function strideFor(size: readonly number[], maxVoxels: number): number {
  const count = size[0] * size[1] * size[2];
  if (count <= maxVoxels) return 1;
  let s = Math.max(2, Math.ceil(Math.cbrt(count / maxVoxels)));
  while (Math.ceil(size[0] / s) * Math.ceil(size[1] / s) * Math.ceil(size[2] / s) > maxVoxels) s++;
  return s;
}

/** Every `stride`-th voxel of a scalar image (the input when stride is 1). */
export function subsampleImage(image: ImageLps, stride: number): ImageLps {
  if (!Number.isInteger(stride) || stride < 1) throw new RangeError(`stride must be a positive integer (got ${stride})`);
  if (stride === 1) return image;
  if (image.components !== 1) throw new RangeError('only scalar images are subsampled');
  const [nx, ny, nz] = image.size;
  const mx = Math.ceil(nx / stride);
  const my = Math.ceil(ny / stride);
  const mz = Math.ceil(nz / stride);
  const Ctor = image.data.constructor as new (length: number) => ArrayValues;
  const data = new Ctor(mx * my * mz);
  let o = 0;
  for (let k = 0; k < mz; k++) {
    for (let j = 0; j < my; j++) {
      const row = (k * stride * ny + j * stride) * nx;
      for (let i = 0; i < mx; i++) data[o++] = image.data[row + i * stride];
    }
  }
  return {
    size: [mx, my, mz],
    spacingMm: [image.spacingMm[0] * stride, image.spacingMm[1] * stride, image.spacingMm[2] * stride],
    originLps: [...image.originLps],
    directionLps: Float64Array.from(image.directionLps),
    components: 1,
    data,
  };
}
