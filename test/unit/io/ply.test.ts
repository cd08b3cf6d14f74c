import { test } from 'node:test';
import assert from 'node:assert/strict';
import vtkDataArray from '@kitware/vtk.js/Common/Core/DataArray.js';
import vtkPolyData from '@kitware/vtk.js/Common/DataModel/PolyData.js';
import vtkPLYReader from '@kitware/vtk.js/IO/Geometry/PLYReader.js';
import * as vtkPLYWriterModule from '@kitware/vtk.js/IO/Geometry/PLYWriter.js';
import { InputError, type InputProblem } from '../../../core/io/errors.ts';
import { plyCodec } from '../../../core/io/meshes/ply.ts';
import type { MeshData } from '../../../core/io/meshes/types.ts';
import type { PointArray } from '../../../core/shape/index.ts';

const FILE = 'mesh.ply';
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const parse = (bytes: Uint8Array): MeshData => plyCodec.parse(bytes, FILE);

function assertProblem(fn: () => unknown, problem: InputProblem): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InputError, `expected an InputError, got ${String(e)}`);
    assert.equal(e.problem, problem, e.message);
    assert.equal(e.file, FILE);
    return true;
  });
}

type BinaryType = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64';

/** Builds a binary PLY independently of Monge's writer: header lines plus typed values in the given byte order. */
function binaryPly(headerLines: string[], values: [BinaryType, number][], littleEndian: boolean): Uint8Array {
  const header = text(['ply', `format binary_${littleEndian ? 'little' : 'big'}_endian 1.0`, ...headerLines, 'end_header', ''].join('\n'));
  const size: Record<BinaryType, number> = { int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, float32: 4, float64: 8 };
  const body = new Uint8Array(values.reduce((n, [t]) => n + size[t], 0));
  const view = new DataView(body.buffer);
  let pos = 0;
  for (const [t, v] of values) {
    if (t === 'int8') view.setInt8(pos, v);
    else if (t === 'uint8') view.setUint8(pos, v);
    else if (t === 'int16') view.setInt16(pos, v, littleEndian);
    else if (t === 'uint16') view.setUint16(pos, v, littleEndian);
    else if (t === 'int32') view.setInt32(pos, v, littleEndian);
    else if (t === 'uint32') view.setUint32(pos, v, littleEndian);
    else if (t === 'float32') view.setFloat32(pos, v, littleEndian);
    else view.setFloat64(pos, v, littleEndian);
    pos += size[t];
  }
  const out = new Uint8Array(header.length + body.length);
  out.set(header);
  out.set(body, header.length);
  return out;
}

function arrayNamed(mesh: MeshData, name: string): PointArray {
  const a = mesh.arrays.find((x) => x.name === name);
  assert.ok(a, `no array "${name}" among ${mesh.arrays.map((x) => x.name).join(', ')}`);
  return a;
}

// A unit tetrahedron with apex at z = 2.5 and a quad base fanned into two triangles (so 5 vertices, 1 quad + 4 triangles).
const PYRAMID_ASCII = `ply
format ascii 1.0
comment made by hand for Monge's tests
comment SPACE=RAS
obj_info nothing to see
element edge 2
property int vertex1
property int vertex2
property list uchar float weights
element vertex 5
property float x
property float32 y
property double z
property float nx
property float ny
property float nz
property uchar red
property uint8 green
property uchar blue
property uchar alpha
property float confidence
property list uchar int ignored_list
property short radius
element face 5
property list uchar int vertex_indices
property uchar flags
element material 1
property list int float coefficients
property char name
end_header
0 1 2 0.5 0.25
1 2 0
0 0 0  0 0 -1  255 0 0 255  0.5 0  -3
2 0 0  0 0 -1  0 255 0 128  0.75 2 7 8  4
2 2 0  0 0 -1  0 0 255 64  1 1 9  5
0 2 0  0 0 -1  10 20 30 40  0.125 0  6
1 1 2.5  0 0 1  1 2 3 4  -2 0  32767
4 0 3 2 1 7
3 0 1 4 0
3 1 2 4 0
3 2 3 4 1
3 3 0 4 1
3 0.5 1.5 2.5 -1
`;

test('ASCII PLY: elements in any order, unknown elements with lists skipped, quads fanned, vertex properties kept', () => {
  const mesh = parse(text(PYRAMID_ASCII));
  assert.equal(mesh.points.length / 3, 5);
  assert.deepEqual(Array.from(mesh.points.subarray(12, 15)), [1, 1, 2.5]);
  assert.equal(mesh.triangles?.length, 3 * 6, 'a quad (2 triangles) + 4 triangles');
  assert.deepEqual(Array.from(mesh.triangles!.subarray(0, 6)), [0, 3, 2, 0, 2, 1]);
  assert.equal(mesh.declaredFrame, 'RAS');

  const normals = arrayNamed(mesh, 'Normals');
  assert.equal(normals.components, 3);
  assert.equal(normals.spatialVector, true);
  assert.ok(normals.values instanceof Float32Array);
  assert.deepEqual(Array.from(normals.values.subarray(12, 15)), [0, 0, 1]);

  const rgba = arrayNamed(mesh, 'RGBA');
  assert.equal(rgba.components, 4);
  assert.ok(rgba.values instanceof Uint8Array);
  assert.deepEqual(Array.from(rgba.values.subarray(4, 8)), [0, 255, 0, 128]);
  assert.ok(!rgba.spatialVector);

  const confidence = arrayNamed(mesh, 'confidence');
  assert.equal(confidence.components, 1);
  assert.deepEqual(Array.from(confidence.values), [0.5, 0.75, 1, 0.125, -2]);
  const radius = arrayNamed(mesh, 'radius');
  assert.ok(radius.values instanceof Int16Array);
  assert.deepEqual(Array.from(radius.values), [-3, 4, 5, 6, 32767]);
  assert.equal(mesh.arrays.length, 4, 'the vertex list property is not an array');
});

/** The same pyramid as a binary PLY with type aliases, a ushort list count and `vertex_index`. */
function pyramidBinary(littleEndian: boolean): Uint8Array {
  const header = [
    'comment SPACE=LPS',
    'element vertex 5',
    'property float32 x',
    'property float32 y',
    'property float64 z',
    'property uint16 quality',
    'property int8 offset',
    'element edge 1',
    'property list uint8 int32 ends',
    'element face 2',
    'property uint8 flags',
    'property list uint16 uint32 vertex_index',
    'element material 1',
    'property list int32 float64 coefficients',
  ];
  const xyz = [
    [0, 0, 0],
    [2, 0, 0],
    [2, 2, 0],
    [0, 2, 0],
    [1, 1, 2.5],
  ];
  const values: [BinaryType, number][] = [];
  xyz.forEach(([x, y, z], i) => values.push(['float32', x], ['float32', y], ['float64', z], ['uint16', 1000 * i], ['int8', -i]));
  values.push(['uint8', 2], ['int32', 0], ['int32', 4]);
  values.push(['uint8', 9], ['uint16', 4], ['uint32', 0], ['uint32', 3], ['uint32', 2], ['uint32', 1]);
  values.push(['uint8', 9], ['uint16', 5], ['uint32', 0], ['uint32', 1], ['uint32', 2], ['uint32', 3], ['uint32', 4]);
  values.push(['int32', 2], ['float64', 0.5], ['float64', 1.5]);
  return binaryPly(header, values, littleEndian);
}

for (const littleEndian of [true, false]) {
  test(`binary PLY ${littleEndian ? 'little' : 'big'}-endian: aliases, ushort list counts, vertex_index, skipped elements`, () => {
    const mesh = parse(pyramidBinary(littleEndian));
    assert.equal(mesh.points.length / 3, 5);
    assert.deepEqual(Array.from(mesh.points), [0, 0, 0, 2, 0, 0, 2, 2, 0, 0, 2, 0, 1, 1, 2.5]);
    assert.deepEqual(Array.from(mesh.triangles ?? []), [0, 3, 2, 0, 2, 1, 0, 1, 2, 0, 2, 3, 0, 3, 4]);
    assert.equal(mesh.declaredFrame, 'LPS');
    const quality = arrayNamed(mesh, 'quality');
    assert.ok(quality.values instanceof Uint16Array);
    assert.deepEqual(Array.from(quality.values), [0, 1000, 2000, 3000, 4000]);
    const offset = arrayNamed(mesh, 'offset');
    assert.ok(offset.values instanceof Int8Array);
    assert.deepEqual(Array.from(offset.values), [0, -1, -2, -3, -4]);
  });
}

test('a vertex-only PLY is a point cloud', () => {
  const mesh = parse(text('ply\nformat ascii 1.0\nelement vertex 2\nproperty double x\nproperty double y\nproperty double z\nend_header\n1 2 3\n4 5 6\n'));
  assert.equal(mesh.triangles, undefined);
  assert.deepEqual(Array.from(mesh.points), [1, 2, 3, 4, 5, 6]);
  assert.equal(mesh.declaredFrame, undefined);
});

test('CRLF header lines are accepted', () => {
  const mesh = parse(text('ply\r\nformat ascii 1.0\r\nelement vertex 1\r\nproperty float x\r\nproperty float y\r\nproperty float z\r\nend_header\r\n1 2 3\r\n'));
  assert.deepEqual(Array.from(mesh.points), [1, 2, 3]);
});

/** A mesh with every kind of point array the writer must carry. */
function richMesh(points: Float64Array): MeshData {
  const n = points.length / 3;
  const fill = <T extends { length: number; [i: number]: number }>(a: T, f: (i: number) => number): T => {
    for (let i = 0; i < a.length; i++) a[i] = f(i);
    return a;
  };
  return {
    points,
    triangles: new Uint32Array([0, 1, 2, 0, 2, 3, 0, 3, 1, 1, 3, 2]),
    arrays: [
      { name: 'Normals', components: 3, values: fill(new Float32Array(3 * n), (i) => Math.fround(Math.sin(i))), spatialVector: true },
      { name: 'displacement', components: 3, values: fill(new Float64Array(3 * n), (i) => i / 7), spatialVector: true },
      { name: 'direction', components: 3, values: fill(new Float32Array(3 * n), (i) => i - 4) },
      { name: 'RGB', components: 3, values: fill(new Uint8Array(3 * n), (i) => 20 * i) },
      { name: 'tensor', components: 2, values: fill(new Int16Array(2 * n), (i) => -1000 * i) },
      { name: 'confidence', components: 1, values: fill(new Float32Array(n), (i) => Math.fround(1 / (i + 3))) },
      { name: 'label', components: 1, values: fill(new Uint32Array(n), (i) => 4000000000 + i) },
      { name: 'x', components: 1, values: fill(new Int8Array(n), (i) => -i) },
      { name: 'sulcal depth', components: 1, values: fill(new Int32Array(n), (i) => -100000 * i) },
      { name: 'count', components: 1, values: fill(new Uint16Array(n), (i) => 60000 + i) },
    ],
  };
}

const TETRA_FLOAT = new Float64Array([0, 0, 0, 1.5, 0, 0, 0, 2.25, 0, 0, 0, -3.125]);
const TETRA_DOUBLE = new Float64Array([0.1, 0, 0, 1.5, 1e-300, 0, 0, 2.25, 1 / 3, 123456.789, 0, -3.125]);

for (const binary of [true, false]) {
  for (const [label, points] of [
    ['float32-exact points', TETRA_FLOAT],
    ['double points', TETRA_DOUBLE],
  ] as const) {
    test(`PLY round trip (${binary ? 'binary' : 'ascii'}, ${label}): points, triangles, arrays, frame`, () => {
      const mesh = richMesh(points);
      const bytes = plyCodec.serialize!(mesh, { frame: 'RAS', binary });
      const head = new TextDecoder().decode(bytes.subarray(0, 1200));
      assert.match(head, binary ? /format binary_little_endian 1.0/ : /format ascii 1.0/);
      assert.match(head, points === TETRA_FLOAT ? /property float x\n/ : /property double x\n/);
      assert.match(head, /comment SPACE=RAS/);
      assert.match(head, /property float nx\nproperty float ny\nproperty float nz\n/);
      assert.match(head, /property list uchar int vertex_indices/);
      const back = parse(bytes);
      assert.deepEqual(back.points, points, 'points are exact');
      assert.deepEqual(back.triangles, mesh.triangles);
      assert.equal(back.declaredFrame, 'RAS');
      const original = mesh.arrays.map((a) => ({ ...a, name: a.name === 'x' ? 'x_2' : a.name.replace(' ', '_') }));
      assert.deepEqual(
        back.arrays.map((a) => a.name).sort(),
        original.map((a) => a.name).sort(),
      );
      for (const a of original) {
        const b = arrayNamed(back, a.name);
        assert.equal(b.components, a.components, a.name);
        assert.equal(Boolean(b.spatialVector), Boolean(a.spatialVector), `${a.name} spatialVector`);
        assert.equal(b.values.constructor, a.values.constructor, `${a.name} storage type`);
        assert.deepEqual(Array.from(b.values), Array.from(a.values), a.name);
      }
    });
  }
}

test('PLY array names outside ASCII, or with %, come back whole from an ASCII header; a UTF-8 header is read as UTF-8', () => {
  const values = new Float32Array([1, 2, 3, 4]);
  const names = ['scalar ä b', 'Δ 50%', '名前'];
  const bytes = plyCodec.serialize!({ points: TETRA_FLOAT, arrays: names.map((name) => ({ name, components: 1, values })) }, { frame: 'LPS', binary: true });
  const end = Buffer.from(bytes).indexOf('end_header\n') + 'end_header\n'.length;
  const header = bytes.subarray(0, end);
  assert.ok(header.every((b) => b < 0x80), 'the header is ASCII');
  assert.match(Buffer.from(header).toString('latin1'), /property float scalar_%C3%A4_b\nproperty float %CE%94_50%25\nproperty float %E5%90%8D%E5%89%8D\n/);
  assert.deepEqual(parse(bytes).arrays.map((a) => a.name), ['scalar_ä_b', 'Δ_50%', '名前'], 'whitespace is "_", as before; the rest as given');
  // Another tool's (or an older Monge's) raw UTF-8 name.
  const raw = new TextEncoder().encode('ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nproperty float y\nproperty float z\nproperty float grün\nend_header\n0 0 0 7\n');
  assert.deepEqual(parse(raw).arrays.map((a) => a.name), ['grün']);
});

test('PLY round trip of a point cloud writes no face element', () => {
  const bytes = plyCodec.serialize!({ points: TETRA_FLOAT, arrays: [] }, { frame: 'LPS' });
  assert.ok(!new TextDecoder().decode(bytes.subarray(0, 300)).includes('element face'));
  const back = parse(bytes);
  assert.equal(back.triangles, undefined);
  assert.deepEqual(back.points, TETRA_FLOAT);
  assert.equal(back.declaredFrame, 'LPS');
});

/**
 * The part of vtk.js's reader and vtkPolyData this test uses. (vtk.js's .d.ts files import siblings without
 * file extensions, which TypeScript's NodeNext resolution cannot follow, so `getOutputData` is not typed.)
 */
interface VtkPlyReaderLike {
  parseAsArrayBuffer(buffer: ArrayBuffer): void;
  getOutputData(): {
    getPoints(): { getData(): ArrayLike<number> };
    getPolys(): { getData(): ArrayLike<number>; getNumberOfCells(): number };
    getPointData(): { getNormals(): { getData(): ArrayLike<number> } | null };
  };
}

test('a PLY written by Monge reads back with vtk.js vtkPLYReader (binary and ASCII)', () => {
  const mesh = richMesh(TETRA_DOUBLE);
  for (const binary of [true, false]) {
    const bytes = plyCodec.serialize!(mesh, { frame: 'LPS', binary });
    const reader = vtkPLYReader.newInstance() as unknown as VtkPlyReaderLike;
    reader.parseAsArrayBuffer(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    const polyData = reader.getOutputData();
    const vtkPoints = polyData.getPoints().getData();
    assert.equal(vtkPoints.length / 3, 4);
    for (let i = 0; i < vtkPoints.length; i++) assert.equal(vtkPoints[i], Math.fround(TETRA_DOUBLE[i]), 'vtk.js stores points as float32');
    const polys = Array.from(polyData.getPolys().getData());
    assert.equal(polyData.getPolys().getNumberOfCells(), 4);
    assert.deepEqual(polys, [3, 0, 1, 2, 3, 0, 2, 3, 3, 0, 3, 1, 3, 1, 3, 2]);
    const normals = polyData.getPointData().getNormals()?.getData();
    assert.ok(normals, 'vtk.js finds nx, ny, nz');
    assert.deepEqual(Array.from(normals), Array.from(mesh.arrays[0].values));
  }
});

/** The parts of vtk.js's vtkPolyData and PLY writer the next test uses (see VtkPlyReaderLike on typing). */
interface VtkPolyDataForWriting {
  getPoints(): { setData(values: Float32Array, components: number): void };
  getPolys(): { setData(values: Uint32Array): void };
  getPointData(): { setNormals(array: unknown): void; setScalars(array: unknown): void };
}
type WritePly = (
  polyData: VtkPolyDataForWriting,
  format: 'ascii' | 'binary',
  dataByteOrder: number,
  headerComments: string[],
  textureFileName: undefined,
  textureCoordinatesName: string[],
  transform: undefined,
  withNormals: boolean,
  withUVs: boolean,
  withColors: boolean,
  withIndices: boolean,
) => string | ArrayBuffer | Uint8Array;

test('a PLY written by vtk.js (ASCII and binary) reads in Monge: points, triangles, normals, colours, frame', () => {
  const polyData = vtkPolyData.newInstance() as unknown as VtkPolyDataForWriting;
  polyData.getPoints().setData(Float32Array.from(TETRA_FLOAT), 3);
  polyData.getPolys().setData(Uint32Array.from([3, 0, 1, 2, 3, 0, 2, 3, 3, 0, 3, 1, 3, 1, 3, 2]));
  const normals = Float32Array.from([0, 0, 1, 0, 1, 0, 1, 0, 0, 0.6, 0.8, 0]);
  const colours = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]);
  polyData.getPointData().setNormals(vtkDataArray.newInstance({ name: 'Normals', numberOfComponents: 3, values: normals }));
  polyData.getPointData().setScalars(vtkDataArray.newInstance({ name: 'Colors', numberOfComponents: 3, values: colours }));
  const writePly = (vtkPLYWriterModule as unknown as { STATIC: { writePLY: WritePly } }).STATIC.writePLY;
  for (const format of ['ascii', 'binary'] as const) {
    const written = writePly(polyData, format, 0, ['SPACE=RAS'], undefined, ['u', 'v'], undefined, true, false, true, true);
    const bytes = typeof written === 'string' ? text(written) : new Uint8Array(written instanceof ArrayBuffer ? written : written.buffer);
    const mesh = parse(bytes);
    assert.deepEqual(mesh.points, TETRA_FLOAT, format);
    assert.deepEqual(Array.from(mesh.triangles ?? []), [0, 1, 2, 0, 2, 3, 0, 3, 1, 1, 3, 2]);
    assert.equal(mesh.declaredFrame, 'RAS');
    assert.deepEqual(arrayNamed(mesh, 'Normals').values, normals);
    assert.deepEqual(arrayNamed(mesh, 'RGB').values, colours);
  }
});

test('bad PLY input gives an InputError with the right problem', () => {
  const good = pyramidBinary(true);
  assertProblem(() => parse(text('plx\nformat ascii 1.0\nend_header\n')), 'bad-magic');
  assertProblem(() => parse(new Uint8Array(0)), 'empty');
  assertProblem(() => parse(good.subarray(0, good.length - 3)), 'truncated');
  assertProblem(() => parse(good.subarray(0, 120)), 'truncated');
  const padded = new Uint8Array(good.length + 4);
  padded.set(good);
  assertProblem(() => parse(padded), 'count-mismatch');
  assertProblem(() => parse(text('ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nproperty float y\nproperty float z\n')), 'truncated');
  assertProblem(() => parse(text('ply\nformat binary_middle_endian 1.0\nend_header\n')), 'unsupported');
  assertProblem(() => parse(text('ply\nformat ascii 1.0\nelement vertex 1\nproperty quad x\nend_header\n')), 'unsupported');
  assertProblem(() => parse(text('ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nproperty float y\nend_header\n1 2\n')), 'malformed');
  assertProblem(() => parse(text('ply\nelement vertex 1\nproperty float x\nproperty float y\nproperty float z\nend_header\n1 2 3\n')), 'malformed');
  assertProblem(() => parse(text('ply\nformat ascii 1.0\nproperty float x\nend_header\n')), 'malformed');

  const xyz = 'property float x\nproperty float y\nproperty float z\n';
  const faces = 'element face 1\nproperty list uchar int vertex_indices\n';
  const ascii = (body: string, nVertices = 3): Uint8Array =>
    text(`ply\nformat ascii 1.0\nelement vertex ${nVertices}\n${xyz}${faces}end_header\n${body}`);
  assert.equal(parse(ascii('0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n')).triangles?.length, 3, 'the control case parses');
  assertProblem(() => parse(ascii('0 0 0\n1 nan 0\n0 1 0\n3 0 1 2\n')), 'non-finite');
  assertProblem(() => parse(ascii('0 0 0\n1 0 inf\n0 1 0\n3 0 1 2\n')), 'non-finite');
  assertProblem(() => parse(ascii('0 0 0\n1 0 0\n0 1 0\n3 0 1 3\n')), 'index-out-of-range');
  assertProblem(() => parse(ascii('0 0 0\n1 0 0\n0 1 0\n3 0 -1 2\n')), 'index-out-of-range');
  assertProblem(() => parse(ascii('0 0 0\n1 0 0\n0 1 0\n', 3)), 'count-mismatch');
  assertProblem(() => parse(ascii('0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n0 0 0\n')), 'count-mismatch');
  assertProblem(() => parse(ascii('0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n', 4000000000)), 'count-mismatch');
  assertProblem(() => parse(ascii('0 0 0\n1 zero 0\n0 1 0\n3 0 1 2\n')), 'malformed');
  assertProblem(() => parse(ascii('0 0 0\n1 0 0\n0 1 0\n3 0 1.5 2\n')), 'malformed');

  const binaryTriangle = (x1: number, index: number, count = 3): Uint8Array =>
    binaryPly(
      [`element vertex ${count}`, xyz.trim(), faces.trim()].flatMap((l) => l.split('\n')),
      [
        ['float32', 0], ['float32', 0], ['float32', 0],
        ['float32', x1], ['float32', 0], ['float32', 0],
        ['float32', 0], ['float32', 1], ['float32', 0],
        ['uint8', 3], ['int32', 0], ['int32', 1], ['int32', index],
      ],
      true,
    );
  assert.equal(parse(binaryTriangle(1, 2)).points[3], 1, 'the control case parses');
  assertProblem(() => parse(binaryTriangle(NaN, 2)), 'non-finite');
  assertProblem(() => parse(binaryTriangle(Infinity, 2)), 'non-finite');
  assertProblem(() => parse(binaryTriangle(1, 3)), 'index-out-of-range');
  // A corrupt vertex count is refused before anything is allocated for it.
  assertProblem(() => parse(binaryTriangle(1, 2, 2 ** 40)), 'truncated');
});
