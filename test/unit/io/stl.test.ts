import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stlReadMeshNode, stlWriteMeshNode } from '@itk-wasm/mesh-io';
import { InputError, type InputProblem } from '../../../core/io/errors.ts';
import { stlCodec } from '../../../core/io/meshes/stl.ts';
import type { MeshData } from '../../../core/io/meshes/types.ts';

const FILE = 'mesh.stl';
const parse = (bytes: Uint8Array): MeshData => stlCodec.parse(bytes, FILE);
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

function assertProblem(fn: () => unknown, problem: InputProblem): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InputError, `expected an InputError, got ${String(e)}`);
    assert.equal(e.problem, problem, e.message);
    assert.equal(e.file, FILE);
    return true;
  });
}

/** Unit cube [0,2]³ shifted by (10, −5, 0.25): 8 corners, 12 outward triangles. */
const CUBE_POINTS = [
  [0, 0, 0],
  [2, 0, 0],
  [2, 2, 0],
  [0, 2, 0],
  [0, 0, 2],
  [2, 0, 2],
  [2, 2, 2],
  [0, 2, 2],
].map(([x, y, z]) => [x + 10, y - 5, z + 0.25]);
const CUBE_TRIANGLES = [
  [0, 2, 1], [0, 3, 2], // bottom (−z)
  [4, 5, 6], [4, 6, 7], // top (+z)
  [0, 1, 5], [0, 5, 4], // front (−y)
  [2, 3, 7], [2, 7, 6], // back (+y)
  [0, 4, 7], [0, 7, 3], // left (−x)
  [1, 2, 6], [1, 6, 5], // right (+x)
];

/** A binary STL triangle soup built independently of Monge's writer (facet normals left zero). */
function binaryStl(header: string, facets: number[][][], attributeBytes = 0): Uint8Array {
  const out = new Uint8Array(84 + 50 * facets.length);
  out.set(text(header).subarray(0, 80));
  const view = new DataView(out.buffer);
  view.setUint32(80, facets.length, true);
  facets.forEach((corners, f) => {
    corners.forEach((p, k) => p.forEach((v, c) => view.setFloat32(84 + 50 * f + 12 + 12 * k + 4 * c, v, true)));
    view.setUint16(84 + 50 * f + 48, attributeBytes, true);
  });
  return out;
}

const cubeSoup = (): number[][][] => CUBE_TRIANGLES.map((t) => t.map((i) => CUBE_POINTS[i]));

/** Checks that `mesh` has exactly the cube's corners and that each triangle has the soup's corner coordinates. */
function assertIsCube(mesh: MeshData): void {
  assert.equal(mesh.points.length / 3, 8, 'STL vertices welded to the 8 cube corners');
  assert.equal(mesh.triangles?.length, 36, '12 triangles');
  const soup = cubeSoup();
  const triangles = mesh.triangles ?? new Uint32Array(0);
  for (let t = 0; t < 12; t++) {
    for (let k = 0; k < 3; k++) {
      const v: number = triangles[3 * t + k];
      assert.deepEqual(Array.from(mesh.points.subarray(3 * v, 3 * v + 3)), soup[t][k], `triangle ${t} corner ${k}`);
    }
  }
}

function asciiCube(twoSolids: boolean): string {
  const lines: string[] = ['solid cube SPACE=RAS'];
  cubeSoup().forEach((corners, t) => {
    if (twoSolids && t === 6) lines.push('endsolid cube', 'SOLID second part');
    lines.push('  facet normal 0 0 0', '    outer loop');
    for (const p of corners) lines.push(`      vertex ${p.map((v) => v.toExponential()).join(' ')}`);
    lines.push('    endloop', '  endfacet');
  });
  lines.push(twoSolids ? 'endsolid second part' : 'endsolid cube');
  return lines.join('\r\n') + '\r\n';
}

test('binary STL cube: 36 facet vertices weld into 8, 12 triangles, header beginning with "solid" is still binary', () => {
  const mesh = parse(binaryStl('solid exported by some CAD tool SPACE=RAS', cubeSoup()));
  assertIsCube(mesh);
  assert.deepEqual(Array.from(mesh.points.subarray(0, 3)), [10, -5, 0.25]);
  assert.equal(mesh.declaredFrame, 'RAS');
  assert.deepEqual(mesh.arrays, []);
  assert.equal(parse(binaryStl('no frame here', cubeSoup())).declaredFrame, undefined);
});

test('ASCII STL cube, one solid and two solids, CRLF, exponents, any keyword case', () => {
  for (const twoSolids of [false, true]) {
    const mesh = parse(text(asciiCube(twoSolids)));
    assertIsCube(mesh);
    assert.equal(mesh.declaredFrame, 'RAS');
  }
});

test('welding merges only bit-identical vertices (−0 and +0 are one vertex, a one-ulp difference is not)', () => {
  const ulp = 1 + 2 ** -23;
  const mesh = parse(
    binaryStl('x', [
      [[0, 0, 0], [1, 0, 0], [0, 1, 0]],
      [[-0, 0, -0], [0, 1, 0], [ulp, 0, 0]],
    ]),
  );
  assert.equal(mesh.points.length / 3, 4);
  assert.deepEqual(Array.from(mesh.triangles ?? []), [0, 1, 2, 0, 2, 3]);
  assert.equal(mesh.points[9], Math.fround(ulp));
});

const CUBE_MESH: MeshData = {
  points: new Float64Array(CUBE_POINTS.flat()),
  triangles: new Uint32Array(CUBE_TRIANGLES.flat()),
  arrays: [],
};

for (const binary of [true, false]) {
  for (const frame of ['LPS', 'RAS'] as const) {
    test(`STL round trip (${binary ? 'binary' : 'ASCII'}, ${frame})`, () => {
      const bytes = stlCodec.serialize!(CUBE_MESH, { frame, binary });
      if (binary) assert.equal(bytes.length, 84 + 50 * 12);
      else assert.match(new TextDecoder().decode(bytes.subarray(0, 40)), new RegExp(`^solid SPACE=${frame}\\n`));
      const back = parse(bytes);
      assert.equal(back.declaredFrame, frame);
      // The cube's corners are float32-exact and welding keeps first-seen order, which here is the original order
      // of CUBE_TRIANGLES' corners; so compare through the triangles.
      assertIsCube(back);
    });
  }
}

test('STL writer computes unit outward facet normals; ASCII keeps full double precision', () => {
  const bytes = stlCodec.serialize!(CUBE_MESH, { frame: 'LPS', binary: true });
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const normalOf = (f: number): number[] => [0, 1, 2].map((c) => view.getFloat32(84 + 50 * f + 4 * c, true));
  assert.deepEqual(normalOf(0), [0, 0, -1]);
  assert.deepEqual(normalOf(2), [0, 0, 1]);
  assert.deepEqual(normalOf(4), [0, -1, 0]);
  assert.deepEqual(normalOf(10), [1, 0, 0]);
  const precise: MeshData = { points: new Float64Array([0.1, 1 / 3, -1e-12, 1, 0, 0, 0, 1, 0]), triangles: new Uint32Array([0, 1, 2]), arrays: [] };
  const ascii = parse(stlCodec.serialize!(precise, { frame: 'LPS', binary: false }));
  assert.deepEqual(ascii.points, precise.points);
  const binary = parse(stlCodec.serialize!(precise, { frame: 'LPS', binary: true }));
  assert.deepEqual(Array.from(binary.points), Array.from(precise.points, Math.fround));
  assert.throws(() => stlCodec.serialize!({ points: new Float64Array(3), arrays: [] }, { frame: 'LPS' }), /point set/);
});

test('STL written by Monge reads in ITK (itk-wasm), and STL written by ITK reads in Monge', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'monge-stl-'));
  try {
    for (const binary of [true, false]) {
      const path = join(dir, `monge-${binary}.stl`);
      writeFileSync(path, stlCodec.serialize!(CUBE_MESH, { frame: 'LPS', binary }));
      const { mesh } = await stlReadMeshNode(path);
      assert.equal(mesh.numberOfPoints, 8, 'ITK welds the cube to 8 points too');
      assert.equal(mesh.numberOfCells, 12);
      const itkPoints = Array.from(mesh.points as Float32Array);
      const corners = new Set(CUBE_POINTS.map((p) => p.join(',')));
      for (let i = 0; i < itkPoints.length; i += 3) assert.ok(corners.has(itkPoints.slice(i, i + 3).join(',')));

      const itkPath = join(dir, `itk-${binary}.stl`);
      await stlWriteMeshNode(mesh, itkPath, { binaryFileType: binary });
      const itkBytes = new Uint8Array(readFileSync(itkPath));
      assert.equal(itkBytes.length === 84 + 50 * 12, binary, 'ITK wrote the encoding asked for');
      const back = parse(itkBytes);
      assertIsCubeGeometry(back);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The cube up to vertex order and triangle order/rotation: 8 corners, 12 triangles with the cube's corner sets. */
function assertIsCubeGeometry(mesh: MeshData): void {
  assert.equal(mesh.points.length / 3, 8);
  assert.equal(mesh.triangles?.length, 36);
  const key = (t: number[][]): string => t.map((p) => p.join(',')).sort().join(' ');
  const expected = new Set(cubeSoup().map(key));
  const triangles = mesh.triangles ?? new Uint32Array(0);
  for (let t = 0; t < 12; t++) {
    const corners = [0, 1, 2].map((k) => Array.from(mesh.points.subarray(3 * triangles[3 * t + k], 3 * triangles[3 * t + k] + 3)));
    assert.ok(expected.has(key(corners)), `triangle ${t} is a cube triangle`);
  }
}

test('a 1M-triangle binary STL parses in about a second', () => {
  // A 708 × 708 height-field grid: 1,002,528 triangles, 502,681 distinct vertices.
  const n = 708;
  const facets = 2 * n * n;
  const bytes = new Uint8Array(84 + 50 * facets);
  const view = new DataView(bytes.buffer);
  view.setUint32(80, facets, true);
  const put = (f: number, k: number, i: number, j: number): void => {
    const o = 84 + 50 * f + 12 + 12 * k;
    view.setFloat32(o, i * 0.5, true);
    view.setFloat32(o + 4, j * 0.5, true);
    view.setFloat32(o + 8, Math.sin(i * 0.1) * Math.cos(j * 0.1), true);
  };
  let f = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      put(f, 0, i, j);
      put(f, 1, i + 1, j);
      put(f, 2, i + 1, j + 1);
      f++;
      put(f, 0, i, j);
      put(f, 1, i + 1, j + 1);
      put(f, 2, i, j + 1);
      f++;
    }
  }
  const start = performance.now();
  const mesh = parse(bytes);
  const seconds = (performance.now() - start) / 1000;
  assert.equal(mesh.triangles?.length, 3 * facets);
  assert.equal(mesh.points.length / 3, (n + 1) * (n + 1));
  assert.ok(seconds < 2, `parsing took ${seconds.toFixed(2)} s`);
});

test('a binary STL whose header starts with "solid" is told from ASCII by its bytes: truncated is said so, a few trailing bytes are ignored', () => {
  for (const header of ['solid binary exported by SolidWorks', 'binary']) {
    const cube = binaryStl(header, cubeSoup());
    // One byte short, and half a facet short: a binary truncation, not an ASCII solid without "endsolid".
    for (const short of [cube.length - 1, cube.length - 25]) {
      assert.throws(
        () => parse(cube.subarray(0, short)),
        (e: unknown) => e instanceof InputError && e.problem === 'truncated' && e.file === FILE && e.message === `${FILE}: binary STL, truncated (${short} bytes, ${cube.length} expected for the 12 facets the header counts)`,
        header,
      );
    }
    // Up to 49 bytes after the last facet (padding, as VTK ignores it) are ignored; a whole facet more is refused.
    for (const extra of [1, 2, 49]) {
      const trailing = new Uint8Array(cube.length + extra);
      trailing.set(cube);
      assertIsCube(parse(trailing));
    }
    const oneMore = new Uint8Array(cube.length + 50);
    oneMore.set(cube);
    assertProblem(() => parse(oneMore), 'count-mismatch');
  }
  // A short ASCII file still reads as ASCII, and its errors stay ASCII ones.
  const ascii = asciiCube(false);
  assert.throws(() => parse(text(ascii.slice(0, ascii.indexOf('endsolid')))), /no "endsolid"/);
});

test('bad STL input gives an InputError with the right problem', () => {
  const cube = binaryStl('binary', cubeSoup());
  assertProblem(() => parse(new Uint8Array(0)), 'empty');
  assertProblem(() => parse(cube.subarray(0, cube.length - 1)), 'truncated');
  assertProblem(() => parse(cube.subarray(0, 50)), 'truncated');
  const padded = new Uint8Array(cube.length + 50);
  padded.set(cube);
  assertProblem(() => parse(padded), 'count-mismatch');
  const huge = cube.slice();
  new DataView(huge.buffer).setUint32(80, 0xffffffff, true);
  assertProblem(() => parse(huge), 'truncated');
  for (const bad of [NaN, Infinity, -Infinity]) {
    const soup = cubeSoup();
    soup[5][1] = [1, bad, 1];
    assertProblem(() => parse(binaryStl('binary', soup)), 'non-finite');
  }
  const ascii = asciiCube(false);
  assertProblem(() => parse(text(ascii.replace('vertex 1e+1 -5e+0 2.5e-1', 'vertex 1e+1 nan 2.5e-1'))), 'non-finite');
  assertProblem(() => parse(text(ascii.replace('vertex 1e+1 -5e+0 2.5e-1', 'vertex 1e+1 -inf 2.5e-1'))), 'non-finite');
  assertProblem(() => parse(text(ascii.replace('outer loop', 'outer lop'))), 'malformed');
  assertProblem(() => parse(text(ascii.replace('vertex 1e+1 -5e+0 2.5e-1', 'vertex 1e+1 minus5 2.5e-1'))), 'malformed');
  assertProblem(() => parse(text(ascii.slice(0, ascii.indexOf('endsolid')))), 'truncated');
  assertProblem(() => parse(text(ascii.slice(0, ascii.indexOf('endloop')))), 'truncated');
  assertProblem(() => parse(text('solid x\n  facet normal 0 0 1\n outer loop\n vertex 0 0 0\n vertex 1 0 0\n endloop\n endfacet\nendsolid\n')), 'malformed');
});
