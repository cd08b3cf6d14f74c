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

/** 2×3×4 voxels of 3-vectors: voxel v holds (v + 1, −2v, 0.5v + 3), so every coordinate differs and has a sign. */
const VECTORS: V3[] = Array.from({ length: 24 }, (_, v) => [v + 1, 0 - 2 * v, 0.5 * v + 3]);

/**
 * A vector NRRD of VECTORS (float, or `type` when given) in `space`: the vector axis first with kind `kind`, or last
 * (`last`: the values stored component by component), and an optional `measurement frame:` line.
 */
function vectorNrrd(space: string, axes: V3[], origin: V3, vectors: V3[], o: { kind?: string; last?: boolean; frame?: string; type?: 'short' } = {}): Buffer {
  const vec = (v: number[]) => `(${v.join(',')})`;
  const kind = o.kind ?? 'vector';
  const header = [
    'NRRD0004',
    `type: ${o.type ?? 'float'}`,
    'dimension: 4',
    `space: ${space}`,
    o.last ? 'sizes: 2 3 4 3' : 'sizes: 3 2 3 4',
    o.last ? `space directions: ${axes.map(vec).join(' ')} none` : `space directions: none ${axes.map(vec).join(' ')}`,
    `space origin: ${vec(origin)}`,
    o.last ? `kinds: domain domain domain ${kind}` : `kinds: ${kind} domain domain domain`,
    ...(o.frame ? [`measurement frame: ${o.frame}`] : []),
    'endian: little',
    'encoding: raw',
  ];
  const values = o.last ? [0, 1, 2].flatMap((c) => vectors.map((v) => v[c])) : vectors.flat();
  const data = o.type === 'short' ? Buffer.from(Int16Array.from(values).buffer) : Buffer.from(Float32Array.from(values).buffer);
  return Buffer.concat([Buffer.from(header.join('\n') + '\n\n', 'latin1'), data]);
}

test('a RAS displacement field NRRD reads as the same field as its LPS form: vectors and geometry taken to LPS together', async (t) => {
  const dir = await tempDir(t, 'nrrd-vectors');
  const ras = join(dir, 'ras.nrrd');
  const lps = join(dir, 'lps.nrrd');
  const toRas = (v: V3): V3 => [-v[0], -v[1], v[2]];
  await writeFile(ras, vectorNrrd('right-anterior-superior', AXES.map(toRas), toRas(ORIGIN), VECTORS.map(toRas)));
  await writeFile(lps, vectorNrrd('left-posterior-superior', AXES, ORIGIN, VECTORS));
  const [a, b] = [await readImage(ras), await readImage(lps)];
  assert.equal(a.components, 3);
  close(a.originLps, b.originLps, 'origin');
  close(a.directionLps, b.directionLps, 'direction');
  // Float32 values negated are exact: the two files hold the same LPS vectors, VECTORS themselves.
  assert.deepEqual(Array.from(b.data), VECTORS.flat());
  assert.deepEqual(Array.from(a.data), VECTORS.flat());
});

test('NRRD vector values are converted by the space (RAS, LAS), in either axis order, and by the measurement frame', async (t) => {
  const dir = await tempDir(t, 'nrrd-vectors');
  const read = async (name: string, bytes: Buffer) => {
    await writeFile(join(dir, name), bytes);
    return readImage(join(dir, name));
  };
  // LAS: y negated. The 3-vector, covariant-vector and normal kinds are vectors of space too.
  for (const kind of ['vector', '3-vector', 'covariant-vector', 'normal']) {
    const las = await read(`las-${kind}.nrrd`, vectorNrrd('left-anterior-superior', AXES, ORIGIN, VECTORS, { kind }));
    assert.deepEqual(Array.from(las.data), VECTORS.flatMap(([x, y, z]) => [x, 0 - y, z]), kind);
  }
  // The vector axis last (values stored one component after the other): ITK interleaves them, then x and y negated.
  const last = await read('ras-last.nrrd', vectorNrrd('RAS', AXES, ORIGIN, VECTORS, { last: true }));
  assert.deepEqual(Array.from(last.data), VECTORS.flatMap(([x, y, z]) => [0 - x, 0 - y, z]));
  // A measurement frame whose vectors are the columns of M (teem's nrrd.h): here M takes (a, b, c) to (−b, a, c) in
  // RAS, which is (b, −a, c) in LPS.
  const framed = await read('ras-frame.nrrd', vectorNrrd('right-anterior-superior', AXES, ORIGIN, VECTORS, { frame: '(0,1,0) (-1,0,0) (0,0,1)' }));
  assert.deepEqual(Array.from(framed.data), VECTORS.flatMap(([a, b, c]) => [b, 0 - a, c]));
  // The identity measurement frame that Slicer writes changes nothing; in LPS, nothing is converted.
  const identity = await read('lps-frame.nrrd', vectorNrrd('LPS', AXES, ORIGIN, VECTORS, { frame: '(1,0,0) (0,1,0) (0,0,1)' }));
  assert.deepEqual(Array.from(identity.data), VECTORS.flat());
});

test('NRRD values that are no vector of space (a "list" axis) are kept as stored; integer vectors become float64', async (t) => {
  const dir = await tempDir(t, 'nrrd-vectors');
  const list = join(dir, 'list.nrrd');
  await writeFile(list, vectorNrrd('right-anterior-superior', AXES, ORIGIN, VECTORS, { kind: 'list' }));
  assert.deepEqual(Array.from((await readImage(list)).data), VECTORS.flat());
  // int16 values: −(−32768) does not fit, so converted vectors are stored as float64 (exact for every int16).
  const ints: V3[] = VECTORS.map(([x, y, z]) => [Math.round(x), Math.round(y), Math.round(z)]);
  const short = join(dir, 'short.nrrd');
  await writeFile(short, vectorNrrd('right-anterior-superior', AXES, ORIGIN, ints, { type: 'short' }));
  const image = await readImage(short);
  assert.ok(image.data instanceof Float64Array, image.data.constructor.name);
  assert.deepEqual(Array.from(image.data), ints.flatMap(([x, y, z]) => [0 - x, 0 - y, z]));
});
