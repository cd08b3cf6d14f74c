/**
 * Geomview OFF meshes (ASCII), with the ST / C / N prefixes.
 * Reference: Geomview manual, "OFF Files", http://www.geomview.org/docs/html/OFF.html
 *
 *   [ST][C][N]OFF            header keyword (4OFF, nOFF and `OFF BINARY` are not supported)
 *   nVertices nFaces nEdges  (nEdges is ignored)
 *   x y z [nx ny nz] [r g b [a]] [s t]        one vertex per line, in that order
 *   n i0 … i(n−1) [colour]                    one face per line; polygons are fanned into triangles
 *
 * '#' starts a comment anywhere. Vertex normals (NOFF) become 'Normals' (spatial vector); vertex colours (COFF)
 * become 'RGBA': uchar when written as integers 0–255 (at least one above 1), float otherwise (Geomview's 0–1
 * floats), alpha defaulting to opaque when a line gives only r g b; the writer gives float colours a decimal
 * point. Face colours are ignored. A `# SPACE=RAS|LPS` comment declares the frame.
 */
import type { PointArray } from '../../arrays/index.ts';
import { InputError } from '../errors.ts';
import { frameDeclaredIn, spaceTag } from './declared-frame.ts';
import { GrowableArray } from './growable-array.ts';
import { TextOutput, formatNumber } from './text-output.ts';
import { TextScanner } from './text-scanner.ts';
import type { MeshCodec, MeshData, MeshWriteOptions } from './types.ts';

const HASH = 0x23;
const STOP_AT_HASH = [HASH];
const MAX_VALUES_PER_LINE = 16;

interface OffLayout {
  texture: boolean;
  colour: boolean;
  normals: boolean;
}

function parseKeyword(keyword: string, s: TextScanner): OffLayout {
  const m = /^(ST)?(C)?(N)?(4)?(n)?OFF$/.exec(keyword);
  if (!m) throw s.error('bad-magic', `not an OFF file (expected an OFF keyword, found "${keyword.slice(0, 40)}")`);
  if (m[4] || m[5]) throw s.error('unsupported', `${keyword}: only 3-dimensional OFF files are supported`);
  return { texture: Boolean(m[1]), colour: Boolean(m[2]), normals: Boolean(m[3]) };
}

/** Moves to the next line that holds data (past blank lines and comments); false at the end. */
function nextDataLine(s: TextScanner, onComment: (text: string) => void): boolean {
  s.skipWhitespaceAndComments(HASH, onComment);
  return !s.atEnd;
}

/** Reads the numbers of the current line (up to a comment or the line end) into `out`; returns how many. */
function lineNumbers(s: TextScanner, out: Float64Array, integerLiterals: boolean[]): number {
  let n = 0;
  for (;;) {
    if (s.atLineEnd() || s.peek() === HASH) break;
    if (n === out.length) throw s.error('malformed', `more than ${out.length} values on one line`);
    const v = s.numberHere(STOP_AT_HASH);
    if (v === undefined) throw s.error('malformed', `expected a number, found "${s.peekToken()}"`);
    integerLiterals[n] = s.lastWasIntegerLiteral;
    out[n++] = v;
  }
  s.skipLine();
  return n;
}

function readCount(s: TextScanner, what: string, onComment: (text: string) => void): number {
  if (!nextDataLine(s, onComment)) throw s.error('truncated', `the file ends before the ${what} count`);
  const v = s.numberHere(STOP_AT_HASH);
  if (v === undefined || !Number.isSafeInteger(v) || v < 0) throw s.error('malformed', `the ${what} count must be a non-negative integer, found "${s.peekToken()}"`);
  return v;
}

function parse(bytes: Uint8Array, file: string): MeshData {
  if (bytes.length === 0) throw new InputError(file, 'empty', 'the file is empty');
  const s = new TextScanner(bytes, file);
  let declaredFrame: MeshData['declaredFrame'];
  const onComment = (text: string): void => {
    declaredFrame ??= frameDeclaredIn(text);
  };
  if (!nextDataLine(s, onComment)) throw new InputError(file, 'empty', 'the file holds only comments');
  const layout = parseKeyword(s.token(), s);
  const after = s.inlineToken();
  if (after !== '') {
    if (after.toUpperCase() === 'BINARY') throw s.error('unsupported', 'binary OFF is not supported');
    s.pos -= after.length; // counts on the keyword line
  }
  const vertexCount = readCount(s, 'vertex', onComment);
  const faceCount = readCount(s, 'face', onComment);
  // The edge count is required by Geomview but omitted by some writers: read it only from the same line.
  if (!s.atLineEnd() && s.peek() !== HASH) readCount(s, 'edge', onComment);
  s.skipLine();

  const base = 3 + (layout.normals ? 3 : 0);
  // Before allocating: a vertex line takes at least "x y z\n" (6 bytes), a face line at least "n\n".
  if (vertexCount * 6 + faceCount * 2 > s.end - s.pos + 1) {
    throw new InputError(file, 'count-mismatch', `the header declares ${vertexCount} vertices and ${faceCount} faces, more than the file can hold`);
  }
  const points = new Float64Array(3 * vertexCount);
  const normals = layout.normals ? new Float32Array(3 * vertexCount) : undefined;
  const colours = layout.colour ? new Float64Array(4 * vertexCount) : undefined;
  let coloursAreIntegers = true;
  const line = new Float64Array(MAX_VALUES_PER_LINE);
  const integerLiterals: boolean[] = [];
  for (let i = 0; i < vertexCount; i++) {
    if (!nextDataLine(s, onComment)) throw s.error('count-mismatch', `the file ends after ${i} of the ${vertexCount} vertices the header declares`);
    const n = lineNumbers(s, line, integerLiterals);
    const colourValues = n - base - (layout.texture ? 2 : 0);
    if (n < base || (layout.colour && colourValues !== 3 && colourValues !== 4) || (!layout.colour && colourValues < 0)) {
      throw new InputError(file, 'malformed', `line ${s.lineAt(s.pos - 1)}: vertex ${i} has ${n} values, which does not fit the ${layout.colour ? 'C' : ''}${layout.normals ? 'N' : ''}OFF layout`);
    }
    if (!Number.isFinite(line[0]) || !Number.isFinite(line[1]) || !Number.isFinite(line[2])) {
      throw new InputError(file, 'non-finite', `line ${s.lineAt(s.pos - 1)}: vertex ${i} has a NaN or infinite coordinate`);
    }
    points[3 * i] = line[0];
    points[3 * i + 1] = line[1];
    points[3 * i + 2] = line[2];
    if (normals) for (let c = 0; c < 3; c++) normals[3 * i + c] = line[3 + c];
    if (colours) {
      for (let c = 0; c < colourValues; c++) {
        colours[4 * i + c] = line[base + c];
        if (!integerLiterals[base + c]) coloursAreIntegers = false;
      }
      colours[4 * i + 3] = colourValues === 4 ? line[base + 3] : NaN; // opaque, filled in below
    }
  }
  const triangles = new GrowableArray(Uint32Array, Math.min(3 * faceCount, 1 << 24));
  const face = new Float64Array(1 << 16);
  const faceIntegers: boolean[] = [];
  for (let f = 0; f < faceCount; f++) {
    if (!nextDataLine(s, onComment)) throw s.error('count-mismatch', `the file ends after ${f} of the ${faceCount} faces the header declares`);
    const lineStart = s.pos;
    const n = lineNumbers(s, face, faceIntegers);
    const corners = face[0];
    if (!Number.isInteger(corners) || corners < 0 || n < 1 + corners) {
      throw new InputError(file, 'malformed', `line ${s.lineAt(lineStart)}: face ${f} declares ${corners} vertices but gives ${n - 1} values`);
    }
    for (let k = 1; k <= corners; k++) {
      const v = face[k];
      if (!Number.isInteger(v) || v < 0 || v >= vertexCount) {
        throw new InputError(file, 'index-out-of-range', `line ${s.lineAt(lineStart)}: face ${f} uses vertex ${v}, but there are ${vertexCount} vertices`);
      }
    }
    for (let k = 2; k + 1 <= corners; k++) triangles.push3(face[1], face[k], face[k + 1]);
  }
  if (nextDataLine(s, onComment)) throw s.error('count-mismatch', 'data follows the faces the header declares');

  const arrays: PointArray[] = [];
  if (normals) arrays.push({ name: 'Normals', components: 3, values: normals, spatialVector: true });
  if (colours) {
    // Bytes only when every value is an integer literal in 0–255 and one of them is above 1. Integers that are all
    // 0 or 1 ("1 0 0 1", as %g writes Geomview's float red) are 0–1 floats: as bytes they would be black and all
    // but transparent, which no one writes on purpose. NaN marks an alpha the line left out.
    let inByteRange = true;
    let aboveOne = false;
    for (const v of colours) {
      if (Number.isNaN(v)) continue;
      if (!(v >= 0 && v <= 255)) inByteRange = false;
      if (v > 1) aboveOne = true;
    }
    const asBytes = coloursAreIntegers && inByteRange && aboveOne;
    const opaque = asBytes ? 255 : 1;
    for (let i = 3; i < colours.length; i += 4) if (Number.isNaN(colours[i])) colours[i] = opaque;
    arrays.push({ name: 'RGBA', components: 4, values: asBytes ? Uint8Array.from(colours) : Float32Array.from(colours) });
  }
  const data: MeshData = { points, arrays };
  if (faceCount > 0) data.triangles = triangles.toArray();
  if (declaredFrame) data.declaredFrame = declaredFrame;
  return data;
}

function serialize(mesh: MeshData, options: MeshWriteOptions): Uint8Array {
  const p = mesh.points;
  const n = p.length / 3;
  const normals = mesh.arrays.find((a) => a.name === 'Normals' && a.components === 3 && a.values.length === 3 * n);
  const colours = mesh.arrays.find((a) => a.name === 'RGBA' && a.components === 4 && a.values.length === 4 * n);
  const t = mesh.triangles ?? new Uint32Array(0);
  // The reader tells byte colours from float ones by the literals: float colours always carry a decimal point
  // ("1.0", not "1"), or a float RGBA of 1s and 0s would come back as bytes.
  const floatColours = colours !== undefined && (colours.values instanceof Float32Array || colours.values instanceof Float64Array);
  const colourText = (x: number): string => {
    const s = formatNumber(x);
    return floatColours && /^-?\d+$/.test(s) ? `${s}.0` : s;
  };
  const text = new TextOutput();
  text.line(`${colours ? 'C' : ''}${normals ? 'N' : ''}OFF`);
  text.line(`# written by Monge, ${spaceTag(options.frame)}`);
  text.line(`${n} ${t.length / 3} 0`);
  for (let i = 0; i < n; i++) {
    let row = `${formatNumber(p[3 * i])} ${formatNumber(p[3 * i + 1])} ${formatNumber(p[3 * i + 2])}`;
    if (normals) {
      const v = normals.values;
      row += ` ${formatNumber(v[3 * i])} ${formatNumber(v[3 * i + 1])} ${formatNumber(v[3 * i + 2])}`;
    }
    if (colours) {
      const v = colours.values;
      row += ` ${colourText(v[4 * i])} ${colourText(v[4 * i + 1])} ${colourText(v[4 * i + 2])} ${colourText(v[4 * i + 3])}`;
    }
    text.line(row);
  }
  for (let i = 0; i < t.length; i += 3) text.line(`3 ${t[i]} ${t[i + 1]} ${t[i + 2]}`);
  return text.bytes();
}

export const offCodec: MeshCodec = {
  format: 'off',
  extensions: ['.off'],
  defaultFrame: 'LPS',
  parse,
  serialize,
};
