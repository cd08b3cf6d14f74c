import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import { InputError, type InputProblem } from '../../../core/io/errors.ts';
import { giftiCodec } from '../../../core/io/meshes/gifti.ts';
import type { MeshData } from '../../../core/io/meshes/types.ts';
import { boundsOf } from '../../../core/shape/index.ts';
import { needsSharedData, sharedPath } from '../../support/data.ts';

const FILE = '/virtual/test.gii';

/** Parses a GIfTI given as text. */
function parseText(xml: string, file = FILE): MeshData {
  return giftiCodec.parse(new TextEncoder().encode(xml), file);
}

/** A GIfTI document around the given DataArray elements. */
function gifti(...arrays: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE GIFTI SYSTEM "http://www.nitrc.org/frs/download.php/115/gifti.dtd">
<GIFTI Version="1.0" NumberOfDataArrays="${arrays.length}">
  <MetaData/>
  <LabelTable/>
${arrays.join('\n')}
</GIFTI>`;
}

interface ArraySpec {
  intent: string;
  type?: string;
  dims: number[];
  encoding?: string;
  order?: string;
  endian?: string;
  data: string;
  name?: string;
  external?: [string, number];
}

function dataArray(s: ArraySpec): string {
  const dims = s.dims.map((d, k) => `Dim${k}="${d}"`).join(' ');
  const meta = s.name ? `<MetaData><MD><Name><![CDATA[Name]]></Name><Value><![CDATA[${s.name}]]></Value></MD></MetaData>` : '<MetaData/>';
  return `  <DataArray Intent="${s.intent}" DataType="${s.type ?? 'NIFTI_TYPE_FLOAT32'}" ArrayIndexingOrder="${s.order ?? 'RowMajorOrder'}"
     Dimensionality="${s.dims.length}" ${dims} Encoding="${s.encoding ?? 'ASCII'}" Endian="${s.endian ?? 'LittleEndian'}"
     ExternalFileName="${s.external?.[0] ?? ''}" ExternalFileOffset="${s.external?.[1] ?? ''}">
    ${meta}
    <Data>${s.data}</Data>
  </DataArray>`;
}

/** A unit tetrahedron: 4 vertices, 4 outward triangles. */
const TETRA_POINTS = [0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1];
const TETRA_TRIANGLES = [0, 2, 1, 0, 1, 3, 0, 3, 2, 1, 2, 3];

const asciiPoints = (data = TETRA_POINTS.join(' ')): string => dataArray({ intent: 'NIFTI_INTENT_POINTSET', dims: [4, 3], data });
const asciiTriangles = (data = TETRA_TRIANGLES.join(' ')): string =>
  dataArray({ intent: 'NIFTI_INTENT_TRIANGLE', type: 'NIFTI_TYPE_INT32', dims: [4, 3], data });

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

function littleEndian(values: Float32Array | Int32Array): Uint8Array {
  return new Uint8Array(values.buffer.slice(0));
}

function bigEndianFloat32(values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((v, k) => view.setFloat32(4 * k, v, false));
  return out;
}

function bigEndianInt32(values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((v, k) => view.setInt32(4 * k, v, false));
  return out;
}

function assertTetra(mesh: MeshData): void {
  assert.deepEqual(Array.from(mesh.points), TETRA_POINTS);
  assert.deepEqual(Array.from(mesh.triangles ?? []), TETRA_TRIANGLES);
  assert.equal(mesh.declaredFrame, 'RAS');
}

/** Asserts that `run` throws an InputError with this problem, naming `file`. */
function assertInputError(run: () => unknown, problem: InputProblem, file = FILE, message?: RegExp): void {
  assert.throws(run, (e: unknown) => {
    assert.ok(e instanceof InputError, `expected InputError, got ${String(e)}`);
    assert.equal(e.problem, problem, e.message);
    assert.equal(e.file, file);
    if (message) assert.match(e.message, message);
    return true;
  });
}

test('GIfTI codec declares its extensions and RAS', () => {
  assert.deepEqual(giftiCodec.extensions, ['.gii.gz', '.gii']);
  assert.equal(giftiCodec.defaultFrame, 'RAS');
  assert.equal(giftiCodec.format, 'gifti');
});

test('reads ASCII-encoded GIfTI', () => {
  assertTetra(parseText(gifti(asciiPoints(), asciiTriangles())));
});

test('reads Base64Binary and GZipBase64Binary (zlib and gzip) data', () => {
  const pointBytes = littleEndian(Float32Array.from(TETRA_POINTS));
  const triangleBytes = littleEndian(Int32Array.from(TETRA_TRIANGLES));
  const variants: [string, (b: Uint8Array) => Uint8Array][] = [
    ['Base64Binary', (b) => b],
    ['GZipBase64Binary', (b) => deflateSync(b)],
    ['GZipBase64Binary', (b) => gzipSync(b)],
  ];
  for (const [encoding, pack] of variants) {
    // Line-wrapped base64, as some writers produce.
    const wrap = (b: Uint8Array): string => base64(pack(b)).replace(/(.{16})/g, '$1\n      ');
    const xml = gifti(
      dataArray({ intent: 'NIFTI_INTENT_POINTSET', dims: [4, 3], encoding, data: wrap(pointBytes) }),
      dataArray({ intent: 'NIFTI_INTENT_TRIANGLE', type: 'NIFTI_TYPE_INT32', dims: [4, 3], encoding, data: wrap(triangleBytes) }),
    );
    assertTetra(parseText(xml));
  }
});

test('reads BigEndian binary data', () => {
  const xml = gifti(
    dataArray({ intent: 'NIFTI_INTENT_POINTSET', dims: [4, 3], encoding: 'Base64Binary', endian: 'BigEndian', data: base64(bigEndianFloat32(TETRA_POINTS)) }),
    dataArray({
      intent: 'NIFTI_INTENT_TRIANGLE',
      type: 'NIFTI_TYPE_INT32',
      dims: [4, 3],
      encoding: 'GZipBase64Binary',
      endian: 'BigEndian',
      data: base64(deflateSync(bigEndianInt32(TETRA_TRIANGLES))),
    }),
  );
  assertTetra(parseText(xml));
});

test('transposes ColumnMajorOrder arrays', () => {
  // Column-major: all x, then all y, then all z.
  const columns = [0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
  const triangleColumns = [0, 0, 0, 1, 2, 1, 3, 2, 1, 3, 2, 3];
  const xml = gifti(
    dataArray({ intent: 'NIFTI_INTENT_POINTSET', dims: [4, 3], order: 'ColumnMajorOrder', data: columns.join(' ') }),
    dataArray({ intent: 'NIFTI_INTENT_TRIANGLE', type: 'NIFTI_TYPE_INT32', dims: [4, 3], order: 'ColumnMajorOrder', data: triangleColumns.join(' ') }),
    dataArray({ intent: 'NIFTI_INTENT_NONE', dims: [4, 2], order: 'ColumnMajorOrder', data: '1 2 3 4 10 20 30 40', name: 'pair' }),
  );
  const mesh = parseText(xml);
  assertTetra(mesh);
  assert.deepEqual(Array.from(mesh.arrays[0].values), [1, 10, 2, 20, 3, 30, 4, 40]);
  assert.equal(mesh.arrays[0].components, 2);
});

test('reads ExternalFileBinary data relative to the .gii folder, from the given offset', () => {
  const dir = mkdtempSync(join(tmpdir(), 'monge-gifti-'));
  try {
    const junk = new Uint8Array(16).fill(0xab);
    const points = littleEndian(Float32Array.from(TETRA_POINTS));
    writeFileSync(join(dir, 'surf.dat'), Buffer.concat([junk, points]));
    const file = join(dir, 'surf.gii');
    const xml = gifti(
      dataArray({ intent: 'NIFTI_INTENT_POINTSET', dims: [4, 3], encoding: 'ExternalFileBinary', external: ['surf.dat', 16], data: '' }),
      asciiTriangles(),
    );
    assertTetra(parseText(xml, file));

    const missing = gifti(
      dataArray({ intent: 'NIFTI_INTENT_POINTSET', dims: [4, 3], encoding: 'ExternalFileBinary', external: ['absent.dat', 0], data: '' }),
    );
    assertInputError(() => parseText(missing, file), 'not-found', file, /absent\.dat/);

    const tooShort = gifti(
      dataArray({ intent: 'NIFTI_INTENT_POINTSET', dims: [4, 3], encoding: 'ExternalFileBinary', external: ['surf.dat', 20], data: '' }),
    );
    assertInputError(() => parseText(tooShort, file), 'truncated', file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('keeps per-vertex arrays, named from MetaData or by intent and index; skips per-face arrays', () => {
  const xml = gifti(
    asciiPoints(),
    asciiTriangles(),
    dataArray({ intent: 'NIFTI_INTENT_SHAPE', dims: [4], data: '0.5 -1 2 3.25', name: 'sulc' }),
    dataArray({ intent: 'NIFTI_INTENT_LABEL', type: 'NIFTI_TYPE_INT32', dims: [4], data: '7 7 8 9' }),
    dataArray({ intent: 'NIFTI_INTENT_VECTOR', dims: [4, 3], data: '1 0 0 0 1 0 0 0 1 1 1 1', name: 'disp' }),
    dataArray({ intent: 'NIFTI_INTENT_NONE', type: 'NIFTI_TYPE_UINT8', dims: [4], data: '0 255 3 4', name: 'mask' }),
    dataArray({ intent: 'NIFTI_INTENT_SHAPE', dims: [3], data: '1 2 3', name: 'per-face' }),
  );
  const mesh = parseText(xml);
  assert.deepEqual(
    mesh.arrays.map((a) => [a.name, a.components, a.spatialVector, a.values.constructor.name]),
    [
      ['sulc', 1, false, 'Float32Array'],
      ['label_3', 1, false, 'Int32Array'],
      ['disp', 3, true, 'Float32Array'],
      ['mask', 1, false, 'Uint8Array'],
    ],
  );
  assert.deepEqual(Array.from(mesh.arrays[0].values), [0.5, -1, 2, 3.25]);
  assert.deepEqual(Array.from(mesh.arrays[1].values), [7, 7, 8, 9]);
  assert.deepEqual(Array.from(mesh.arrays[3].values), [0, 255, 3, 4]);
});

test('a pointset without triangles is a point cloud', () => {
  const mesh = parseText(gifti(asciiPoints()));
  assert.equal(mesh.triangles, undefined);
  assert.equal(mesh.points.length, 12);
});

test('round-trips a mesh with arrays through serialize and parse', () => {
  const mesh: MeshData = {
    points: Float64Array.from([0.1, -2.5, 3e-3, 100.25, 0, -7, 1 / 3, 2 / 3, 1, 0, 0, 1]),
    triangles: Uint32Array.from(TETRA_TRIANGLES),
    arrays: [
      { name: 'thickness', components: 1, values: Float64Array.from([1.5, 2.25, Math.PI, -0.125]) },
      { name: 'labels', components: 1, values: Int32Array.from([-1, 0, 2 ** 31 - 1, 42]) },
      { name: 'Normals', components: 3, values: Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1, 0.5, 0.5, 0.5]), spatialVector: true },
      { name: 'rgb ]]> odd & <name>', components: 3, values: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) },
      { name: 'uv', components: 2, values: Uint16Array.from([1, 2, 3, 4, 5, 6, 7, 8]) },
    ],
    declaredFrame: 'RAS',
  };
  const bytes = giftiCodec.serialize!(mesh, { frame: 'RAS' });
  const text = new TextDecoder().decode(bytes);
  assert.match(text, /Encoding="GZipBase64Binary"/);
  assert.match(text, /NIFTI_XFORM_SCANNER_ANAT/);
  const back = giftiCodec.parse(bytes, '/virtual/out.gii');
  assert.deepEqual(Array.from(back.points), Array.from(Float32Array.from(mesh.points)));
  assert.deepEqual(Array.from(back.triangles ?? []), TETRA_TRIANGLES);
  assert.deepEqual(
    back.arrays.map((a) => [a.name, a.components, a.spatialVector]),
    mesh.arrays.map((a) => [a.name, a.components, a.spatialVector === true]),
  );
  mesh.arrays.forEach((a, k) => {
    const expected = a.values instanceof Float64Array ? Array.from(Float32Array.from(a.values)) : Array.from(a.values);
    assert.deepEqual(Array.from(back.arrays[k].values), expected, a.name);
  });
  // Gzipped output (as a .gii.gz) is recognised by its magic number.
  const again = giftiCodec.parse(gzipSync(bytes), '/virtual/out.gii.gz');
  assert.deepEqual(Array.from(again.points), Array.from(back.points));
});

test('the pointset\'s anatomy (AnatomicalStructurePrimary, …Secondary, GeometricType) is read and written back; arrays keep their names', () => {
  const meta = (entries: [string, string][]): string => `<MetaData>${entries.map(([n, v]) => `<MD><Name><![CDATA[${n}]]></Name><Value><![CDATA[${v}]]></Value></MD>`).join('')}</MetaData>`;
  const points = asciiPoints().replace('<MetaData/>', meta([['AnatomicalStructurePrimary', 'CortexRight'], ['AnatomicalStructureSecondary', 'GrayWhite'], ['GeometricType', 'Anatomical'], ['UserName', 'x']]));
  const mesh = parseText(gifti(points, asciiTriangles(), dataArray({ intent: 'NIFTI_INTENT_SHAPE', dims: [4], data: '1 2 3 4', name: 'thickness' })));
  assert.deepEqual(mesh.anatomy, { structurePrimary: 'CortexRight', structureSecondary: 'GrayWhite', geometricType: 'Anatomical' });
  const written = new TextDecoder().decode(giftiCodec.serialize!(mesh, { frame: 'RAS' }));
  const pointset = written.slice(written.indexOf('NIFTI_INTENT_POINTSET'), written.indexOf('NIFTI_INTENT_TRIANGLE'));
  assert.match(pointset, /<Name><!\[CDATA\[AnatomicalStructurePrimary\]\]><\/Name><Value><!\[CDATA\[CortexRight\]\]><\/Value>/, 'on the pointset, where Workbench looks');
  const back = giftiCodec.parse(new TextEncoder().encode(written), FILE);
  assert.deepEqual(back.anatomy, mesh.anatomy);
  assert.deepEqual(back.arrays.map((a) => a.name), ['thickness']);
  // Only one of them, or none.
  assert.deepEqual(parseText(gifti(asciiPoints().replace('<MetaData/>', meta([['GeometricType', 'Inflated']])), asciiTriangles())).anatomy, { geometricType: 'Inflated' });
  assert.equal(parseText(gifti(asciiPoints(), asciiTriangles())).anatomy, undefined);
  assert.doesNotMatch(new TextDecoder().decode(giftiCodec.serialize!(parseText(gifti(asciiPoints(), asciiTriangles())), { frame: 'RAS' })), /Anatomical/);
});

test('reads the fsaverage5 pial and white surfaces', { skip: needsSharedData() }, () => {
  const meshes: Record<string, MeshData> = {};
  for (const name of ['pial_left', 'white_left']) {
    const file = sharedPath('brain', 'fsaverage5', `${name}.gii.gz`);
    const mesh = giftiCodec.parse(readFileSync(file), file);
    meshes[name] = mesh;
    assert.equal(mesh.points.length / 3, 10242);
    assert.equal((mesh.triangles ?? []).length / 3, 20480);
    assert.equal(mesh.declaredFrame, 'RAS');
    assert.deepEqual(mesh.anatomy, { structurePrimary: 'CortexLeft', structureSecondary: name === 'pial_left' ? 'Pial' : 'GrayWhite', geometricType: 'Anatomical' });
    let maxIndex = 0;
    for (const v of mesh.triangles ?? []) maxIndex = Math.max(maxIndex, v);
    assert.equal(maxIndex, 10241, 'every vertex is used, none out of range');
    // Last triangle, as decoded independently (Python zlib + numpy).
    assert.deepEqual(Array.from((mesh.triangles ?? []).slice(-3)), [10161, 11, 9918]);
    for (const b of boundsOf(mesh.points)) assert.ok(Math.abs(b) < 120, `bound ${b} mm is outside a plausible brain`);
  }
  const pial = meshes.pial_left.points;
  const white = meshes.white_left.points;
  // Vertex 0 and the bounds, decoded independently (Python zlib + numpy, float32).
  assertClose(Array.from(pial.slice(0, 3)), [-38.735958, -19.343365, 67.22014], 1e-5);
  assertClose(Array.from(white.slice(0, 3)), [-36.785484, -18.600445, 64.821304], 1e-5);
  assertClose(boundsOf(pial), [-68.7888, 1.2215629, -104.69203, 68.94737, -48.324432, 78.12399], 1e-5);
  // The shared-data README: white → pial displacement mean 2.5 mm, max 6.9 mm (same triangulation).
  let sum = 0;
  let max = 0;
  for (let i = 0; i < pial.length; i += 3) {
    const d = Math.hypot(pial[i] - white[i], pial[i + 1] - white[i + 1], pial[i + 2] - white[i + 2]);
    sum += d;
    max = Math.max(max, d);
  }
  assert.ok(Math.abs(sum / 10242 - 2.506) < 0.001, `mean displacement ${sum / 10242}`);
  assert.ok(Math.abs(max - 6.8636) < 0.001, `max displacement ${max}`);
});

test('fsaverage5 pial round-trips exactly (float32 in, float32 out)', { skip: needsSharedData() }, () => {
  const file = sharedPath('brain', 'fsaverage5', 'pial_left.gii.gz');
  const mesh = giftiCodec.parse(readFileSync(file), file);
  const back = giftiCodec.parse(giftiCodec.serialize!(mesh, { frame: 'RAS' }), '/virtual/pial.gii');
  assert.deepEqual(back.points, mesh.points);
  assert.deepEqual(back.triangles, mesh.triangles);
});

test('a per-vertex data file (sulc) is refused: it has no pointset', { skip: needsSharedData() }, () => {
  const file = sharedPath('brain', 'fsaverage5', 'sulc_left.gii.gz');
  assertInputError(() => giftiCodec.parse(readFileSync(file), file), 'unsupported', file, /no NIFTI_INTENT_POINTSET array \(a per-vertex data file\?\)/);
});

function assertClose(actual: number[], expected: number[], tolerance: number): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((v, k) => assert.ok(Math.abs(v - expected[k]) <= tolerance * Math.max(1, Math.abs(expected[k])), `[${k}] ${v} vs ${expected[k]}`));
}

test('rejects malformed GIfTI files with the right problem', () => {
  const valid = gifti(asciiPoints(), asciiTriangles());
  // Truncated XML and truncated gzip.
  assertInputError(() => parseText(valid.slice(0, valid.length / 2)), 'truncated');
  const gz = gzipSync(new TextEncoder().encode(valid));
  assertInputError(() => giftiCodec.parse(gz.subarray(0, gz.length - 30), FILE), 'corrupt-compression');
  // Not GIfTI at all.
  assertInputError(() => parseText('hello world'), 'bad-magic');
  assertInputError(() => parseText('<?xml version="1.0"?><VTKFile type="PolyData"></VTKFile>'), 'bad-magic');
  assertInputError(() => giftiCodec.parse(new Uint8Array(0), FILE), 'empty');
  // Corrupt base64 and corrupt zlib.
  const pointsAs = (encoding: string, data: string): string => gifti(dataArray({ intent: 'NIFTI_INTENT_POINTSET', dims: [4, 3], encoding, data }));
  assertInputError(() => parseText(pointsAs('Base64Binary', 'AAAA@@@@AAAA')), 'malformed');
  assertInputError(() => parseText(pointsAs('GZipBase64Binary', base64(new Uint8Array(48).fill(7)))), 'corrupt-compression');
  const cut = deflateSync(littleEndian(Float32Array.from(TETRA_POINTS)));
  assertInputError(() => parseText(pointsAs('GZipBase64Binary', base64(cut.subarray(0, cut.length - 6)))), 'corrupt-compression');
  // Non-finite coordinates.
  assertInputError(() => parseText(gifti(asciiPoints('0 0 0 1 0 0 0 NaN 0 0 0 1'), asciiTriangles())), 'non-finite');
  assertInputError(
    () => parseText(pointsAs('Base64Binary', base64(littleEndian(Float32Array.from([0, 0, 0, Infinity, 0, 0, 0, 1, 0, 0, 0, 1]))))),
    'non-finite',
  );
  // Triangle index out of range (4 vertices: 0..3), and negative.
  assertInputError(() => parseText(gifti(asciiPoints(), asciiTriangles('0 2 1 0 1 4 0 3 2 1 2 3'))), 'index-out-of-range');
  assertInputError(() => parseText(gifti(asciiPoints(), asciiTriangles('0 2 1 0 1 -1 0 3 2 1 2 3'))), 'index-out-of-range');
  // Dims that disagree with the data: ASCII, raw binary, inflated binary (too little and too much).
  assertInputError(() => parseText(gifti(asciiPoints('0 0 0 1 0 0 0 1 0 0 0'))), 'count-mismatch');
  assertInputError(() => parseText(pointsAs('Base64Binary', base64(littleEndian(new Float32Array(11))))), 'count-mismatch');
  assertInputError(() => parseText(pointsAs('GZipBase64Binary', base64(deflateSync(littleEndian(new Float32Array(11)))))), 'count-mismatch');
  assertInputError(() => parseText(pointsAs('GZipBase64Binary', base64(deflateSync(littleEndian(new Float32Array(1000)))))), 'count-mismatch');
  // Non-numbers, bad shapes, unknown types and encodings.
  assertInputError(() => parseText(gifti(asciiPoints('0 0 0 1 0 0 0 x 0 0 0 1'))), 'malformed');
  assertInputError(() => parseText(gifti(dataArray({ intent: 'NIFTI_INTENT_POINTSET', dims: [6, 2], data: TETRA_POINTS.join(' ') }))), 'malformed');
  assertInputError(() => parseText(gifti(dataArray({ intent: 'NIFTI_INTENT_POINTSET', type: 'NIFTI_TYPE_COMPLEX64', dims: [4, 3], data: '' }))), 'unsupported');
  assertInputError(() => parseText(pointsAs('Base85', 'x')), 'unsupported');
  assertInputError(() => parseText(gifti(asciiPoints().replace('Dim0="4"', 'Dim0="four"'))), 'malformed');
  // A huge declared size is refused before any allocation.
  assertInputError(() => parseText(gifti(asciiPoints().replace('Dim0="4"', 'Dim0="2000000000"'))), 'too-large');
  // No pointset at all.
  assertInputError(() => parseText(gifti()), 'unsupported', FILE, /no NIFTI_INTENT_POINTSET/);
});
