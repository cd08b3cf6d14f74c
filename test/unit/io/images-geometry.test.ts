import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertPoint } from '../../../core/frames/index.ts';
import {
  indexToLps,
  invert3,
  lpsToContinuousIndex,
  voxelToLpsMatrix,
  worldBoundsLps,
  type ImageLps,
} from '../../../core/image/index.ts';
import { readImage } from '../../../core/io/images/read-image.ts';
import { niftiBytes } from '../../support/nifti-bytes.ts';

type V3 = [number, number, number];

/** Row-major R = Rz(a) · Rx(b): a rotation whose matrix is NOT symmetric (R ≠ Rᵀ), so a transposition shows. */
function rotation(aDeg: number, bDeg: number): number[][] {
  const a = (aDeg * Math.PI) / 180;
  const b = (bDeg * Math.PI) / 180;
  const rz = [
    [Math.cos(a), -Math.sin(a), 0],
    [Math.sin(a), Math.cos(a), 0],
    [0, 0, 1],
  ];
  const rx = [
    [1, 0, 0],
    [0, Math.cos(b), -Math.sin(b)],
    [0, Math.sin(b), Math.cos(b)],
  ];
  return [0, 1, 2].map((i) => [0, 1, 2].map((j) => rz[i][0] * rx[0][j] + rz[i][1] * rx[1][j] + rz[i][2] * rx[2][j]));
}

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `${what}[${i}]: ${actual[i]} vs ${expected[i]} (tol ${tol})`);
  }
}

const R = rotation(30, 40);
const geometry: ImageLps = {
  size: [4, 5, 6],
  spacingMm: [0.8, 1.1, 2.5],
  originLps: [-12, 7.5, 30],
  directionLps: Float64Array.from(R.flat()),
  components: 1,
  data: new Uint8Array(120),
};

test('indexToLps follows p = o + D·diag(s)·ijk with column c of D the direction of axis c', () => {
  close(indexToLps(geometry, [0, 0, 0]), geometry.originLps, 0, 'origin');
  for (let c = 0; c < 3; c++) {
    const ijk: V3 = [0, 0, 0];
    ijk[c] = 1;
    const step = indexToLps(geometry, ijk).map((v, r) => (v - geometry.originLps[r]) / geometry.spacingMm[c]);
    close(step, [R[0][c], R[1][c], R[2][c]], 1e-12, `axis ${c} direction`);
  }
  // A general index, by hand: o + Σ_c ijk_c · s_c · column_c.
  const ijk: V3 = [2.5, -1, 4];
  const expected = [0, 1, 2].map((r) => geometry.originLps[r] + [0, 1, 2].reduce((a, c) => a + R[r][c] * geometry.spacingMm[c] * ijk[c], 0));
  close(indexToLps(geometry, ijk), expected, 1e-12, 'general index');
});

test('lpsToContinuousIndex inverts indexToLps, also for a non-orthonormal direction', () => {
  const skewed: ImageLps = { ...geometry, directionLps: Float64Array.from([1, 0.2, 0, 0.1, 1, 0.3, 0, -0.4, 1]) };
  for (const g of [geometry, skewed]) {
    for (const ijk of [[0, 0, 0], [3, 4, 5], [1.25, -2, 7.5]] as V3[]) {
      close(lpsToContinuousIndex(g, indexToLps(g, ijk)), ijk, 1e-12, 'round trip');
    }
  }
  const m = Float64Array.from([2, 1, 0, 0, 3, 1, 1, 0, 4]);
  const inv = invert3(m);
  const product = [0, 1, 2].flatMap((r) => [0, 1, 2].map((c) => m[3 * r] * inv[c] + m[3 * r + 1] * inv[3 + c] + m[3 * r + 2] * inv[6 + c]));
  close(product, [1, 0, 0, 0, 1, 0, 0, 0, 1], 1e-15, 'M·M⁻¹');
  assert.throws(() => invert3([1, 2, 3, 2, 4, 6, 0, 0, 1]), RangeError);
});

test('voxelToLpsMatrix applied to [i j k 1] equals indexToLps', () => {
  const m = voxelToLpsMatrix(geometry);
  close(m.subarray(12), [0, 0, 0, 1], 0, 'last row');
  const ijk: V3 = [3, 1, 4];
  const p = [0, 1, 2].map((r) => m[4 * r] * ijk[0] + m[4 * r + 1] * ijk[1] + m[4 * r + 2] * ijk[2] + m[4 * r + 3]);
  close(p, indexToLps(geometry, ijk), 1e-12, 'matrix product');
});

test('worldBoundsLps equals the bounds of every voxel centre, enumerated', () => {
  const b = [Infinity, -Infinity, Infinity, -Infinity, Infinity, -Infinity];
  for (let k = 0; k < 6; k++) {
    for (let j = 0; j < 5; j++) {
      for (let i = 0; i < 4; i++) {
        const p = indexToLps(geometry, [i, j, k]);
        for (let a = 0; a < 3; a++) {
          b[2 * a] = Math.min(b[2 * a], p[a]);
          b[2 * a + 1] = Math.max(b[2 * a + 1], p[a]);
        }
      }
    }
  }
  close(worldBoundsLps(geometry), b, 1e-12, 'bounds');
});

test("itk-wasm's direction is row-major, column = index axis: a hand-written NIfTI with a non-symmetric sform", async () => {
  // RAS affine A = R·diag(s) | t, stored in the sform (sform_code 1, qform_code 0) as float32.
  const s = [0.8, 1.1, 2.5];
  const t = [10, -20, 30];
  const srow = [0, 1, 2].map((r) => [R[r][0] * s[0], R[r][1] * s[1], R[r][2] * s[2], t[r]].map(Math.fround)) as [number[], number[], number[]];
  assert.ok(Math.abs(R[0][1] - R[1][0]) > 0.5, 'the test direction must not be symmetric');
  const [nx, ny, nz] = [4, 5, 6];
  const data = new Uint8Array(nx * ny * nz).map((_, n) => (n * 7) % 251);
  const dir = await mkdtemp(join(tmpdir(), 'monge-geom-'));
  try {
    const file = join(dir, 'rotated.nii');
    await writeFile(file, niftiBytes({ dims: [nx, ny, nz], pixdim: s, datatype: 2, bitpix: 8, srow, data }));
    const image = await readImage(file);
    assert.deepEqual(image.size, [nx, ny, nz]);
    // Every voxel centre: LPS from Monge's geometry = the RAS affine of the header, converted by core/frames.
    for (const ijk of [[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1], [3, 4, 5], [2, 1, 3]] as V3[]) {
      const ras = [0, 1, 2].map((r) => srow[r][0] * ijk[0] + srow[r][1] * ijk[1] + srow[r][2] * ijk[2] + srow[r][3]) as V3;
      close(indexToLps(image, ijk), convertPoint(ras, 'RAS', 'LPS'), 1e-4, `voxel ${ijk.join(',')}`);
    }
    // Column c (the LPS direction of index axis c) is the RAS column converted as a vector: D_LPS = F·D_RAS.
    for (let c = 0; c < 3; c++) {
      const column = [image.directionLps[c], image.directionLps[3 + c], image.directionLps[6 + c]];
      close(column, convertPoint([R[0][c], R[1][c], R[2][c]], 'RAS', 'LPS'), 1e-6, `direction column ${c}`);
    }
    close(image.spacingMm, s, 1e-6, 'spacing');
    // Voxel order: i fastest, as stored in the file.
    assert.deepEqual(image.data, data);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
