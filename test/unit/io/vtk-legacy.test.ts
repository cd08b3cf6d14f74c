import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError, type InputProblem } from '../../../core/io/errors.ts';
import { readInputBytes } from '../../../core/io/read-bytes.ts';
import { readMesh, writeMesh } from '../../../core/io/meshes/index.ts';
import type { MeshData } from '../../../core/io/meshes/types.ts';
import { vtkLegacyCodec } from '../../../core/io/meshes/vtk-legacy.ts';
import { vtpCodec } from '../../../core/io/meshes/vtp.ts';
import { needsSharedData, sharedPath } from '../../support/data.ts';
import { tempDir } from '../../support/temp-dir.ts';

const FILE = 'mesh.vtk';
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const parse = (bytes: Uint8Array): MeshData => vtkLegacyCodec.parse(bytes, FILE);
const serialize = vtkLegacyCodec.serialize!;

function assertProblem(fn: () => unknown, problem: InputProblem): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InputError, `expected an InputError, got ${String(e)}`);
    assert.equal(e.problem, problem, e.message);
    assert.equal(e.file, FILE);
    return true;
  });
}

type BeType = 'f32' | 'f64' | 'i8' | 'u8' | 'i16' | 'u16' | 'i32' | 'u32' | 'i64';

/**
 * Builds a binary legacy file independently of Monge's writer: text pieces and big-endian value blocks, in order.
 */
function binaryVtk(parts: (string | [BeType, number[]])[]): Uint8Array {
  const size: Record<BeType, number> = { f32: 4, f64: 8, i8: 1, u8: 1, i16: 2, u16: 2, i32: 4, u32: 4, i64: 8 };
  const chunks: Uint8Array[] = [];
  for (const part of parts) {
    if (typeof part === 'string') {
      chunks.push(text(part));
      continue;
    }
    const [t, values] = part;
    const out = new Uint8Array(values.length * size[t]);
    const view = new DataView(out.buffer);
    values.forEach((v, i) => {
      const at = i * size[t];
      if (t === 'f32') view.setFloat32(at, v, false);
      else if (t === 'f64') view.setFloat64(at, v, false);
      else if (t === 'i8') view.setInt8(at, v);
      else if (t === 'u8') view.setUint8(at, v);
      else if (t === 'i16') view.setInt16(at, v, false);
      else if (t === 'u16') view.setUint16(at, v, false);
      else if (t === 'i32') view.setInt32(at, v, false);
      else if (t === 'u32') view.setUint32(at, v, false);
      else view.setBigInt64(at, BigInt(v), false);
    });
    chunks.push(out);
  }
  return Buffer.concat(chunks);
}

test('ASCII POLYDATA: a quad becomes 2 triangles, point data kept, cell data and field data read past', () => {
  const vtk = [
    '# vtk DataFile Version 3.0',
    'made by hand space=ras',
    'ASCII',
    '',
    'DATASET POLYDATA',
    'FIELD FieldData 1',
    'TimeValue 1 1 double',
    '4.5',
    'POINTS 5 float',
    '0 0 0  1 0 0  1 1 0',
    '0 1 0  0.5 0.5 1e0',
    'METADATA',
    'INFORMATION 0',
    '',
    'VERTICES 1 2',
    '1 4',
    'LINES 1 3',
    '2 0 4',
    'POLYGONS 2 9',
    '4 0 1 2 3',
    '3 1 2 4',
    'CELL_DATA 4',
    'SCALARS cellId int 1',
    'LOOKUP_TABLE default',
    '0 1 2 3',
    'POINT_DATA 5',
    'SCALARS temp%20C double',
    'LOOKUP_TABLE default',
    '1.5 -2 3e-3 4 5',
    'SCALARS uv float 2',
    'LOOKUP_TABLE my_table',
    '0 1 2 3 4 5 6 7 8 9',
    'LOOKUP_TABLE my_table 2',
    '0 0 0 1  1 1 1 1',
    'VECTORS disp float',
    '1 2 3 4 5 6 7 8 9 10 11 12 13 14 15',
    'NORMALS Normals float',
    '0 0 1 0 0 1 0 0 1 0 0 1 0 0 1',
    'FIELD FieldData 2',
    'labels 1 5 unsigned_char',
    '1 2 3 4 255',
    'pair 2 5 short',
    '-1 1 -2 2 -3 3 -4 4 -5 5',
    '',
  ].join('\n');
  const mesh = parse(text(vtk));
  assert.equal(mesh.declaredFrame, 'RAS');
  assert.deepEqual(Array.from(mesh.points), [0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 0.5, 0.5, 1]);
  // Fan of the quad 0 1 2 3 from vertex 0, then the triangle; vertices and lines give no triangles.
  assert.deepEqual(Array.from(mesh.triangles!), [0, 1, 2, 0, 2, 3, 1, 2, 4]);
  const byName = new Map(mesh.arrays.map((a) => [a.name, a]));
  assert.deepEqual([...byName.keys()], ['temp C', 'uv', 'disp', 'Normals', 'labels', 'pair']);
  const temp = byName.get('temp C')!;
  assert.ok(temp.values instanceof Float64Array);
  assert.deepEqual(Array.from(temp.values), [1.5, -2, 0.003, 4, 5]);
  assert.equal(byName.get('uv')!.components, 2);
  assert.ok(byName.get('uv')!.values instanceof Float32Array);
  assert.equal(byName.get('disp')!.spatialVector, true);
  assert.deepEqual(Array.from(byName.get('disp')!.values), Array.from({ length: 15 }, (_, i) => i + 1));
  assert.equal(byName.get('Normals')!.spatialVector, true);
  assert.ok(!byName.get('labels')!.spatialVector);
  assert.deepEqual(Array.from(byName.get('labels')!.values), [1, 2, 3, 4, 255]);
  assert.ok(byName.get('pair')!.values instanceof Int16Array);
  assert.equal(byName.get('pair')!.components, 2);
});

test('ASCII UNSTRUCTURED_GRID: triangles, quads, polygons and pixels are kept, 3-D and line cells skipped', () => {
  const vtk = [
    '# vtk DataFile Version 4.2',
    'grid',
    'ASCII',
    'DATASET UNSTRUCTURED_GRID',
    'POINTS 8 double',
    '0 0 0 1 0 0 1 1 0 0 1 0 0 0 1 1 0 1 1 1 1 0 1 1',
    'CELLS 6 28',
    '3 0 1 2', // triangle
    '4 0 1 2 3', // quad
    '5 0 1 2 3 4', // pentagon
    '4 4 5 7 6', // pixel: raster order
    '4 0 1 2 4', // tetra: skipped
    '2 5 6', // line: skipped
    'CELL_TYPES 6',
    '5 9 7 8 10 3',
    'POINT_DATA 8',
    'SCALARS s int',
    'LOOKUP_TABLE default',
    '0 1 2 3 4 5 6 7',
  ].join('\n');
  const mesh = parse(text(vtk));
  assert.equal(mesh.declaredFrame, undefined);
  assert.deepEqual(Array.from(mesh.triangles!), [
    ...[0, 1, 2],
    ...[0, 1, 2, 0, 2, 3],
    ...[0, 1, 2, 0, 2, 3, 0, 3, 4],
    // pixel 4 5 7 6 in raster order is the quad 4 5 6 7 around its boundary: (4,5,6), (4,6,7).
    ...[4, 5, 6, 4, 6, 7],
  ]);
  assert.deepEqual(Array.from(mesh.arrays[0].values), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.ok(mesh.arrays[0].values instanceof Int32Array);

  const tetOnly = vtk.replace('CELL_TYPES 6\n5 9 7 8 10 3', 'CELL_TYPES 6\n10 10 10 10 10 10');
  assertProblem(() => parse(text(tetOnly)), 'unsupported');
  const linesOnly = vtk.replace('CELL_TYPES 6\n5 9 7 8 10 3', 'CELL_TYPES 6\n3 4 4 2 4 3');
  assert.equal(parse(text(linesOnly)).triangles, undefined, 'only line and vertex cells: a point cloud');
  assertProblem(() => parse(text(vtk.replace('CELL_TYPES 6\n5 9 7 8 10 3', 'CELL_TYPES 5\n5 9 7 8 10'))), 'count-mismatch');
});

test('VTK 5.1 OFFSETS/CONNECTIVITY cells, ASCII and binary (vtktypeint64)', () => {
  const ascii = [
    '# vtk DataFile Version 5.1',
    'vtk output',
    'ASCII',
    'DATASET POLYDATA',
    'POINTS 5 float',
    '0 0 0 1 0 0 1 1 0 0 1 0 2 2 0',
    'POLYGONS 3 7',
    'OFFSETS vtktypeint64',
    '0 4 7',
    'CONNECTIVITY vtktypeint64',
    '0 1 2 3 1 4 2',
    '',
  ].join('\n');
  assert.deepEqual(Array.from(parse(text(ascii)).triangles!), [0, 1, 2, 0, 2, 3, 1, 4, 2]);

  const binary = binaryVtk([
    '# vtk DataFile Version 5.1\nvtk output\nBINARY\nDATASET UNSTRUCTURED_GRID\nPOINTS 5 float\n',
    ['f32', [0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 2, 2, 0]],
    '\nCELLS 4 8\nOFFSETS vtktypeint64\n',
    ['i64', [0, 4, 7, 8]],
    '\nCONNECTIVITY vtktypeint64\n',
    ['i64', [0, 1, 2, 3, 1, 4, 2, 4]],
    '\nCELL_TYPES 3\n',
    ['i32', [9, 5, 1]],
    '\n',
  ]);
  const mesh = parse(binary);
  assert.deepEqual(Array.from(mesh.triangles!), [0, 1, 2, 0, 2, 3, 1, 4, 2]);
  assert.deepEqual(Array.from(mesh.points), [0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 2, 2, 0]);

  const badOffsets = ascii.replace('0 4 7\n', '0 4 9\n');
  assertProblem(() => parse(text(badOffsets)), 'count-mismatch');
});

test('BINARY (big-endian) POLYDATA: every legacy data type decodes to its value', () => {
  const pts = [0.1, -2.5, 3, 1e-3, 4, 5.25, -6, 7, 8];
  const bytes = binaryVtk([
    '# vtk DataFile Version 4.2\n3D Slicer output. SPACE=LPS\nBINARY\nDATASET POLYDATA\nPOINTS 3 double\n',
    ['f64', pts],
    '\nPOLYGONS 1 4\n',
    ['i32', [3, 0, 1, 2]],
    '\nPOINT_DATA 3\nSCALARS f float 1\nLOOKUP_TABLE default\n',
    ['f32', [0.5, -1.5, 2.5]],
    '\nVECTORS v double\n',
    ['f64', [1, 2, 3, 4, 5, 6, 7, 8, 9]],
    '\nFIELD FieldData 8\nui 1 3 unsigned_int\n',
    ['u32', [4000000000, 1, 2]],
    '\ni 1 3 int\n',
    ['i32', [-7, 0, 7]],
    '\nus 1 3 unsigned_short\n',
    ['u16', [65535, 0, 1]],
    '\nc 1 3 char\n',
    ['i8', [-128, 0, 127]],
    '\nuc 1 3 unsigned_char\n',
    ['u8', [255, 0, 1]],
    '\nl 1 3 long\n',
    ['i64', [-(2 ** 40), 0, 2 ** 40]],
    '\ni64 1 3 vtktypeint64\n',
    ['i64', [-3, 2 ** 52, 3]],
    '\nid 1 3 vtkIdType\n',
    ['i32', [10, 11, 12]],
    '\n',
  ]);
  const mesh = parse(bytes);
  assert.equal(mesh.declaredFrame, 'LPS');
  assert.deepEqual(Array.from(mesh.points), pts);
  assert.deepEqual(Array.from(mesh.triangles!), [0, 1, 2]);
  const values = Object.fromEntries(mesh.arrays.map((a) => [a.name, Array.from(a.values)]));
  assert.deepEqual(values, {
    f: [0.5, -1.5, 2.5],
    v: [1, 2, 3, 4, 5, 6, 7, 8, 9],
    ui: [4000000000, 1, 2],
    i: [-7, 0, 7],
    us: [65535, 0, 1],
    c: [-128, 0, 127],
    uc: [255, 0, 1],
    l: [-(2 ** 40), 0, 2 ** 40],
    i64: [-3, 2 ** 52, 3],
    id: [10, 11, 12],
  });
  assert.equal(mesh.arrays.find((a) => a.name === 'v')!.spatialVector, true);
});

/**
 * A mesh with points that need double precision, arrays of several types, names needing escapes, and spatial
 * vectors between other arrays (so the writer needs several FIELD blocks to keep the order).
 */
function richMesh(): MeshData {
  return {
    points: Float64Array.from([0.1, 0.2, 0.3, 1.0000000001, 0, 0, 0, 1, 0, 0, 0, 1]),
    triangles: Uint32Array.from([0, 1, 2, 0, 2, 3, 0, 3, 1, 1, 3, 2]),
    arrays: [
      { name: 'displacement mm', components: 3, values: Float32Array.from({ length: 12 }, (_, i) => Math.fround(i / 7)), spatialVector: true },
      { name: 'weight', components: 1, values: Float64Array.from([1 / 3, 2 / 3, 1e-300, -5e300]) },
      { name: 'Normals', components: 3, values: Float64Array.from({ length: 12 }, (_, i) => Math.sin(i)), spatialVector: true },
      { name: 'label%é', components: 1, values: Int32Array.from([-1, 2, -3, 2 ** 31 - 1]) },
      { name: 'rgb', components: 3, values: Uint8Array.from({ length: 12 }, (_, i) => i * 20) },
      { name: 'pair', components: 2, values: Int16Array.from([-32768, 32767, 0, 1, 2, 3, 4, 5]) },
      { name: 'tiny', components: 1, values: Float32Array.from([0.1, 1e-30, 3.4e38, -0]).map(Math.fround) },
    ],
  };
}

function assertSameMesh(back: MeshData, mesh: MeshData): void {
  assert.deepEqual(back.points, mesh.points);
  assert.deepEqual(back.triangles, mesh.triangles);
  assert.deepEqual(
    back.arrays.map((a) => a.name),
    mesh.arrays.map((a) => a.name),
    'the arrays come back in order',
  );
  for (const a of mesh.arrays) {
    const b = back.arrays.find((x) => x.name === a.name);
    assert.ok(b, `array ${a.name} is back`);
    assert.equal(b.components, a.components);
    assert.equal(b.values.constructor, a.values.constructor, `array ${a.name} keeps its type`);
    assert.deepEqual(Array.from(b.values), Array.from(a.values));
    assert.equal(Boolean(b.spatialVector), Boolean(a.spatialVector), `array ${a.name} spatial flag`);
  }
}

test('round trip read → write → read, binary and ASCII, keeps points, triangles, arrays, flags and frame', () => {
  const mesh = richMesh();
  for (const binary of [true, false]) {
    for (const frame of ['LPS', 'RAS'] as const) {
      const bytes = serialize(mesh, { frame, binary });
      const head = new TextDecoder().decode(bytes.subarray(0, 120));
      assert.ok(head.includes(binary ? '\nBINARY\n' : '\nASCII\n'));
      assert.ok(head.includes('POINTS 4 double'), 'points that are not float32 are written as double');
      const back = parse(bytes);
      assert.equal(back.declaredFrame, frame);
      assertSameMesh(back, mesh);
      // Once more through the writer: the file is a fixed point.
      assert.deepEqual(serialize(back, { frame, binary }).length, bytes.length);
    }
  }
  // Float32-exact points are written as float.
  const f32 = { ...mesh, points: Float64Array.from(mesh.points, Math.fround) };
  const bytes = serialize(f32, { frame: 'LPS', binary: true });
  assert.ok(new TextDecoder().decode(bytes.subarray(0, 120)).includes('POINTS 4 float'));
  assert.deepEqual(parse(bytes).points, f32.points);
});

test('convert --frame: TENSORS change frame as F·T·F and stay TENSORS, NORMALS stay NORMALS, COLOR_SCALARS are kept', async (t) => {
  const dir = await tempDir(t, 'vtk-tensors');
  // Two points, each with a full (non-symmetric) tensor so that every entry is checked on its own.
  const tensors = [
    [1, 2, 3, 4, 5, 6, 7, 8, 9],
    [-1.5, 0.25, 2, 3, -4, 0.5, -6, 7.5, 8],
  ];
  const source = join(dir, 'ras.vtk');
  await writeFile(
    source,
    [
      '# vtk DataFile Version 3.0',
      'tensors SPACE=RAS',
      'ASCII',
      'DATASET POLYDATA',
      'POINTS 2 float',
      '1 2 3 4 5 6',
      'POINT_DATA 2',
      'TENSORS T float',
      ...tensors.map((m) => m.join(' ')),
      'NORMALS Normals float',
      '0.6 0 0.8 0 -1 0',
      'COLOR_SCALARS rgb 3',
      '1 0 0.5 0 0.25 1',
      '',
    ].join('\n'),
  );
  // The expected tensors computed as matrices: F·T·F with F = diag(−1, −1, 1), entry (r, c) times F_r·F_c.
  const f = [-1, -1, 1];
  const inLps = tensors.flatMap((m) => m.map((v, i) => v * f[Math.floor(i / 3)] * f[i % 3] + 0));
  assert.deepEqual(inLps.slice(0, 9), [1, 2, -3, 4, 5, -6, -7, -8, 9]);

  const shape = await readMesh(source);
  const lps = shape.arrays.find((a) => a.name === 'T')!;
  assert.equal(lps.spatialTensor, true);
  assert.deepEqual(Array.from(lps.values), inLps, 'read into LPS');

  for (const [frame, expected] of [['LPS', inLps], ['RAS', tensors.flat()]] as const) {
    const out = join(dir, `out-${frame}.vtk`);
    await writeMesh(out, shape, { frame, binary: false });
    const written = new TextDecoder().decode(await readFile(out));
    assert.match(written, /^TENSORS T float$/m, 'still a TENSORS attribute');
    assert.match(written, /^NORMALS Normals float$/m, 'still a NORMALS attribute');
    const back = parse(new Uint8Array(await readFile(out)));
    assert.equal(back.declaredFrame, frame);
    const tensor = back.arrays.find((a) => a.name === 'T')!;
    assert.equal(tensor.spatialTensor, true);
    assert.deepEqual(Array.from(tensor.values), expected, `tensors written in ${frame}`);
    const normals = back.arrays.find((a) => a.name === 'Normals')!;
    const sign = frame === 'RAS' ? 1 : -1;
    // + 0: a negated 0 is −0, the same normal.
    assert.deepEqual(Array.from(normals.values, (v) => v + 0), [0.6 * sign, 0, 0.8, 0, -1 * sign, 0].map((v) => Math.fround(v)));
    // COLOR_SCALARS are bytes, as VTK reads them (255·v + 0.5 truncated): 1 → 255, 0.5 → 128, 0.25 → 64.
    const rgb = back.arrays.find((a) => a.name === 'rgb')!;
    assert.equal(rgb.components, 3);
    assert.deepEqual(Array.from(rgb.values), [255, 0, 128, 0, 64, 255]);
  }

  // VTP names the tensor attribute too, so it keeps changing frame after a trip through .vtp.
  const vtp = join(dir, 'out.vtp');
  await writeMesh(vtp, shape, { frame: 'LPS' });
  const fromVtp = vtpCodec.parse(new Uint8Array(await readFile(vtp)), vtp).arrays.find((a) => a.name === 'T')!;
  assert.equal(fromVtp.spatialTensor, true);
  assert.deepEqual(Array.from((await readMesh(vtp)).arrays.find((a) => a.name === 'T')!.values), inLps);
});

test('TENSORS6 (XX YY ZZ XY YZ XZ) is read as the full spatial tensor, ASCII and BINARY, and changes frame; the array after it stays in place', async (t) => {
  // Two points with symmetric tensors 1 2 3 4 5 6 and 7 8 9 10 11 12, then a scalar per point.
  const ascii = [
    '# vtk DataFile Version 3.0', 'tensors', 'ASCII', 'DATASET POLYDATA', 'POINTS 2 float', '1 2 3 4 5 6', 'POINT_DATA 2',
    'TENSORS6 s6 float', '1 2 3 4 5 6 7 8 9 10 11 12', 'SCALARS after float 1', 'LOOKUP_TABLE default', '10 20', '',
  ].join('\n');
  const binary = binaryVtk([
    '# vtk DataFile Version 3.0\ntensors\nBINARY\nDATASET POLYDATA\nPOINTS 2 float\n',
    ['f32', [1, 2, 3, 4, 5, 6]],
    '\nPOINT_DATA 2\nTENSORS6 s6 float\n',
    ['f32', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]],
    '\nSCALARS after float 1\nLOOKUP_TABLE default\n',
    ['f32', [10, 20]],
    '\n',
  ]);
  // The full tensors, row-major: [[XX, XY, XZ], [XY, YY, YZ], [XZ, YZ, ZZ]].
  const full = [1, 4, 6, 4, 2, 5, 6, 5, 3, 7, 10, 12, 10, 8, 11, 12, 11, 9];
  for (const [what, bytes] of [['ASCII', text(ascii)], ['BINARY', binary]] as const) {
    const mesh = parse(bytes);
    assert.deepEqual(mesh.arrays.map((a) => [a.name, a.components, Boolean(a.spatialTensor)]), [['s6', 9, true], ['after', 1, false]], what);
    assert.deepEqual(Array.from(mesh.arrays[0].values), full, what);
    assert.deepEqual(Array.from(mesh.arrays[1].values), [10, 20], what);
  }
  // In a RAS file the tensor changes frame with the points: F·T·F, F = diag(−1, −1, 1), negates XZ and YZ.
  const dir = await tempDir(t, 'vtk-tensors6');
  const ras = join(dir, 'ras.vtk');
  await writeFile(ras, ascii.replace('\ntensors\n', '\ntensors SPACE=RAS\n'));
  const s6 = (await readMesh(ras)).arrays.find((a) => a.name === 's6')!;
  assert.deepEqual(Array.from(s6.values), [1, 4, -6, 4, 2, -5, -6, -5, 3, 7, 10, -12, 10, 8, -11, -12, -11, 9]);
});

test('COLOR_SCALARS read as the same bytes from an ASCII file (floats 0–1) and a BINARY one (bytes); the array after them stays in place', () => {
  // Two points: RGBA colours (1, 0, 0.5, 1) and (0, 0.25, 0.999, 0.2) in ASCII, the bytes VTK makes of them
  // (vtkDataReader: 255·v + 0.5 truncated) in the binary file: 255 0 128 255 and 0 64 255 51.
  const bytes = [255, 0, 128, 255, 0, 64, 255, 51];
  const ascii = [
    '# vtk DataFile Version 3.0', 'colours', 'ASCII', 'DATASET POLYDATA', 'POINTS 2 float', '1 2 3 4 5 6', 'POINT_DATA 2',
    'COLOR_SCALARS rgba 4', '1 0 0.5 1 0 0.25 0.999 0.2', 'SCALARS after float 1', 'LOOKUP_TABLE default', '10 20', '',
  ].join('\n');
  const binary = binaryVtk([
    '# vtk DataFile Version 3.0\ncolours\nBINARY\nDATASET POLYDATA\nPOINTS 2 float\n',
    ['f32', [1, 2, 3, 4, 5, 6]],
    '\nPOINT_DATA 2\nCOLOR_SCALARS rgba 4\n',
    ['u8', bytes],
    '\nSCALARS after float 1\nLOOKUP_TABLE default\n',
    ['f32', [10, 20]],
    '\n',
  ]);
  for (const [what, file] of [['ASCII', text(ascii)], ['BINARY', binary]] as const) {
    const mesh = parse(file);
    assert.deepEqual(mesh.arrays.map((a) => [a.name, a.components]), [['rgba', 4], ['after', 1]], what);
    assert.ok(mesh.arrays[0].values instanceof Uint8Array, `${what}: colours are bytes`);
    assert.deepEqual(Array.from(mesh.arrays[0].values), bytes, what);
    assert.deepEqual(Array.from(mesh.arrays[1].values), [10, 20], what);
  }
});

/**
 * A binary string array's values as vtkDataWriter::WriteArray lays them out: each value's UTF-8 bytes after a
 * big-endian length whose top two bits say its size (11: 1 byte, 10: 2, 01: 4, 00: 8). The prefixes checked in the
 * test below are the bytes VTK 9.1's vtkPolyDataWriter wrote for strings of these lengths.
 */
function vtkBinaryStrings(values: string[]): number[] {
  const out: number[] = [];
  for (const value of values) {
    const bytes = [...new TextEncoder().encode(value)];
    const n = bytes.length;
    if (n < 2 ** 6) out.push(0xc0 | n);
    else if (n < 2 ** 14) out.push(0x80 | (n >> 8), n & 0xff);
    else out.push(0x40 | (n >>> 24), (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
    out.push(...bytes);
  }
  return out;
}

test('VTK-written string and bit arrays are read past, ASCII: field data, cell data, point data, SCALARS bit, PEDIGREE_IDS string', () => {
  // Laid out as VTK 9.1's vtkPolyDataWriter (file version 4.2) wrote it: one string per line, spaces and other bytes
  // outside '!'…'~' as %XX, an empty string as an empty line, a blank line after each string or bit array; bits as
  // 0/1 tokens, a line break after every 8th value.
  const vtk = [
    '# vtk DataFile Version 4.2',
    'vtk output',
    'ASCII',
    'DATASET POLYDATA',
    'FIELD FieldData 2',
    'note 1 5 string',
    'hello',
    'x'.repeat(70),
    'with%20space',
    '',
    'a%0Ab%20POINTS%201%20float',
    '',
    'TimeValue 1 1 float',
    '4.5 ',
    'POINTS 5 float',
    '0 0 0 1 0 0 1 1 0 ',
    '0 1 0 0.5 0.5 1.25 ',
    'VERTICES 1 2',
    '1 4 ',
    '',
    'POLYGONS 3 12',
    '3 0 1 2 ',
    '3 0 2 3 ',
    '3 1 2 4 ',
    '',
    'CELL_DATA 4',
    'SCALARS cellbit bit',
    'LOOKUP_TABLE default',
    '1 0 1 1 ',
    'FIELD FieldData 2',
    'cellname 1 4 string',
    't0',
    't1',
    't2',
    'v0',
    '',
    'cellid 1 4 int',
    '0 1 2 3 ',
    'POINT_DATA 5',
    'SCALARS flag bit',
    'LOOKUP_TABLE default',
    '1 0 1 1 0 ',
    'PEDIGREE_IDS pid string',
    'p0',
    'p1',
    'p2',
    'p3',
    'p4',
    '',
    'FIELD FieldData 4',
    'label 1 5 string',
    'a',
    'bb',
    'ccc',
    'dddd',
    'eeeee',
    '',
    'mask 2 5 bit',
    '1 0 0 1 1 1 0 0',
    '1 0 ',
    'weight 1 5 float',
    '0.5 1.5 2.5 3.5 4.5 ',
    'disp 3 5 double',
    '0 0.125 0.25 0.375 0.5 0.625 0.75 0.875 1 ',
    '1.125 1.25 1.375 1.5 1.625 1.75 ',
    '',
  ].join('\n');
  const mesh = parse(text(vtk));
  assertNumericPartsOnly(mesh);
});

/** The numeric parts that the string / bit fixtures below hold beside their skipped arrays, read exactly; nothing else. */
function assertNumericPartsOnly(mesh: MeshData): void {
  assert.deepEqual(Array.from(mesh.points), [0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 0.5, 0.5, 1.25]);
  assert.deepEqual(Array.from(mesh.triangles!), [0, 1, 2, 0, 2, 3, 1, 2, 4]);
  assert.deepEqual(mesh.arrays.map((a) => [a.name, a.components]), [['weight', 1], ['disp', 3]], 'no bit, string or cell array');
  assert.ok(mesh.arrays[0].values instanceof Float32Array);
  assert.deepEqual(Array.from(mesh.arrays[0].values), [0.5, 1.5, 2.5, 3.5, 4.5]);
  assert.ok(mesh.arrays[1].values instanceof Float64Array);
  assert.deepEqual(Array.from(mesh.arrays[1].values), Array.from({ length: 15 }, (_, i) => i / 8));
}

test('VTK-written string and bit arrays are read past, BINARY: length-prefixed strings, packed bits, file version 5.1', () => {
  // The length prefixes VTK 9.1 wrote (xxd of its output): 5 → c5, 63 → ff, 64 → 80 40, 70 → 80 46, 300 → 81 2c,
  // 16383 → bf ff, 16384 → 40 00 40 00, 70000 → 40 01 11 70, empty → c0.
  const prefixes: [number, number[]][] = [
    [5, [0xc5]], [63, [0xff]], [64, [0x80, 0x40]], [70, [0x80, 0x46]], [300, [0x81, 0x2c]],
    [16383, [0xbf, 0xff]], [16384, [0x40, 0x00, 0x40, 0x00]], [70000, [0x40, 0x01, 0x11, 0x70]], [0, [0xc0]],
  ];
  for (const [n, prefix] of prefixes) assert.deepEqual(vtkBinaryStrings(['z'.repeat(n)]).slice(0, prefix.length), prefix);

  // Bits are packed most significant first, the last byte padded with zeros: VTK wrote 1 0 1 1 0 as b0 and 17 ones
  // as ff ff 80. For more than one component its writer writes (tuples − 1) / 8 + 1 bytes (one byte for the 2 × 5
  // bits of `mask`: 9c, the last two bits lost; 55 for 3 × 3 bits), its reader expects ceil(tuples · components / 8):
  // both are read (`wide` as the reader expects it, `mask4` as the writer writes it).
  const strings = ['hello', 'x'.repeat(70), 'y'.repeat(300), 'z'.repeat(16384), 'with space\nPOINTS 1 float\n', '', 'é'];
  const bytes = binaryVtk([
    '# vtk DataFile Version 5.1\nvtk output\nBINARY\nDATASET POLYDATA\nFIELD FieldData 3\nnote 1 7 string\n',
    ['u8', vtkBinaryStrings(strings)],
    '\nflags17 1 17 bit\n',
    ['u8', [0xff, 0xff, 0x80]],
    '\nTimeValue 1 1 float\n',
    ['f32', [4.5]],
    '\nPOINTS 5 float\n',
    ['f32', [0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 0.5, 0.5, 1.25]],
    '\nPOLYGONS 4 9\nOFFSETS vtktypeint64\n',
    ['i64', [0, 3, 6, 9]],
    '\nCONNECTIVITY vtktypeint64\n',
    ['i64', [0, 1, 2, 0, 2, 3, 1, 2, 4]],
    '\nCELL_DATA 3\nSCALARS cellbit bit\nLOOKUP_TABLE default\n',
    ['u8', [0xa0]],
    '\nFIELD FieldData 2\ncellname 1 3 string\n',
    ['u8', vtkBinaryStrings(['t0', 't1', 't2'])],
    '\ncellid 1 3 int\n',
    ['i32', [0, 1, 2]],
    '\nPOINT_DATA 5\nSCALARS flag bit\nLOOKUP_TABLE default\n',
    ['u8', [0xb0]],
    '\nPEDIGREE_IDS pid string\n',
    ['u8', vtkBinaryStrings(['p0', 'p1', 'p2', 'p3', 'p4'])],
    '\nFIELD FieldData 6\nlabel 1 5 string\n',
    ['u8', vtkBinaryStrings(['a', 'bb', 'ccc', 'dddd', 'eeeee'])],
    '\nmask 2 5 bit\n',
    ['u8', [0x9c]],
    '\nmask4 4 5 bit\n',
    ['u8', [0x55]], // 1 byte of 20 bits, as vtkDataWriter writes them; its reader would take 3.
    '\nweight 1 5 float\n',
    ['f32', [0.5, 1.5, 2.5, 3.5, 4.5]],
    '\nwide 3 5 bit\n',
    ['u8', [0xb6, 0xda]], // all 15 bits (1 0 1 1 0 …), as vtkDataReader reads them.
    '\ndisp 3 5 double\n',
    ['f64', Array.from({ length: 15 }, (_, i) => i / 8)],
    '\n',
  ]);
  const mesh = parse(bytes);
  assertNumericPartsOnly(mesh);
});

test('cut or impossible string and bit arrays give an InputError; types that are neither stay unsupported', () => {
  const head = '# vtk DataFile Version 4.2\nx\n';
  const after = 'POINTS 1 float\n';
  // ASCII: fewer lines than strings, fewer tokens than bits, a bit token that is not a number.
  assertProblem(() => parse(text(`${head}ASCII\nDATASET POLYDATA\nFIELD f 1\ns 1 3 string\na\nb`)), 'truncated');
  assertProblem(() => parse(text(`${head}ASCII\nDATASET POLYDATA\nFIELD f 1\nb 1 9 bit\n1 0 1`)), 'truncated');
  assertProblem(() => parse(text(`${head}ASCII\nDATASET POLYDATA\nFIELD f 1\nb 1 2 bit\n1 one\n${after}0 0 0\n`)), 'malformed');
  // BINARY: a string longer than the file (1-, 2-, 4- and 8-byte lengths), a cut length, too few bit bytes.
  const binary = (parts: (string | ['u8', number[]])[]): Uint8Array => binaryVtk([`${head}BINARY\nDATASET POLYDATA\n`, ...parts]);
  for (const prefix of [[0xc9], [0x80, 0x46], [0x40, 0x00, 0x40, 0x00], [0, 0, 1, 0, 0, 0, 0, 0]]) {
    assertProblem(() => parse(binary(['FIELD f 1\ns 1 1 string\n', ['u8', [...prefix, 0x61, 0x62]]])), 'truncated');
  }
  assertProblem(() => parse(binary(['FIELD f 1\ns 1 1 string\n', ['u8', [0x80]]])), 'truncated');
  assertProblem(() => parse(binary(['FIELD f 1\ns 1 2 string\n', ['u8', [0xc1, 0x61]]])), 'truncated');
  assertProblem(() => parse(binary(['FIELD f 1\nb 1 17 bit\n', ['u8', [0xff, 0xff]]])), 'truncated');
  // Still not point coordinates or cells, and other non-numeric types are still refused.
  assertProblem(() => parse(text(`${head}ASCII\nDATASET POLYDATA\nPOINTS 1 string\na\nb\nc\n`)), 'unsupported');
  assertProblem(() => parse(text(`${head}ASCII\nDATASET POLYDATA\nFIELD f 1\nv 1 1 variant\n6 1\n${after}0 0 0\n`)), 'unsupported');
});

test('a point cloud round-trips as VERTICES with no triangles', () => {
  const cloud: MeshData = { points: Float64Array.from([1, 2, 3, 4, 5, 6]), arrays: [] };
  for (const binary of [true, false]) {
    const bytes = serialize(cloud, { frame: 'RAS', binary });
    assert.ok(new TextDecoder('latin1').decode(bytes).includes('VERTICES 2 4'));
    const back = parse(bytes);
    assert.equal(back.triangles, undefined);
    assert.deepEqual(back.points, cloud.points);
    assert.deepEqual(back.arrays, []);
  }
});

test('the real lung vessel tree copd1_source.vtk parses (60,000 points, weights and pointfea)', { skip: needsSharedData() }, async () => {
  const bytes = await readInputBytes(sharedPath('lung', 'vessels', 'copd1_source.vtk'));
  const mesh = parse(bytes);
  assert.equal(mesh.points.length, 3 * 60000);
  assert.equal(mesh.triangles, undefined, 'VERTICES only: a point cloud');
  for (const v of mesh.points) assert.ok(Number.isFinite(v));
  // Independent check of the first point: the big-endian floats right after the POINTS line.
  const buf = Buffer.from(bytes);
  const at = buf.indexOf('POINTS 60000 float\n') + 'POINTS 60000 float\n'.length;
  assert.deepEqual(Array.from(mesh.points.subarray(0, 3)), [buf.readFloatBE(at), buf.readFloatBE(at + 4), buf.readFloatBE(at + 8)]);
  // README: coordinates are normalised to roughly unit scale around the cloud's centre.
  for (const v of mesh.points) assert.ok(Math.abs(v) < 10);
  const weights = mesh.arrays.find((a) => a.name === 'weights');
  const pointfea = mesh.arrays.find((a) => a.name === 'pointfea');
  assert.ok(weights && pointfea);
  assert.equal(weights.components, 1);
  assert.equal(weights.values.length, 60000);
  assert.equal(pointfea.values.length, 60000 * pointfea.components);
  for (const v of weights.values) assert.ok(Number.isFinite(v) && v > 0, 'vessel-radius weights are positive');
  for (const v of pointfea.values) assert.ok(Number.isFinite(v));
  const wAt = buf.indexOf('LOOKUP_TABLE default\n') + 'LOOKUP_TABLE default\n'.length;
  assert.equal(weights.values[59999], buf.readFloatBE(wAt + 4 * 59999));
  // And it survives Monge's own writer unchanged.
  const back = parse(serialize(mesh, { frame: 'LPS', binary: true }));
  assert.deepEqual(back.points, mesh.points);
  assert.deepEqual(Array.from(back.arrays.find((a) => a.name === 'weights')!.values), Array.from(weights.values));
});

test('randomly corrupted or cut legacy VTK files give an InputError or a mesh, never another error', () => {
  let seed = 20240611;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const problems = new Set<string>();
  for (const binary of [true, false]) {
    const good = serialize(richMesh(), { frame: 'LPS', binary });
    for (let it = 0; it < 300; it++) {
      let bytes = Uint8Array.from(good);
      if (random() < 0.3) bytes = bytes.subarray(0, Math.floor(random() * bytes.length));
      else for (let k = 0; k < 3; k++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      try {
        parse(bytes);
      } catch (e) {
        assert.ok(e instanceof InputError, `iteration ${it}: ${String(e)}`);
        problems.add(e.problem);
      }
    }
  }
  assert.ok(problems.has('truncated') && problems.has('malformed'), [...problems].join(', '));
});

test('bad legacy VTK input gives an InputError with the right problem', () => {
  const good = serialize(richMesh(), { frame: 'LPS', binary: true });
  assertProblem(() => parse(new Uint8Array(0)), 'empty');
  assertProblem(() => parse(text('# vtk DataFile Versio 4.2\nx\nASCII\nDATASET POLYDATA\n')), 'bad-magic');
  assertProblem(() => parse(text('solid stl\n')), 'bad-magic');
  // Truncated binary blocks, cut at several places.
  for (const cut of [good.length - 5, 200, 150]) assertProblem(() => parse(good.subarray(0, cut)), 'truncated');
  // A huge count in a small file is refused before it is allocated.
  assertProblem(() => parse(text('# vtk DataFile Version 4.2\nx\nBINARY\nDATASET POLYDATA\nPOINTS 2000000000 float\n\0\0\0\0')), 'truncated');
  assertProblem(() => parse(text('# vtk DataFile Version 4.2\nx\nASCII\nDATASET POLYDATA\nPOINTS 2000000000 float\n1 2 3')), 'truncated');

  const ascii = (body: string): Uint8Array => text(`# vtk DataFile Version 4.2\nx\nASCII\nDATASET POLYDATA\n${body}\n`);
  assertProblem(() => parse(ascii('POINTS 3 float\n0 0 0 1 0 nan 0 1 0\nPOLYGONS 1 4\n3 0 1 2')), 'non-finite');
  assertProblem(() => parse(ascii('POINTS 3 float\n0 0 0 1 0 inf 0 1 0')), 'non-finite');
  const nanBinary = binaryVtk(['# vtk DataFile Version 4.2\nx\nBINARY\nDATASET POLYDATA\nPOINTS 1 float\n', ['f32', [0, NaN, 0]], '\n']);
  assertProblem(() => parse(nanBinary), 'non-finite');
  assertProblem(() => parse(ascii('POINTS 3 float\n0 0 0 1 0 0 0 1 0\nPOLYGONS 1 4\n3 0 1 3')), 'index-out-of-range');
  assertProblem(() => parse(ascii('POINTS 3 float\n0 0 0 1 0 0 0 1 0\nPOLYGONS 1 4\n3 0 1 -1')), 'index-out-of-range');
  assertProblem(() => parse(ascii('POINTS 3 float\n0 0 0 1 0 0 0 1 0\nPOLYGONS 1 5\n3 0 1 2 2')), 'count-mismatch');
  assertProblem(() => parse(ascii('POINTS 3 float\n0 0 0 1 0 0 0 1 0\nPOLYGONS 2 4\n5 0 1 2')), 'count-mismatch');
  assertProblem(() => parse(ascii('POINTS 3 float\n0 0 0 1 0 0 0 1 0\nPOLYGONS 2000000000 4\n3 0 1 2')), 'count-mismatch');
  assertProblem(() => parse(ascii('POINTS 3 float\n0 0 0 1 0 0 0 1 0\nPOINT_DATA 4\nSCALARS s float\nLOOKUP_TABLE default\n1 2 3 4')), 'count-mismatch');
  assertProblem(() => parse(ascii('POINTS 3 float\n0 0 0 1 0 0 0 1 0\nPOINT_DATA 3\nFIELD f 1\na 1 2 float\n1 2')), 'count-mismatch');
  assertProblem(() => parse(ascii('POINTS 3 float\n0 0 0 1 0 zero 0 1 0')), 'malformed');
  assertProblem(() => parse(ascii('POINTS 3 float\n0 0 0 1 0 0 0 1 0\nBANANAS 3')), 'malformed');
  assertProblem(() => parse(ascii('POLYGONS 0 0')), 'malformed');
  assertProblem(() => parse(ascii('POINTS 1 bit\n0 0 0')), 'unsupported');
  assertProblem(() => parse(text('# vtk DataFile Version 4.2\nx\nASCII\nDATASET STRUCTURED_POINTS\nDIMENSIONS 2 2 2\n')), 'unsupported');
  assertProblem(() => parse(text('# vtk DataFile Version 4.2\nx\nASCII\nDATASET RECTILINEAR_GRID\n')), 'unsupported');
  assertProblem(() => parse(text('# vtk DataFile Version 4.2\nx\nUTF16\nDATASET POLYDATA\n')), 'malformed');
  assertProblem(() => parse(text('# vtk DataFile Version 4.2\nx\nASCII\n')), 'truncated');
});

test('a 1M-triangle binary VTK parses in well under a few seconds', () => {
  const n = 708; // 2 × 707² = 999,698 triangles
  const points = new Float64Array(3 * n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) points.set([i, j, Math.fround(Math.sin(i / 50) * Math.cos(j / 50))], 3 * (i * n + j));
  }
  const triangles = new Uint32Array(6 * (n - 1) * (n - 1));
  let t = 0;
  for (let i = 0; i < n - 1; i++) {
    for (let j = 0; j < n - 1; j++) {
      const a = i * n + j;
      triangles.set([a, a + 1, a + n, a + 1, a + n + 1, a + n], t);
      t += 6;
    }
  }
  const bytes = serialize({ points, triangles, arrays: [] }, { frame: 'LPS', binary: true });
  const start = performance.now();
  const mesh = parse(bytes);
  const ms = performance.now() - start;
  assert.equal(mesh.triangles!.length / 3, 999698);
  assert.deepEqual(mesh.triangles!.subarray(-6), triangles.subarray(-6));
  assert.deepEqual(mesh.points.subarray(-3), points.subarray(-3));
  assert.ok(ms < 2500, `parsing took ${ms.toFixed(0)} ms`);
});
