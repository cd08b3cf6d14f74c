import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { InputError, type InputProblem } from '../../../core/io/errors.ts';
import { freesurferCodec } from '../../../core/io/meshes/freesurfer.ts';
import { meshCodecFor } from '../../../core/io/meshes/index.ts';
import { readShape, writeShape } from '../../../core/io/index.ts';
import { join } from 'node:path';
import { tempDir } from '../../support/temp-dir.ts';
import type { MeshData } from '../../../core/io/meshes/types.ts';
import { boundsOf } from '../../../core/shape/index.ts';
import { needsSharedData, sharedPath } from '../../support/data.ts';

const FILE = '/virtual/lh.white';

const TETRA_POINTS = [0, 0, 0, 10, 0, 0, 0, 10, 0, 0, 0, 10];
const TETRA_TRIANGLES = [0, 2, 1, 0, 1, 3, 0, 3, 2, 1, 2, 3];

/** Writes bytes independently of the codec (big-endian, as FreeSurfer's fwriteInt/fwriteFloat). */
class BigEndianWriter {
  private parts: number[] = [];
  bytes(values: ArrayLike<number>): this {
    for (let k = 0; k < values.length; k++) this.parts.push(values[k]);
    return this;
  }
  text(s: string): this {
    return this.bytes(new TextEncoder().encode(s));
  }
  int32(...values: number[]): this {
    for (const v of values) this.bytes([(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255]);
    return this;
  }
  int64(v: number): this {
    return this.int32(Math.floor(v / 2 ** 32), v >>> 0);
  }
  uint24(...values: number[]): this {
    for (const v of values) this.bytes([(v >>> 16) & 255, (v >>> 8) & 255, v & 255]);
    return this;
  }
  int16(...values: number[]): this {
    for (const v of values) this.bytes([(v >> 8) & 255, v & 255]);
    return this;
  }
  float32(...values: number[]): this {
    const b = new Uint8Array(4);
    for (const v of values) {
      new DataView(b.buffer).setFloat32(0, v, false);
      this.bytes(b);
    }
    return this;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/** A triangle file: magic, created-by line, counts, vertices, faces. */
function triangleFile(points = TETRA_POINTS, triangles = TETRA_TRIANGLES, header = 'created by test on today\n\n'): BigEndianWriter {
  return new BigEndianWriter()
    .bytes([0xff, 0xff, 0xfe])
    .text(header)
    .int32(points.length / 3, triangles.length / 3)
    .float32(...points)
    .int32(...triangles);
}

function assertInputError(run: () => unknown, problem: InputProblem, file = FILE): void {
  assert.throws(run, (e: unknown) => {
    assert.ok(e instanceof InputError, `expected InputError, got ${String(e)}`);
    assert.equal(e.problem, problem, e.message);
    assert.equal(e.file, file);
    return true;
  });
}

function parse(bytes: Uint8Array): MeshData {
  return freesurferCodec.parse(bytes, FILE);
}

test('FreeSurfer codec declares .surf and RAS', () => {
  assert.deepEqual(freesurferCodec.extensions, ['.surf']);
  assert.equal(freesurferCodec.defaultFrame, 'RAS');
  assert.equal(freesurferCodec.format, 'freesurfer');
});

test('reads a triangle file, with "\\n\\n" or a single "\\n" after the created-by line', () => {
  for (const header of ['created by test on today\n\n', 'created by test\n', '\n\n']) {
    const mesh = parse(triangleFile(TETRA_POINTS, TETRA_TRIANGLES, header).done());
    assert.deepEqual(Array.from(mesh.points), TETRA_POINTS);
    assert.deepEqual(Array.from(mesh.triangles ?? []), TETRA_TRIANGLES);
    assert.equal(mesh.declaredFrame, 'RAS');
    assert.deepEqual(mesh.arrays, []);
  }
});

test('adds c_ras from the volume-geometry footer (tkregister RAS → scanner RAS)', () => {
  const geometry = (cras: string, valid = '1  # volume info valid', key = 'cras  '): string =>
    `valid = ${valid}\nfilename = /subjects/bert/mri/filled.mgz\nvolume = 256 256 256\n` +
    'voxelsize = 1.000000000000000e+00 1.000000000000000e+00 1.000000000000000e+00\n' +
    'xras   = -1.000000000000000e+00 0.000000000000000e+00 0.000000000000000e+00\n' +
    'yras   = 0.000000000000000e+00 0.000000000000000e+00 -1.000000000000000e+00\n' +
    'zras   = 0.000000000000000e+00 1.000000000000000e+00 0.000000000000000e+00\n' +
    `${key} = ${cras}\n`;
  const shifted = TETRA_POINTS.map((v, k) => v + [1.5, -2, 3.25][k % 3]);

  // FreeSurfer's layout: TAG_OLD_USEREALRAS (2) = 0, TAG_OLD_SURF_GEOM (20), then a TAG_CMDLINE (3).
  const withTags = triangleFile().int32(2, 0, 20).text(geometry('1.5 -2 3.25')).int32(3).int64(11).text('mris_make\0\0').done();
  assert.deepEqual(Array.from(parse(withTags).points), shifted);
  // nibabel's layout: only TAG_OLD_SURF_GEOM; and the `c_ras` spelling.
  assert.deepEqual(Array.from(parse(triangleFile().int32(20).text(geometry('1.5 -2 3.25')).done()).points), shifted);
  assert.deepEqual(Array.from(parse(triangleFile().int32(20).text(geometry('1.5 -2 3.25', '1', 'c_ras')).done()).points), shifted);
  // Already scanner RAS (useRealRAS = 1), or invalid geometry: coordinates as stored.
  assert.deepEqual(Array.from(parse(triangleFile().int32(2, 1, 20).text(geometry('1.5 -2 3.25')).done()).points), TETRA_POINTS);
  assert.deepEqual(Array.from(parse(triangleFile().int32(20).text(geometry('1.5 -2 3.25', '0')).done()).points), TETRA_POINTS);
  // An unknown trailing tag is ignored.
  assert.deepEqual(Array.from(parse(triangleFile().int32(99, 1, 2, 3).done()).points), TETRA_POINTS);
  // A cras that is not three numbers is an error, not silently ignored.
  assertInputError(() => parse(triangleFile().int32(20).text(geometry('1.5 abc')).done()), 'malformed');
  assertInputError(() => parse(triangleFile().int32(20).text(geometry('1.5 Infinity 0')).done()), 'non-finite');
});

test('reads quad files, splitting each quad into two triangles as FreeSurfer does', () => {
  const points = [0, 0, 0, 1.5, 0, 0, 1.5, 2.25, 0, 0, 2.25, -3];
  const asInt16 = points.map((v) => Math.round(v * 100));
  // Quad (0 1 2 3): even first vertex → (0 1 3) (2 3 1); quad (1 2 3 0): odd → (1 2 3) (1 3 0).
  const quads = [0, 1, 2, 3, 1, 2, 3, 0];
  const expected = [0, 1, 3, 2, 3, 1, 1, 2, 3, 1, 3, 0];
  const old = new BigEndianWriter().bytes([0xff, 0xff, 0xff]).uint24(4, 2).int16(...asInt16).uint24(...quads).done();
  const mesh = parse(old);
  assert.deepEqual(Array.from(mesh.points), points);
  assert.deepEqual(Array.from(mesh.triangles ?? []), expected);
  const newQuad = new BigEndianWriter().bytes([0xff, 0xff, 0xfd]).uint24(4, 2).float32(...points).uint24(...quads).done();
  assert.deepEqual(Array.from(parse(newQuad).points), points);
  assertInputError(() => parse(new BigEndianWriter().bytes([0xff, 0xff, 0xff]).uint24(4, 1).int16(...asInt16).uint24(0, 1, 2, 4).done()), 'index-out-of-range');
  assertInputError(() => parse(old.subarray(0, old.length - 1)), 'truncated');
});

/**
 * What Monge writes after the faces: useRealRAS = 1 (the coordinates are scanner RAS) and an invalid volume geometry,
 * as FreeSurfer's MRISwrite / writeVolGeom print them (mrisurf_io.cpp, transform.cpp).
 */
const SCANNER_RAS_FOOTER =
  'valid = 0  # volume info invalid\nfilename = \nvolume = 256 256 256\n' +
  'voxelsize = 1.000000000000000e+00 1.000000000000000e+00 1.000000000000000e+00\n' +
  'xras   = -1.000000000000000e+00 0.000000000000000e+00 0.000000000000000e+00\n' +
  'yras   = 0.000000000000000e+00 0.000000000000000e+00 -1.000000000000000e+00\n' +
  'zras   = 0.000000000000000e+00 1.000000000000000e+00 0.000000000000000e+00\n' +
  'cras   = 0.000000000000000e+00 0.000000000000000e+00 0.000000000000000e+00\n';

test('writes the triangle format that it (and FreeSurfer) reads, its coordinates declared scanner RAS', () => {
  const mesh: MeshData = { points: Float64Array.from([0.1, -2.5, 3e-3, 100.25, 0, -7, 1 / 3, 2 / 3, 1, 0, 0, 1]), triangles: Uint32Array.from(TETRA_TRIANGLES), arrays: [] };
  const bytes = freesurferCodec.serialize!(mesh, { frame: 'RAS' });
  const expectedBytes = new BigEndianWriter()
    .bytes([0xff, 0xff, 0xfe])
    .text('created by monge\n\n')
    .int32(4, 4)
    .float32(...mesh.points)
    .int32(...TETRA_TRIANGLES)
    .int32(2, 1, 20)
    .text(SCANNER_RAS_FOOTER)
    .done();
  assert.deepEqual(bytes, expectedBytes);
  const back = parse(bytes);
  assert.deepEqual(Array.from(back.points), Array.from(Float32Array.from(mesh.points)));
  assert.deepEqual(back.triangles, mesh.triangles);
});

test('a surface read with c_ras is written in scanner RAS and says so: read back, it stays where it was', () => {
  const cras = [5.5, -17.25, 30.125];
  const geometry =
    'valid = 1  # volume info valid\nfilename = /subjects/bert/mri/filled.mgz\nvolume = 256 256 256\n' +
    'voxelsize = 1 1 1\nxras   = -1 0 0\nyras   = 0 0 -1\nzras   = 0 1 0\n' +
    `cras   = ${cras.join(' ')}\n`;
  const tkr = parse(triangleFile().int32(2, 0, 20).text(geometry).done());
  const scanner = TETRA_POINTS.map((v, k) => v + cras[k % 3]);
  assert.deepEqual(Array.from(tkr.points), scanner, 'read: tkregister RAS + c_ras');
  const again = parse(freesurferCodec.serialize!(tkr, { frame: 'RAS' }));
  assert.deepEqual(Array.from(again.points), scanner, 'written and read again: not moved by c_ras a second time, nor lost it');
});

test('reads the MNE sample BEM surfaces', { skip: needsSharedData() }, () => {
  // Vertex 0 and bounds decoded independently (Python numpy '>f4').
  const expected: Record<string, { first: number[]; bounds: number[] }> = {
    inner_skull: { first: [0.6141, -7.9009, 102.7247], bounds: [-68.1406, 68.513, -87.1815, 79.5136, -43.5736, 104.7818] },
    outer_skull: { first: [0.7185, -8.4142, 107.7328], bounds: [-71.7599, 72.8596, -96.3655, 85.862, -49.0598, 110.2398] },
    outer_skin: { first: [-1.3635, -0.8711, 115.8456], bounds: [-83.7574, 85.0578, -103.6855, 118.1399, -128.3612, 116.0404] },
  };
  for (const [name, ref] of Object.entries(expected)) {
    const file = sharedPath('brain', 'mne-sample', `${name}.surf`);
    const original = readFileSync(file);
    const mesh = freesurferCodec.parse(original, file);
    assert.equal(mesh.points.length / 3, 2562);
    assert.equal((mesh.triangles ?? []).length / 3, 5120);
    assert.deepEqual(Array.from((mesh.triangles ?? []).slice(-3)), [2477, 11, 2201]);
    Array.from(mesh.points.slice(0, 3)).forEach((v, k) => assert.ok(Math.abs(v - ref.first[k]) < 1e-4, `${name} vertex 0[${k}] = ${v}`));
    boundsOf(mesh.points).forEach((v, k) => assert.ok(Math.abs(v - ref.bounds[k]) < 1e-4, `${name} bound ${k} = ${v}`));
    // Writing it back reproduces the original bytes after the header ("\n\n" there, "created by monge\n\n" here), up to
    // the footer that Monge adds (these files have none: their coordinates are used as stored, as the footer says).
    const written = freesurferCodec.serialize!(mesh, { frame: 'RAS' });
    const body = written.subarray(3 + 'created by monge\n\n'.length);
    assert.deepEqual(body.subarray(0, original.length - 5), new Uint8Array(original.subarray(5)));
    assert.equal(Buffer.from(body.subarray(original.length - 5 + 12)).toString('latin1'), SCANNER_RAS_FOOTER);
  }
});

test('rejects malformed FreeSurfer surfaces with the right problem', () => {
  const good = triangleFile().done();
  assertInputError(() => parse(new Uint8Array(0)), 'empty');
  assertInputError(() => parse(good.subarray(0, 2)), 'truncated');
  assertInputError(() => parse(good.subarray(0, 10)), 'truncated');
  assertInputError(() => parse(good.subarray(0, good.length - 1)), 'truncated');
  assertInputError(() => parse(new TextEncoder().encode('solid cube\nfacet normal 0 0 1\n')), 'bad-magic');
  assertInputError(() => parse(Uint8Array.from([0xff, 0xff, 0xfe, 0x41, 0x42])), 'truncated');
  assertInputError(() => parse(triangleFile([0, 0, 0, NaN, 0, 0, 0, 1, 0, 0, 0, 1]).done()), 'non-finite');
  assertInputError(() => parse(triangleFile(TETRA_POINTS, [0, 2, 1, 0, 1, 4, 0, 3, 2, 1, 2, 3]).done()), 'index-out-of-range');
  assertInputError(() => parse(triangleFile(TETRA_POINTS, [0, 2, 1, 0, 1, -1, 0, 3, 2, 1, 2, 3]).done()), 'index-out-of-range');
  // A corrupt count claiming a billion vertices is refused before allocating.
  const huge = new BigEndianWriter().bytes([0xff, 0xff, 0xfe]).text('x\n\n').int32(1e9, 1).done();
  assertInputError(() => parse(huge), 'truncated');
  assertInputError(() => parse(new BigEndianWriter().bytes([0xff, 0xff, 0xfe]).text('x\n\n').int32(-5, 1).done()), 'malformed');
});

test('file names: FreeSurfer names without a format extension are FreeSurfer surfaces; a format extension decides over lh./rh. names', { skip: needsSharedData() }, async (t) => {
  const formatOf = (name: string) => meshCodecFor(`/data/subj/surf/${name}`)?.format;
  for (const name of ['lh.white', 'rh.pial', 'lh.sphere.reg', 'lh.white.preaparc', 'lh.pial.T1', 'brain.surf']) assert.equal(formatOf(name), 'freesurfer', name);
  // mris_convert lh.pial lh.pial.gii is FreeSurfer's own way to hand a surface to other tools.
  assert.equal(formatOf('lh.pial.gii'), 'gifti');
  assert.equal(formatOf('lh.pial.gii.gz'), 'gifti');
  assert.equal(formatOf('rh.white.vtk'), 'vtk');
  assert.equal(formatOf('lh.inflated.stl'), 'stl');
  assert.equal(formatOf('lh.pial.ply'), 'ply');
  // And written so: a GIfTI named lh.pial.gii reads back as the same mesh.
  const dir = await tempDir(t, 'fs-names');
  const pial = await readShape(sharedPath('brain', 'fsaverage5', 'pial_left.gii.gz'));
  await writeShape(join(dir, 'lh.pial.gii'), pial);
  assert.match(readFileSync(join(dir, 'lh.pial.gii'), 'utf8').slice(0, 40), /^<\?xml/);
  const back = await readShape(join(dir, 'lh.pial.gii'));
  assert.equal(back.pointsLps.length, pial.pointsLps.length);
});

test('a FreeSurfer surface\'s name gives its anatomy, as mris_convert writes it into GIfTI', () => {
  const bytes = triangleFile().done();
  assert.deepEqual(freesurferCodec.parse(bytes, '/subjects/bert/surf/lh.white').anatomy, { structurePrimary: 'CortexLeft', structureSecondary: 'GrayWhite', geometricType: 'Anatomical' });
  assert.deepEqual(freesurferCodec.parse(bytes, 'rh.pial.surf').anatomy, { structurePrimary: 'CortexRight', structureSecondary: 'Pial', geometricType: 'Anatomical' });
  assert.deepEqual(freesurferCodec.parse(bytes, 'lh.inflated').anatomy, { structurePrimary: 'CortexLeft', geometricType: 'Inflated' });
  assert.deepEqual(freesurferCodec.parse(bytes, 'rh.sphere.reg').anatomy, { structurePrimary: 'CortexRight', geometricType: 'Spherical' });
  assert.equal(freesurferCodec.parse(bytes, 'inner_skull.surf').anatomy, undefined);
});
