import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import vtkXMLPolyDataReader from '@kitware/vtk.js/IO/XML/XMLPolyDataReader.js';
import { convertPointArray } from '../../../core/frames/index.ts';
import { InputError, type InputProblem } from '../../../core/io/errors.ts';
import type { MeshData } from '../../../core/io/meshes/types.ts';
import { vtpCodec } from '../../../core/io/meshes/vtp.ts';

const FILE = 'mesh.vtp';
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const parse = (bytes: Uint8Array): MeshData => vtpCodec.parse(bytes, FILE);
const serialize = vtpCodec.serialize!;
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

function assertProblem(fn: () => unknown, problem: InputProblem): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InputError, `expected an InputError, got ${String(e)}`);
    assert.equal(e.problem, problem, e.message);
    assert.equal(e.file, FILE);
    return true;
  });
}

test('ASCII VTP: attributes in any order, polygons fanned, strips split, point data and SPACE comment kept', () => {
  const vtp = `<?xml version="1.0"?>
<!-- written by hand; SPACE=RAS -->
<VTKFile version='0.1' type="PolyData" byte_order="LittleEndian">
  <PolyData>
    <Piece NumberOfPolys="2" NumberOfPoints="5" NumberOfStrips="1" NumberOfVerts="0" NumberOfLines="0">
      <Points>
        <DataArray NumberOfComponents="3" format="ascii" type="Float64" Name="Points">
          0 0 0  1 0 0  1 1 0  0 1 0  2 2 0.5e0
        </DataArray>
      </Points>
      <Polys>
        <DataArray format="ascii" Name="offsets" type="Int32">4 7</DataArray>
        <DataArray type="Int32" Name='connectivity' format="ascii">0 1 2 3 1 4 2</DataArray>
      </Polys>
      <Strips>
        <DataArray type="Int64" Name="connectivity" format="ascii">0 1 3 2</DataArray>
        <DataArray type="Int64" Name="offsets" format="ascii">4</DataArray>
      </Strips>
      <PointData Scalars="t" Vectors="flow &amp; more">
        <DataArray type="Float32" Name="t" format="ascii">1 2 3 4 5</DataArray>
        <DataArray type="Float32" Name="flow &amp; more" NumberOfComponents="3" format="ascii">
          1 2 3 4 5 6 7 8 9 10 11 12 13 14 15
        </DataArray>
        <DataArray type="Float32" Name="Normals" NumberOfComponents="3" format="ascii"><![CDATA[0 0 1 0 0 1 0 0 1 0 0 1 0 0 1]]></DataArray>
        <DataArray type="UInt8" Name="rgb" NumberOfComponents="3" format="ascii">0 1 2 3 4 5 6 7 8 9 10 11 12 13 255</DataArray>
      </PointData>
      <CellData><DataArray type="Float32" Name="c" format="ascii">1 2 3</DataArray></CellData>
    </Piece>
  </PolyData>
</VTKFile>
`;
  const mesh = parse(text(vtp));
  assert.equal(mesh.declaredFrame, 'RAS');
  assert.deepEqual(Array.from(mesh.points), [0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 2, 2, 0.5]);
  // Quad 0 1 2 3 fanned, triangle 1 4 2, then the strip 0 1 3 2 → (0 1 3), (3 1 2) with alternating winding.
  assert.deepEqual(Array.from(mesh.triangles!), [0, 1, 2, 0, 2, 3, 1, 4, 2, 0, 1, 3, 3, 1, 2]);
  assert.deepEqual(
    mesh.arrays.map((a) => [a.name, a.components, a.values.constructor.name, Boolean(a.spatialVector)]),
    [
      ['t', 1, 'Float32Array', false],
      ['flow & more', 3, 'Float32Array', true],
      ['Normals', 3, 'Float32Array', true],
      ['rgb', 3, 'Uint8Array', false],
    ],
  );
  assert.deepEqual(Array.from(mesh.arrays[3].values).slice(-2), [13, 255]);
});

test('a 6-component Tensors array (XX YY ZZ XY YZ XZ) is read as the full spatial tensor and changes frame; the arrays after it stay in place', () => {
  const vtp = (comment: string): Uint8Array =>
    text(`<?xml version="1.0"?>
<!-- ${comment} -->
<VTKFile type="PolyData" version="1.0" byte_order="LittleEndian">
  <PolyData>
    <Piece NumberOfPoints="2" NumberOfVerts="0" NumberOfPolys="0">
      <Points><DataArray type="Float32" NumberOfComponents="3" format="ascii">1 2 3 4 5 6</DataArray></Points>
      <PointData Tensors="stress">
        <DataArray type="Float64" Name="stress" NumberOfComponents="6" format="ascii">1 2 3 4 5 6 7 8 9 10 11 12</DataArray>
        <DataArray type="Float32" Name="after" format="ascii">10 20</DataArray>
      </PointData>
    </Piece>
  </PolyData>
</VTKFile>
`);
  // Row-major [[XX, XY, XZ], [XY, YY, YZ], [XZ, YZ, ZZ]] of each point.
  const full = [1, 4, 6, 4, 2, 5, 6, 5, 3, 7, 10, 12, 10, 8, 11, 12, 11, 9];
  const lps = parse(vtp('SPACE=LPS'));
  assert.deepEqual(lps.arrays.map((a) => [a.name, a.components, Boolean(a.spatialTensor)]), [['stress', 9, true], ['after', 1, false]]);
  assert.deepEqual(Array.from(lps.arrays[0].values), full);
  assert.deepEqual(Array.from(lps.arrays[1].values), [10, 20]);
  // Written back, it is the file's Tensors attribute, 9 components.
  const written = new TextDecoder().decode(serialize(lps, { frame: 'LPS', binary: false }));
  assert.match(written, /Tensors="stress"/);
  // Read from a RAS file into LPS (core/frames): F·T·F with F = diag(−1, −1, 1) negates XZ and YZ.
  const ras = parse(vtp('SPACE=RAS'));
  assert.equal(ras.declaredFrame, 'RAS');
  const inLps = convertPointArray(ras.arrays[0], 'RAS', 'LPS');
  assert.deepEqual(Array.from(inLps.values), [1, 4, -6, 4, 2, -5, -6, -5, 3, 7, 10, -12, 10, 8, -11, -12, -11, 9]);
});

test('a VTP with only Verts is a point cloud; several Pieces are merged', () => {
  const piece = (pts: string, n: number, w: string): string => `
    <Piece NumberOfPoints="${n}" NumberOfVerts="${n}">
      <PointData><DataArray type="Float64" Name="w" format="ascii">${w}</DataArray></PointData>
      <Points><DataArray type="Float32" NumberOfComponents="3" format="ascii">${pts}</DataArray></Points>
      <Verts>
        <DataArray type="Int32" Name="connectivity" format="ascii">${Array.from({ length: n }, (_, i) => i).join(' ')}</DataArray>
        <DataArray type="Int32" Name="offsets" format="ascii">${Array.from({ length: n }, (_, i) => i + 1).join(' ')}</DataArray>
      </Verts>
    </Piece>`;
  const vtp = `<VTKFile type="PolyData"><PolyData>${piece('1 2 3 4 5 6', 2, '0.5 1.5')}${piece('7 8 9', 1, '2.5')}</PolyData></VTKFile>`;
  const mesh = parse(text(vtp));
  assert.equal(mesh.triangles, undefined);
  assert.equal(mesh.declaredFrame, undefined);
  assert.deepEqual(Array.from(mesh.points), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(Array.from(mesh.arrays[0].values), [0.5, 1.5, 2.5]);
});

/** The fixture mesh the binary layouts below encode. */
const FIX_POINTS = Float32Array.from([0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 0.25, -2.5, 3.75]);
const FIX_CONN = [0, 1, 2, 3, 1, 4, 2];
const FIX_OFFSETS = [4, 7];
const FIX_W = Float64Array.from([0.1, 0.2, 1e-300, -4, 5e300]);
const FIX_DISP = Float32Array.from({ length: 15 }, (_, i) => Math.fround(i / 3 - 2));

type Layout = {
  format: 'binary' | 'raw' | 'base64';
  zlib: boolean;
  header: 'UInt32' | 'UInt64';
  bigEndian: boolean;
  /** Header and data as separate base64 streams (VTK's way for compressed data) or as one. */
  split: boolean;
};

/**
 * Builds a .vtp holding the fixture in the given binary layout, independently of Monge's writer: typed values in
 * the file's byte order, uncompressed (byte-count header) or zlib blocks of 16 bytes (several blocks, a partial
 * last one), inline base64 or appended raw/base64.
 */
function buildVtp(layout: Layout): Uint8Array {
  const little = !layout.bigEndian;
  const h = layout.header === 'UInt64' ? 8 : 4;
  const headerBytes = (words: number[]): Uint8Array => {
    const out = new Uint8Array(words.length * h);
    const view = new DataView(out.buffer);
    words.forEach((w, i) => (h === 8 ? view.setBigUint64(8 * i, BigInt(w), little) : view.setUint32(4 * i, w, little)));
    return out;
  };
  const valueBytes = (type: string, values: ArrayLike<number>): Uint8Array => {
    const size = { Float32: 4, Float64: 8, Int64: 8, UInt8: 1 }[type] ?? 0;
    const out = new Uint8Array(values.length * size);
    const view = new DataView(out.buffer);
    for (let i = 0; i < values.length; i++) {
      if (type === 'Float32') view.setFloat32(4 * i, values[i], little);
      else if (type === 'Float64') view.setFloat64(8 * i, values[i], little);
      else if (type === 'Int64') view.setBigInt64(8 * i, BigInt(values[i]), little);
      else view.setUint8(i, values[i]);
    }
    return out;
  };
  /** [header, data] of one array's binary block. */
  const block = (data: Uint8Array): [Uint8Array, Uint8Array] => {
    if (!layout.zlib) return [headerBytes([data.length]), data];
    const blockSize = 16;
    const blocks: Uint8Array[] = [];
    for (let at = 0; at < data.length; at += blockSize) blocks.push(deflateSync(data.subarray(at, at + blockSize)));
    return [headerBytes([blocks.length, blockSize, data.length % blockSize, ...blocks.map((b) => b.length)]), Buffer.concat(blocks)];
  };
  const encode64 = ([head, data]: [Uint8Array, Uint8Array]): string => (layout.split ? b64(head) + b64(data) : b64(Buffer.concat([head, data])));

  let appendedRaw: Uint8Array[] = [];
  let appendedText = '';
  let appendedLength = 0;
  const array = (tag: string, type: string, name: string, comps: number, values: ArrayLike<number>, extra = ''): string => {
    const data = type === 'String' ? Uint8Array.from(values) : valueBytes(type, values);
    const blk = block(data);
    const head = `<${tag} type="${type}" Name="${name}" NumberOfComponents="${comps}"${extra}`;
    if (layout.format === 'binary') return `${head} format="binary">\n  ${encode64(blk)}\n</${tag}>`;
    const offset = appendedLength;
    if (layout.format === 'raw') {
      appendedRaw.push(...blk);
      appendedLength += blk[0].length + blk[1].length;
    } else {
      const t = encode64(blk);
      appendedText += t;
      appendedLength += t.length;
    }
    return `${head} format="appended" offset="${offset}"/>`;
  };
  const compressor = layout.zlib ? ' compressor="vtkZLibDataCompressor"' : '';
  const xml = `<?xml version="1.0"?>
<VTKFile type="PolyData" version="1.0" byte_order="${little ? 'LittleEndian' : 'BigEndian'}" header_type="${layout.header}"${compressor}>
  <PolyData>
    <FieldData>
      ${array('Array', 'String', 'SPACE', 1, [...Buffer.from('RAS'), 0], ' NumberOfTuples="1"')}
    </FieldData>
    <Piece NumberOfPoints="5" NumberOfPolys="2">
      <PointData Vectors="disp">
        ${array('DataArray', 'Float64', 'w', 1, FIX_W)}
        ${array('DataArray', 'Float32', 'disp', 3, FIX_DISP)}
      </PointData>
      <Points>${array('DataArray', 'Float32', 'Points', 3, FIX_POINTS)}</Points>
      <Polys>
        ${array('DataArray', 'Int64', 'connectivity', 1, FIX_CONN)}
        ${array('DataArray', 'Int64', 'offsets', 1, FIX_OFFSETS)}
      </Polys>
    </Piece>
  </PolyData>
`;
  if (layout.format === 'binary') return text(`${xml}</VTKFile>\n`);
  if (layout.format === 'base64') return text(`${xml}  <AppendedData encoding="base64">\n   _${appendedText}\n  </AppendedData>\n</VTKFile>\n`);
  const out = Buffer.concat([text(`${xml}  <AppendedData encoding="raw">\n   _`), ...appendedRaw, text('\n  </AppendedData>\n</VTKFile>\n')]);
  appendedRaw = [];
  return out;
}

function assertFixture(mesh: MeshData, what: string): void {
  assert.deepEqual(Array.from(mesh.points), Array.from(FIX_POINTS), what);
  assert.deepEqual(Array.from(mesh.triangles!), [0, 1, 2, 0, 2, 3, 1, 4, 2], what);
  assert.equal(mesh.declaredFrame, 'RAS', `${what}: Slicer's FieldData SPACE array`);
  assert.deepEqual(mesh.arrays.map((a) => [a.name, a.components, Boolean(a.spatialVector)]), [['w', 1, false], ['disp', 3, true]], what);
  assert.deepEqual(mesh.arrays[0].values, FIX_W, what);
  assert.deepEqual(mesh.arrays[1].values, FIX_DISP, what);
}

test('binary VTPs decode in every layout: inline/appended raw/appended base64, zlib or not, UInt32/UInt64, both byte orders', () => {
  let count = 0;
  for (const format of ['binary', 'raw', 'base64'] as const) {
    for (const zlib of [false, true]) {
      for (const header of ['UInt32', 'UInt64'] as const) {
        for (const bigEndian of [false, true]) {
          for (const split of format === 'raw' ? [false] : [false, true]) {
            const layout = { format, zlib, header, bigEndian, split };
            assertFixture(parse(buildVtp(layout)), JSON.stringify(layout));
            count++;
          }
        }
      }
    }
  }
  assert.equal(count, 40);
});

/** A mesh with points that need double precision, several array types, three spatial vectors and odd names. */
function richMesh(): MeshData {
  return {
    points: Float64Array.from([0.1, 0.2, 0.3, 1.0000000001, 0, 0, 0, 1, 0, 0, 0, 1]),
    triangles: Uint32Array.from([0, 1, 2, 0, 2, 3, 0, 3, 1, 1, 3, 2]),
    arrays: [
      { name: 'displacement <mm> & "more"', components: 3, values: Float32Array.from({ length: 12 }, (_, i) => Math.fround(i / 7)), spatialVector: true },
      { name: 'Normals', components: 3, values: Float64Array.from({ length: 12 }, (_, i) => Math.sin(i)), spatialVector: true },
      { name: 'velocity', components: 3, values: Float64Array.from({ length: 12 }, (_, i) => -i), spatialVector: true },
      { name: 'weight', components: 1, values: Float64Array.from([1 / 3, 2 / 3, 1e-300, -0]) },
      { name: 'label é', components: 1, values: Int32Array.from([-1, 2, -3, 2 ** 31 - 1]) },
      { name: 'rgb', components: 3, values: Uint8Array.from({ length: 12 }, (_, i) => i * 20) },
      { name: 'pair', components: 2, values: Int16Array.from([-32768, 32767, 0, 1, 2, 3, 4, 5]) },
      { name: 'tensorish', components: 3, values: Float32Array.from({ length: 12 }, (_, i) => Math.fround(1 / (i + 1))) },
    ],
  };
}

test('round trip read → write → read, binary (zlib) and ASCII, keeps points, triangles, arrays, flags and frame', () => {
  const mesh = richMesh();
  for (const binary of [true, false]) {
    for (const frame of ['LPS', 'RAS'] as const) {
      const bytes = serialize(mesh, { frame, binary });
      const xml = new TextDecoder().decode(bytes);
      assert.equal(xml.includes('compressor="vtkZLibDataCompressor"'), binary);
      assert.equal(xml.includes('format="ascii"'), !binary);
      assert.ok(xml.includes('<DataArray type="Float64" Name="Points" NumberOfComponents="3"'), 'points that are not float32 stay Float64');
      const back = parse(bytes);
      assert.equal(back.declaredFrame, frame);
      assert.deepEqual(back.points, mesh.points);
      assert.deepEqual(back.triangles, mesh.triangles);
      assert.equal(back.arrays.length, mesh.arrays.length);
      back.arrays.forEach((b, k) => {
        const a = mesh.arrays[k];
        assert.equal(b.name, a.name);
        assert.equal(b.components, a.components);
        assert.equal(b.values.constructor, a.values.constructor, `${a.name} keeps its type`);
        assert.deepEqual(b.values, a.values, `${a.name} values`);
        assert.equal(Boolean(b.spatialVector), Boolean(a.spatialVector), `${a.name} spatial flag`);
      });
    }
  }
  const f32 = { ...mesh, points: Float64Array.from(mesh.points, Math.fround) };
  const bytes = serialize(f32, { frame: 'LPS', binary: true });
  assert.ok(new TextDecoder().decode(bytes).includes('<DataArray type="Float32" Name="Points"'));
  assert.deepEqual(parse(bytes).points, f32.points);
  // A point cloud round-trips as Verts.
  const cloud: MeshData = { points: Float64Array.from([1, 2, 3, 4, 5, 6]), arrays: [] };
  for (const binary of [true, false]) {
    const back = parse(serialize(cloud, { frame: 'RAS', binary }));
    assert.equal(back.triangles, undefined);
    assert.deepEqual(back.points, cloud.points);
  }
});

/** Replaces the first DataArray payload named `name` in an ASCII or inline file. */
function replacePayload(xml: string, name: string, payload: string): string {
  const re = new RegExp(`(<DataArray[^>]*Name="${name}"[^>]*>)[^<]*(</DataArray>)`);
  assert.ok(re.test(xml), `${name} found`);
  return xml.replace(re, `$1${payload}$2`);
}

test('randomly corrupted or cut VTP files give an InputError or a mesh, never another error', () => {
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

test('bad VTP input gives an InputError with the right problem', () => {
  const tetra: MeshData = { points: Float64Array.from([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]), triangles: Uint32Array.from([0, 1, 2, 0, 3, 1]), arrays: [] };
  const ascii = new TextDecoder().decode(serialize(tetra, { frame: 'LPS', binary: false }));
  const binary = new TextDecoder().decode(serialize(tetra, { frame: 'LPS', binary: true }));
  assertProblem(() => parse(new Uint8Array(0)), 'empty');
  assertProblem(() => parse(text('# vtk DataFile Version 4.2\n')), 'bad-magic');
  assertProblem(() => parse(text('<?xml version="1.0"?><gifti/>')), 'bad-magic');
  assertProblem(() => parse(text(ascii.replace('type="PolyData"', 'type="UnstructuredGrid"'))), 'unsupported');
  assertProblem(() => parse(text(binary.replace('vtkZLibDataCompressor', 'vtkLZ4DataCompressor'))), 'unsupported');
  assertProblem(() => parse(text(replacePayload(ascii, 'Points', '0 0 0 1 0 0 0 nan 0 0 0 1'))), 'non-finite');
  assertProblem(() => parse(text(replacePayload(ascii, 'connectivity', '0 1 2 0 4 1'))), 'index-out-of-range');
  assertProblem(() => parse(text(replacePayload(ascii, 'Points', '0 0 0 1 0 0 0 1 0'))), 'count-mismatch');
  assertProblem(() => parse(text(replacePayload(ascii, 'offsets', '3 5'))), 'count-mismatch');
  assertProblem(() => parse(text(replacePayload(ascii, 'offsets', '3'))), 'count-mismatch');
  assertProblem(() => parse(text(ascii.replace('</Points>', ''))), 'malformed');
  assertProblem(() => parse(text(ascii.slice(0, ascii.indexOf('</PolyData>')))), 'truncated');

  // Corrupt zlib: a block whose bytes are not a zlib stream, and one that inflates to the wrong size.
  const header = (words: number[]): string => b64(new Uint8Array(Uint32Array.from(words).buffer));
  const junk = b64(Uint8Array.from({ length: 12 }, (_, i) => (i * 37 + 11) & 255));
  assertProblem(() => parse(text(replacePayload(binary, 'Points', header([1, 48, 0, 12]) + junk))), 'corrupt-compression');
  const short = deflateSync(new Uint8Array(40));
  assertProblem(() => parse(text(replacePayload(binary, 'Points', header([1, 48, 0, short.length]) + b64(short)))), 'corrupt-compression');
  const long = deflateSync(new Uint8Array(60));
  assertProblem(() => parse(text(replacePayload(binary, 'Points', header([1, 48, 0, long.length]) + b64(long)))), 'corrupt-compression');
  assertProblem(() => parse(text(replacePayload(binary, 'Points', header([1, 2 ** 31, 0, 12]) + junk))), 'corrupt-compression');
  // Truncated binary: a base64 payload cut short, block counts larger than the data, raw appended data cut off.
  const points = /Name="Points" NumberOfComponents="3" format="binary">\s*([^<\s]+)/.exec(binary)![1];
  assertProblem(() => parse(text(replacePayload(binary, 'Points', points.slice(0, points.length - 8)))), 'truncated');
  assertProblem(() => parse(text(replacePayload(binary, 'Points', header([1000000])))), 'truncated');
  const raw = buildVtp({ format: 'raw', zlib: false, header: 'UInt32', bigEndian: false, split: false });
  const dataEnd = Buffer.from(raw).lastIndexOf('\n  </AppendedData>');
  assertProblem(() => parse(raw.subarray(0, dataEnd - 10)), 'truncated');
  const zraw = buildVtp({ format: 'raw', zlib: true, header: 'UInt64', bigEndian: true, split: false });
  assertProblem(() => parse(zraw.subarray(0, Buffer.from(zraw).lastIndexOf('\n  </AppendedData>') - 3)), 'truncated');
  assertProblem(() => parse(text(replacePayload(binary, 'Points', '@@@@@@@@@@@@@@@@'))), 'malformed');
});

/**
 * The part of vtk.js's reader and vtkPolyData this test uses. (vtk.js's .d.ts files import siblings without file
 * extensions, which TypeScript's NodeNext resolution cannot follow, so `getOutputData` is not typed.)
 */
interface VtkDataArrayLike {
  getName(): string;
  getNumberOfComponents(): number;
  getData(): ArrayLike<number>;
}
interface VtkXmlReaderLike {
  parseAsArrayBuffer(buffer: ArrayBuffer): boolean;
  getOutputData(i: number): {
    getNumberOfPoints(): number;
    getPoints(): { getData(): ArrayLike<number> };
    getPolys(): { getData(): ArrayLike<number>; getNumberOfCells(): number };
    getPointData(): { getArrayByName(name: string): VtkDataArrayLike | null; getNormals(): VtkDataArrayLike | null; getVectors(): VtkDataArrayLike | null };
    getFieldData(): { getArrayByName(name: string): { getData(): unknown } | null };
  };
}

test('a VTP written by Monge reads back with vtk.js vtkXMLPolyDataReader (zlib binary and ASCII)', () => {
  const mesh = richMesh();
  for (const binary of [true, false]) {
    const bytes = serialize(mesh, { frame: 'RAS', binary });
    const reader = vtkXMLPolyDataReader.newInstance() as unknown as VtkXmlReaderLike;
    assert.equal(reader.parseAsArrayBuffer(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer), true);
    const polyData = reader.getOutputData(0);
    assert.equal(polyData.getNumberOfPoints(), 4);
    assert.deepEqual(Array.from(polyData.getPoints().getData()), Array.from(mesh.points));
    assert.equal(polyData.getPolys().getNumberOfCells(), 4);
    assert.deepEqual(Array.from(polyData.getPolys().getData()), [3, 0, 1, 2, 3, 0, 2, 3, 3, 0, 3, 1, 3, 1, 3, 2]);
    const weight = polyData.getPointData().getArrayByName('weight');
    assert.ok(weight);
    assert.deepEqual(Array.from(weight.getData()), Array.from(mesh.arrays[3].values));
    const label = polyData.getPointData().getArrayByName('label é');
    assert.deepEqual(Array.from(label!.getData()), [-1, 2, -3, 2 ** 31 - 1]);
    assert.equal(polyData.getPointData().getNormals()?.getName(), 'Normals');
    assert.deepEqual(Array.from(polyData.getPointData().getNormals()!.getData()), Array.from(mesh.arrays[1].values));
    assert.equal(polyData.getPointData().getVectors()?.getName(), 'displacement <mm> & "more"');
    assert.equal(polyData.getPointData().getVectors()?.getNumberOfComponents(), 3);
    assert.deepEqual(polyData.getFieldData().getArrayByName('SPACE')?.getData(), ['RAS']);
  }
});
