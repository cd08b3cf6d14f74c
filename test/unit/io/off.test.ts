import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { offReadMeshNode, offWriteMeshNode } from '@itk-wasm/mesh-io';
import { InputError, type InputProblem } from '../../../core/io/errors.ts';
import { offCodec } from '../../../core/io/meshes/off.ts';
import type { MeshData } from '../../../core/io/meshes/types.ts';

const FILE = 'mesh.off';
const parse = (bytes: Uint8Array): MeshData => offCodec.parse(bytes, FILE);
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

function assertProblem(fn: () => unknown, problem: InputProblem): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InputError, `expected an InputError, got ${String(e)}`);
    assert.equal(e.problem, problem, e.message);
    assert.equal(e.file, FILE);
    return true;
  });
}

// Cube [10,12] × [−5,−3] × [0.25,2.25]: quads (some with a face colour), comments and blank lines anywhere.
const CUBE_OFF = `OFF
# a cube for Monge's tests, SPACE=RAS

8 6 12
10 -5 0.25
12 -5 0.25
12 -3 0.25   # a trailing comment
10 -3 0.25
# a comment between vertices
10 -5 2.25
12 -5 2.25
1.2e1 -3.0 225e-2
10 -3 2.25
4 0 3 2 1
4 4 5 6 7 255 0 0
4 0 1 5 4 0.5 0.5 0.5 1

4 2 3 7 6
4 0 4 7 3
4 1 2 6 5
`;

const CUBE_TRIANGLES = [0, 3, 2, 0, 2, 1, 4, 5, 6, 4, 6, 7, 0, 1, 5, 0, 5, 4, 2, 3, 7, 2, 7, 6, 0, 4, 7, 0, 7, 3, 1, 2, 6, 1, 6, 5];

test('OFF cube: comments, blank lines, face colours ignored, quads fanned', () => {
  const mesh = parse(text(CUBE_OFF));
  assert.equal(mesh.points.length / 3, 8);
  assert.deepEqual(Array.from(mesh.points.subarray(18, 24)), [12, -3, 2.25, 10, -3, 2.25]);
  assert.deepEqual(Array.from(mesh.triangles ?? []), CUBE_TRIANGLES);
  assert.equal(mesh.declaredFrame, 'RAS');
  assert.deepEqual(mesh.arrays, []);
});

test('counts on the OFF line, no edge count, CRLF; a face-less OFF is a point cloud', () => {
  const mesh = parse(text('OFF 3 1\r\n0 0 0\r\n1 0 0\r\n0 1 0\r\n3 0 1 2\r\n'));
  assert.deepEqual(Array.from(mesh.triangles ?? []), [0, 1, 2]);
  const cloud = parse(text('OFF\n2 0 0\n1 2 3\n4 5 6\n'));
  assert.equal(cloud.triangles, undefined);
  assert.deepEqual(Array.from(cloud.points), [1, 2, 3, 4, 5, 6]);
});

test('COFF colours become an RGBA array (uchar for integers, float for decimals); NOFF normals become Normals', () => {
  const bytes = text('COFF\n3 1 0\n0 0 0 255 0 0 255\n1 0 0 0 255 0 128\n0 1 0 0 0 255\n3 0 1 2\n');
  const rgba = parse(bytes).arrays[0];
  assert.equal(rgba.name, 'RGBA');
  assert.equal(rgba.components, 4);
  assert.ok(rgba.values instanceof Uint8Array);
  assert.deepEqual(Array.from(rgba.values), [255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 255, 255]);

  const floats = parse(text('COFF\n2 0 0\n0 0 0 1.0 0.5 0.25\n1 0 0 0 0.125 1 0.5\n')).arrays[0];
  assert.ok(floats.values instanceof Float32Array);
  assert.deepEqual(Array.from(floats.values), [1, 0.5, 0.25, 1, 0, 0.125, 1, 0.5]);

  const noff = parse(text('NOFF\n3 1 0\n0 0 0 0 0 1\n1 0 0 0 0 1\n0 1 0 0 0.6 0.8\n3 0 1 2\n'));
  assert.deepEqual(Array.from(noff.points), [0, 0, 0, 1, 0, 0, 0, 1, 0]);
  const normals = noff.arrays[0];
  assert.equal(normals.name, 'Normals');
  assert.equal(normals.spatialVector, true);
  assert.deepEqual(Array.from(normals.values), [0, 0, 1, 0, 0, 1, 0, Math.fround(0.6), Math.fround(0.8)]);

  const cnoff = parse(text('CNOFF\n1 0 0\n1 2 3 0 0 1 10 20 30 40\n'));
  assert.deepEqual(cnoff.arrays.map((a) => a.name), ['Normals', 'RGBA']);
  assert.deepEqual(Array.from(cnoff.arrays[1].values), [10, 20, 30, 40]);
});

for (const frame of ['LPS', 'RAS'] as const) {
  test(`OFF round trip (${frame}): exact doubles, triangles, normals and colours`, () => {
    const points = new Float64Array([0.1, -1 / 3, 1e-300, 1e300, -0, 5, 7, 8, 9, 1.5, 2.5, -3.5]);
    const triangles = new Uint32Array([0, 1, 2, 0, 2, 3, 0, 3, 1, 1, 3, 2]);
    const mesh: MeshData = {
      points,
      triangles,
      arrays: [
        { name: 'Normals', components: 3, values: new Float32Array(12).map((_, i) => Math.fround(Math.sin(i))), spatialVector: true },
        { name: 'RGBA', components: 4, values: new Uint8Array(16).map((_, i) => 15 * i) },
      ],
    };
    const bytes = offCodec.serialize!(mesh, { frame });
    assert.match(new TextDecoder().decode(bytes.subarray(0, 40)), /^CNOFF\n/);
    const back = parse(bytes);
    for (let i = 0; i < points.length; i++) assert.ok(Object.is(back.points[i], points[i]), `value ${i}`);
    assert.deepEqual(back.triangles, triangles);
    assert.deepEqual(back.arrays, mesh.arrays);
    assert.equal(back.declaredFrame, frame);

    const plain = offCodec.serialize!({ points, triangles, arrays: [] }, { frame });
    assert.match(new TextDecoder().decode(plain.subarray(0, 4)), /^OFF\n/);
    assert.deepEqual(parse(plain).triangles, triangles);
  });
}

test('float colours of 1s and 0s survive an OFF round trip as floats; integer 0/1 colours read as 0–1 floats', () => {
  // Pure red, green and blue, opaque: every value is exactly 0 or 1, which "%g" writes as "1" and "0".
  const rgba = Float32Array.from([1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 0.5]);
  const mesh: MeshData = { points: new Float64Array(9).map((_, i) => i), triangles: new Uint32Array([0, 1, 2]), arrays: [{ name: 'RGBA', components: 4, values: rgba }] };
  const bytes = offCodec.serialize!(mesh, { frame: 'LPS' });
  assert.match(new TextDecoder().decode(bytes), /\n0 1 2 1\.0 0\.0 0\.0 1\.0\n/, 'float colours carry a decimal point');
  const back = parse(bytes).arrays[0];
  assert.ok(back.values instanceof Float32Array, `float RGBA came back as ${back.values.constructor.name}`);
  assert.deepEqual(back.values, rgba);

  // Another writer's Geomview floats without decimals: bytes 1 and 0 would be black and nearly transparent.
  const geomview = parse(text('COFF\n2 0 0\n0 0 0 1 0 0 1\n1 0 0 0 0 1\n')).arrays[0];
  assert.ok(geomview.values instanceof Float32Array);
  assert.deepEqual(Array.from(geomview.values), [1, 0, 0, 1, 0, 0, 1, 1], 'alpha defaults to 1.0, not 255');
  // One value above 1 makes them bytes, alpha defaulting to 255.
  const bytesBack = parse(text('COFF\n2 0 0\n0 0 0 1 0 0 1\n1 0 0 0 0 255\n')).arrays[0];
  assert.ok(bytesBack.values instanceof Uint8Array);
  assert.deepEqual(Array.from(bytesBack.values), [1, 0, 0, 1, 0, 0, 255, 255]);
});

test('OFF written by Monge reads in ITK (itk-wasm), and OFF written by ITK reads in Monge', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'monge-off-'));
  try {
    const cube = parse(text(CUBE_OFF));
    const path = join(dir, 'monge.off');
    writeFileSync(path, offCodec.serialize!(cube, { frame: 'LPS' }));
    const { mesh } = await offReadMeshNode(path);
    assert.equal(mesh.numberOfPoints, 8);
    assert.equal(mesh.numberOfCells, 12);
    assert.deepEqual(Array.from(mesh.points as Float32Array), Array.from(cube.points));

    const itkPath = join(dir, 'itk.off');
    await offWriteMeshNode(mesh, itkPath);
    const back = parse(new Uint8Array(readFileSync(itkPath)));
    assert.deepEqual(back.points, cube.points);
    assert.deepEqual(back.triangles, cube.triangles);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad OFF input gives an InputError with the right problem', () => {
  const head = 'OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n';
  assert.equal(parse(text(`${head}3 0 1 2\n`)).triangles?.length, 3, 'the control case parses');
  assertProblem(() => parse(new Uint8Array(0)), 'empty');
  assertProblem(() => parse(text('# only a comment\n')), 'empty');
  assertProblem(() => parse(text('PLY\n3 1 0\n')), 'bad-magic');
  assertProblem(() => parse(text('4OFF\n1 0 0\n1 2 3 4\n')), 'unsupported');
  assertProblem(() => parse(text('OFF BINARY\n')), 'unsupported');
  assertProblem(() => parse(text('OFF\n')), 'truncated');
  assertProblem(() => parse(text('OFF\n3 -1 0\n')), 'malformed');
  assertProblem(() => parse(text(`${head}3 0 1 3\n`)), 'index-out-of-range');
  assertProblem(() => parse(text(`${head}3 0 -1 2\n`)), 'index-out-of-range');
  assertProblem(() => parse(text(`${head}4 0 1 2\n`)), 'malformed');
  assertProblem(() => parse(text(`${head}3 0 1 two\n`)), 'malformed');
  assertProblem(() => parse(text('OFF\n3 1 0\n0 0 0\n1 nan 0\n0 1 0\n3 0 1 2\n')), 'non-finite');
  assertProblem(() => parse(text('OFF\n3 1 0\n0 0 0\n1 0 inf\n0 1 0\n3 0 1 2\n')), 'non-finite');
  assertProblem(() => parse(text('OFF\n3 1 0\n0 0 0\n1 0\n0 1 0\n3 0 1 2\n')), 'malformed');
  assertProblem(() => parse(text('OFF\n4 1 0\n0 0 0\n1 0 0\n0 1 0\n')), 'count-mismatch');
  assertProblem(() => parse(text(`${head}`)), 'count-mismatch');
  assertProblem(() => parse(text(`${head}3 0 1 2\n3 0 1 2\n`)), 'count-mismatch');
  assertProblem(() => parse(text('OFF\n3000000000 1 0\n0 0 0\n')), 'count-mismatch');
  assertProblem(() => parse(text('COFF\n1 0 0\n0 0 0 1 2\n')), 'malformed');
});
