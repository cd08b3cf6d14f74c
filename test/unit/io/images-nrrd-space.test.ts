import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readImage } from '../../../core/io/images/read-image.ts';
import { tempDir } from '../../support/temp-dir.ts';

type V3 = [number, number, number];

/** Three axis vectors (mm per voxel step) that are neither axis-aligned nor symmetric, and an origin. */
const AXES: V3[] = [
  [0.7, 0.3, -0.2],
  [-0.4, 1.1, 0.5],
  [0.6, -0.3, 1.9],
];
const ORIGIN: V3 = [-33, -12, 7];

/** A NRRD of 2×3×4 uchar voxels whose `space directions` and `space origin` are `axes` and `origin` in `space`. */
function nrrd(space: string, axes: V3[], origin: V3, time = false): Buffer {
  const vec = (v: number[]) => `(${v.join(',')})`;
  const header = [
    'NRRD0004',
    'type: uchar',
    `dimension: ${time ? 4 : 3}`,
    `space: ${space}`,
    `sizes: 2 3 4${time ? ' 1' : ''}`,
    `space directions: ${axes.map((a) => vec(time ? [...a, 0] : a)).join(' ')}${time ? ' (0,0,0,1)' : ''}`,
    `space origin: ${vec(time ? [...origin, 0] : origin)}`,
    `kinds: domain domain domain${time ? ' domain' : ''}`,
    'endian: little',
    'encoding: raw',
  ];
  return Buffer.concat([Buffer.from(header.join('\n') + '\n\n', 'latin1'), Buffer.from(Array.from({ length: 24 }, (_, i) => i))]);
}

/**
 * The LPS geometry of a header's numbers, computed here without ITK: each coordinate times the sign that takes the
 * space to LPS (RAS: −x, −y; LAS: −y), spacing the length of each axis vector, direction the unit vector (column c
 * of the row-major matrix).
 */
function expectedLps(signs: V3, axes: V3[], origin: V3): { origin: number[]; spacing: number[]; direction: number[] } {
  const spacing = axes.map((a) => Math.hypot(...a));
  const direction = new Array<number>(9);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) direction[3 * r + c] = (signs[r] * axes[c][r]) / spacing[c];
  return { origin: origin.map((v, r) => signs[r] * v), spacing, direction };
}

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= 1e-9, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

for (const [space, signs, time] of [
  ['left-anterior-superior', [1, -1, 1], false],
  ['LAS', [1, -1, 1], false],
  ['right-anterior-superior', [-1, -1, 1], false],
  ['left-posterior-superior', [1, 1, 1], false],
  // One time point: read as a 3-D image, where ITK converted nothing.
  ['right-anterior-superior-time', [-1, -1, 1], true],
  ['left-anterior-superior-time', [1, -1, 1], true],
] as const) {
  test(`a NRRD in space '${space}' is placed at the header's position taken to LPS`, async (t) => {
    const dir = await tempDir(t, 'nrrd-space');
    const file = join(dir, 'image.nrrd');
    await writeFile(file, nrrd(space, AXES, ORIGIN, time));
    const image = await readImage(file);
    const want = expectedLps(signs as unknown as V3, AXES, ORIGIN);
    close(image.originLps, want.origin, 'origin');
    close(image.spacingMm, want.spacing, 'spacing');
    close(image.directionLps, want.direction, 'direction');
    assert.deepEqual(image.warnings, []);
  });
}

test('the same object written as an LAS and as an LPS NRRD is read with identical geometry and voxels', async (t) => {
  const dir = await tempDir(t, 'nrrd-space');
  const las = join(dir, 'las.nrrd');
  const lps = join(dir, 'lps.nrrd');
  const toLas = (v: V3): V3 => [v[0], -v[1], v[2]];
  await writeFile(las, nrrd('left-anterior-superior', AXES.map(toLas), toLas(ORIGIN)));
  await writeFile(lps, nrrd('left-posterior-superior', AXES, ORIGIN));
  const [a, b] = [await readImage(las), await readImage(lps)];
  close(a.originLps, b.originLps, 'origin');
  close(a.spacingMm, b.spacingMm, 'spacing');
  close(a.directionLps, b.directionLps, 'direction');
  assert.deepEqual(b.originLps, ORIGIN);
  assert.deepEqual(Array.from(a.data), Array.from(b.data));
});

test('a NRRD in a space without patient orientation (scanner-xyz, 3D-…-handed) is taken as LPS, with a warning', async (t) => {
  const dir = await tempDir(t, 'nrrd-space');
  for (const space of ['scanner-xyz', '3D-right-handed', '3D-left-handed']) {
    const file = join(dir, `${space}.nrrd`);
    await writeFile(file, nrrd(space, AXES, ORIGIN));
    const image = await readImage(file);
    const want = expectedLps([1, 1, 1], AXES, ORIGIN);
    close(image.originLps, want.origin, `${space} origin`);
    close(image.directionLps, want.direction, `${space} direction`);
    assert.equal(image.warnings.length, 1, space);
    assert.match(image.warnings[0], new RegExp(`^${file}: the NRRD space '${space}' names no patient orientation.*taken as LPS`));
  }
});
