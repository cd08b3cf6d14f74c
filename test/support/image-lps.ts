import type { ImageLps } from '../../core/image/index.ts';

/** A one-component image on an axis-aligned LPS grid (identity direction), for tests that need a small geometry. */
export function axisAlignedImage(size: [number, number, number], spacingMm: [number, number, number], originLps: [number, number, number], data: ImageLps['data']): ImageLps {
  return { size, spacingMm, originLps, directionLps: Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), components: 1, data };
}
