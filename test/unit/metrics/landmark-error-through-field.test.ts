/**
 * Landmark error through a displacement field (fixed landmark + T at it, against the moving landmark), on an
 * analytic affine field that trilinear interpolation reproduces exactly: the errors are the offsets planted in the
 * moving landmarks, and a landmark outside the grid is not moved (T = 0, ITK's rule).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageLps } from '../../../core/image/index.ts';
import { landmarkErrorsThroughField } from '../../../core/metrics/index.ts';
import { mulberry32 } from '../../../core/shape/index.ts';

/** T(y) = (M − I) y + t on a 21×17×13 grid at 4 × 5 × 6 mm with a rotated direction: ITK's field of the map y ↦ M y + t. */
function affineField(m: number[][], t: number[]): ImageLps {
  const size: [number, number, number] = [21, 17, 13];
  const spacingMm: [number, number, number] = [4, 5, 6];
  const originLps: [number, number, number] = [-40, -35, -30];
  const c = Math.cos(0.3);
  const s = Math.sin(0.3);
  const directionLps = Float64Array.from([c, -s, 0, s, c, 0, 0, 0, 1]);
  const data = new Float64Array(3 * size[0] * size[1] * size[2]);
  let q = 0;
  for (let k = 0; k < size[2]; k++) {
    for (let j = 0; j < size[1]; j++) {
      for (let i = 0; i < size[0]; i++, q++) {
        const idx = [i * spacingMm[0], j * spacingMm[1], k * spacingMm[2]];
        const y = [0, 1, 2].map((r) => originLps[r] + directionLps[3 * r] * idx[0] + directionLps[3 * r + 1] * idx[1] + directionLps[3 * r + 2] * idx[2]);
        for (let r = 0; r < 3; r++) data[3 * q + r] = m[r][0] * y[0] + m[r][1] * y[1] + m[r][2] * y[2] + t[r] - y[r];
      }
    }
  }
  return { size, spacingMm, originLps, directionLps, components: 3, data };
}

test('fixed landmarks through an affine field land on the moving landmarks up to the planted offsets', () => {
  const m = [
    [1.1, 0.05, 0],
    [-0.02, 0.95, 0.04],
    [0.01, 0, 1.2],
  ];
  const t = [3, -2, 5];
  const field = affineField(m, t);
  const random = mulberry32(7);
  const n = 40;
  const fixed = new Float64Array(3 * n);
  const moving = new Float64Array(3 * n);
  const planted: number[] = [];
  for (let k = 0; k < n; k++) {
    // Inside the grid (its rotated box holds the cube [−20, 20]³ around its centre region).
    const y = [0, 1, 2].map(() => -10 + 20 * random());
    const offset = [0, 1, 2].map(() => -2 + 4 * random());
    planted.push(Math.hypot(offset[0], offset[1], offset[2]));
    for (let r = 0; r < 3; r++) {
      fixed[3 * k + r] = y[r];
      moving[3 * k + r] = m[r][0] * y[0] + m[r][1] * y[1] + m[r][2] * y[2] + t[r] + offset[r];
    }
  }
  const e = landmarkErrorsThroughField(field, fixed, moving);
  for (let k = 0; k < n; k++) assert.ok(Math.abs(e[k] - planted[k]) < 1e-9, `landmark ${k}: ${e[k]} vs ${planted[k]}`);

  // Outside the grid the landmark stays where it is.
  const outside = landmarkErrorsThroughField(field, Float64Array.from([500, 0, 0]), Float64Array.from([503, 4, 0]));
  assert.ok(Math.abs(outside[0] - 5) < 1e-12);
});

test('a scalar image is refused as a field, and mismatched landmark counts are named', () => {
  const field = affineField([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [0, 0, 0]);
  assert.throws(() => landmarkErrorsThroughField({ ...field, components: 1 }, new Float64Array(3), new Float64Array(3)), /3 components/);
  assert.throws(() => landmarkErrorsThroughField(field, new Float64Array(6), new Float64Array(3)), /landmark counts differ: 2 vs 1/);
});
