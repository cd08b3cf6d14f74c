/**
 * STL (stereolithography) meshes, binary and ASCII.
 *
 * Binary: an 80-byte header, a uint32 little-endian facet count n, then n 50-byte facets (normal, three
 * vertices: 12 float32; a uint16 attribute). ASCII: `solid name` / `facet normal nx ny nz` / `outer loop` /
 * `vertex x y z` ×3 / `endloop` / `endfacet` … `endsolid name`, possibly several solids in one file.
 * Reference: 3D Systems, "StereoLithography Interface Specification" (1989, 1988 draft); the de-facto rules
 * are those of VTK's vtkSTLReader / vtkSTLWriter.
 *
 * A binary file is recognised by its size, exactly 84 + 50 n bytes, or by bytes no text holds (NUL, control
 * characters), not by the absence of "solid": many binary exporters start the header with "solid". Fewer than 50
 * bytes after the last counted facet are ignored (see `parse`). STL repeats each vertex in every facet that uses
 * it; the reader welds bit-identical vertices (./vertex-welder.ts) so the mesh comes back indexed and connected.
 * Facet normals are ignored on reading and recomputed from the triangles on writing. Slicer declares the frame with `SPACE=RAS|LPS`
 * in the binary header or the ASCII solid name (./declared-frame.ts); Monge reads and writes the same tag.
 */
import { triangleCrossInto } from '../../shape/triangle-geometry.ts';
import { InputError } from '../errors.ts';
import { frameDeclaredIn, spaceTag } from './declared-frame.ts';
import { GrowableArray } from './growable-array.ts';
import { TextScanner, latin1 } from './text-scanner.ts';
import type { MeshCodec, MeshData, MeshWriteOptions } from './types.ts';
import { VertexWelder } from './vertex-welder.ts';
import { TextOutput, formatNumber } from './text-output.ts';

const HEADER_BYTES = 80;
const FACET_BYTES = 50;
const FLOAT32_EXPONENT = 0x7f800000;

/** True when the bytes (after leading whitespace) start with the word `solid`. */
function startsWithSolid(bytes: Uint8Array): boolean {
  let p = 0;
  while (p < bytes.length && p < 256 && (bytes[p] === 0x20 || bytes[p] === 0x09 || bytes[p] === 0x0d || bytes[p] === 0x0a)) p++;
  return latin1(bytes, p, Math.min(bytes.length, p + 5)).toLowerCase() === 'solid';
}

/** True when the first bytes look like ASCII STL text (printable, with a facet or endsolid keyword). */
function looksLikeAsciiStl(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, Math.min(bytes.length, 1024));
  for (const b of head) if (b === 0 || b > 0x7e) return false;
  const text = latin1(head).toLowerCase();
  return text.includes('facet') || text.includes('endsolid');
}

function parseBinary(bytes: Uint8Array, file: string, facets: number): MeshData {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = latin1(bytes, 0, HEADER_BYTES).replace(/\0.*$/s, '');
  const welder = new VertexWelder(Math.min(facets, 1 << 24));
  const triangles = new Uint32Array(3 * facets);
  for (let f = 0; f < facets; f++) {
    const base = HEADER_BYTES + 4 + FACET_BYTES * f + 12;
    for (let c = 0; c < 3; c++) {
      const o = base + 12 * c;
      const bx = view.getUint32(o, true);
      const by = view.getUint32(o + 4, true);
      const bz = view.getUint32(o + 8, true);
      if ((bx & FLOAT32_EXPONENT) === FLOAT32_EXPONENT || (by & FLOAT32_EXPONENT) === FLOAT32_EXPONENT || (bz & FLOAT32_EXPONENT) === FLOAT32_EXPONENT) {
        throw new InputError(file, 'non-finite', `facet ${f} has a NaN or infinite vertex coordinate`);
      }
      triangles[3 * f + c] = welder.add(view.getFloat32(o, true), view.getFloat32(o + 4, true), view.getFloat32(o + 8, true));
    }
  }
  return withFrame({ points: welder.points(), triangles, arrays: [] }, frameDeclaredIn(header));
}

/** `mesh` with `declaredFrame` set only when the file declares one. */
function withFrame(mesh: MeshData, frame: MeshData['declaredFrame']): MeshData {
  if (frame) mesh.declaredFrame = frame;
  return mesh;
}

function expectWord(s: TextScanner, word: string): void {
  if (s.matchWord(word)) return;
  if (s.atEnd) throw s.error('truncated', `the file ends where "${word}" was expected`);
  throw s.error('malformed', `expected "${word}", found "${s.peekToken()}"`);
}

function parseAscii(bytes: Uint8Array, file: string): MeshData {
  const s = new TextScanner(bytes, file);
  const welder = new VertexWelder(Math.min(Math.ceil(bytes.length / 400), 1 << 22));
  const triangles = new GrowableArray(Uint32Array, Math.min(Math.ceil(bytes.length / 200) * 3, 1 << 24));
  let declaredFrame: MeshData['declaredFrame'];
  let solids = 0;
  const corners: number[] = [];
  for (;;) {
    s.skipWhitespace();
    if (s.atEnd) break;
    expectWord(s, 'solid');
    solids++;
    const name = s.restOfLine(); // read even when a frame is already known: it moves the cursor
    declaredFrame ??= frameDeclaredIn(name);
    for (;;) {
      if (s.matchWord('endsolid')) {
        s.restOfLine();
        break;
      }
      if (s.atEnd) throw s.error('truncated', 'the file ends inside a solid (no "endsolid")');
      if (!s.matchWord('facet')) throw s.error('malformed', `expected "facet" or "endsolid", found "${s.peekToken()}"`);
      expectWord(s, 'normal');
      for (let c = 0; c < 3; c++) s.number();
      expectWord(s, 'outer');
      expectWord(s, 'loop');
      corners.length = 0;
      while (!s.matchWord('endloop')) {
        if (s.atEnd) throw s.error('truncated', 'the file ends inside a facet');
        if (!s.matchWord('vertex')) throw s.error('malformed', `expected "vertex" or "endloop", found "${s.peekToken()}"`);
        const x = s.number();
        const y = s.number();
        const z = s.number();
        if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(z)) {
          throw s.error('non-finite', 'a vertex coordinate is NaN or infinite');
        }
        corners.push(welder.add(x, y, z));
      }
      expectWord(s, 'endfacet');
      if (corners.length < 3) throw s.error('malformed', `a facet has ${corners.length} vertices, at least 3 are needed`);
      for (let k = 1; k + 1 < corners.length; k++) triangles.push3(corners[0], corners[k], corners[k + 1]);
    }
  }
  if (solids === 0) throw new InputError(file, 'empty', 'the file holds no solid');
  return withFrame({ points: welder.points(), triangles: triangles.toArray(), arrays: [] }, declaredFrame);
}

/**
 * True when the first KiB holds a byte no text file has: NUL or a control character other than tab, LF, VT, FF,
 * CR. Any binary STL of fewer than 2^24 facets has a 0 in its count's high byte (offset 83), and its floats and
 * attribute words are full of them, so a binary file whose header starts with "solid" is caught here even when its
 * size is wrong. Bytes above 0x7e are not counted: a solid's name may be UTF-8.
 */
function hasBinaryBytes(bytes: Uint8Array): boolean {
  const end = Math.min(bytes.length, 1024);
  for (let i = 0; i < end; i++) {
    const b = bytes[i];
    if (b < 0x20 && !(b >= 0x09 && b <= 0x0d)) return true;
  }
  return false;
}

function parse(bytes: Uint8Array, file: string): MeshData {
  if (bytes.length === 0) throw new InputError(file, 'empty', 'the file is empty');
  const solid = startsWithSolid(bytes);
  const binary = !solid || hasBinaryBytes(bytes);
  if (bytes.length < HEADER_BYTES + 4) {
    if (binary) throw new InputError(file, 'truncated', `binary STL needs at least ${HEADER_BYTES + 4} bytes, the file has ${bytes.length}`);
    return parseAscii(bytes, file);
  }
  const facets = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(HEADER_BYTES, true);
  const expected = HEADER_BYTES + 4 + FACET_BYTES * facets;
  if (bytes.length === expected && !(solid && facets > 0 && looksLikeAsciiStl(bytes))) return parseBinary(bytes, file, facets);
  if (!binary) return parseAscii(bytes, file);
  if (bytes.length < expected) {
    throw new InputError(file, 'truncated', `binary STL, truncated (${bytes.length} bytes, ${expected} expected for the ${facets} facets the header counts)`);
  }
  // Trailing bytes: fewer than one facet's worth (padding some exporters add) are ignored, as VTK's reader, which
  // reads whole facets until the end, ignores them too. A whole facet or more past the count is refused: VTK would
  // read those bytes as more triangles, Monge by the count, and neither can know which the writer meant.
  if (bytes.length - expected < FACET_BYTES) return parseBinary(bytes, file, facets);
  throw new InputError(
    file,
    'count-mismatch',
    `binary STL: the header counts ${facets} facets (${expected} bytes) but the file has ${bytes.length} bytes, ${Math.floor((bytes.length - expected) / FACET_BYTES)} more facets' worth`,
  );
}

/** Unit normal of triangle t (zero for a degenerate triangle). */
function facetNormal(points: Float64Array, triangles: Uint32Array, t: number, out: Float64Array): void {
  triangleCrossInto(points, triangles[3 * t], triangles[3 * t + 1], triangles[3 * t + 2], out);
  const len = Math.hypot(out[0], out[1], out[2]);
  const inv = len > 0 ? 1 / len : 0;
  out[0] *= inv;
  out[1] *= inv;
  out[2] *= inv;
}

function serialize(mesh: MeshData, options: MeshWriteOptions): Uint8Array {
  const triangles = mesh.triangles;
  if (!triangles) throw new Error('STL stores triangles only: a point set cannot be written as STL (use .ply, .vtk or .vtp)');
  const points = mesh.points;
  const count = triangles.length / 3;
  const tag = spaceTag(options.frame);
  const normal = new Float64Array(3);
  if (options.binary !== false) {
    const out = new Uint8Array(HEADER_BYTES + 4 + FACET_BYTES * count);
    out.fill(0x20, 0, HEADER_BYTES);
    out.set(new TextEncoder().encode(`Monge binary STL ${tag}`), 0);
    const view = new DataView(out.buffer);
    view.setUint32(HEADER_BYTES, count, true);
    for (let t = 0; t < count; t++) {
      let o = HEADER_BYTES + 4 + FACET_BYTES * t;
      facetNormal(points, triangles, t, normal);
      for (let c = 0; c < 3; c++, o += 4) view.setFloat32(o, normal[c], true);
      for (let k = 0; k < 3; k++) {
        const v = 3 * triangles[3 * t + k];
        for (let c = 0; c < 3; c++, o += 4) view.setFloat32(o, points[v + c], true);
      }
    }
    return out;
  }
  const text = new TextOutput();
  text.line(`solid ${tag}`);
  for (let t = 0; t < count; t++) {
    facetNormal(points, triangles, t, normal);
    text.line(`  facet normal ${formatNumber(normal[0])} ${formatNumber(normal[1])} ${formatNumber(normal[2])}`);
    text.line('    outer loop');
    for (let k = 0; k < 3; k++) {
      const v = 3 * triangles[3 * t + k];
      text.line(`      vertex ${formatNumber(points[v])} ${formatNumber(points[v + 1])} ${formatNumber(points[v + 2])}`);
    }
    text.line('    endloop');
    text.line('  endfacet');
  }
  text.line(`endsolid ${tag}`);
  return text.bytes();
}

export const stlCodec: MeshCodec = {
  format: 'stl',
  extensions: ['.stl'],
  defaultFrame: 'LPS',
  parse,
  serialize,
};
