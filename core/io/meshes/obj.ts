/**
 * Wavefront OBJ meshes (geometry only).
 * Reference: Wavefront Technologies, "Appendix B1. Object Files (.obj)", Advanced Visualizer manual;
 * https://paulbourke.net/dataformats/obj/
 *
 * Read: `v x y z [w | r g b]` (only xyz kept), `f` with `v`, `v/vt`, `v//vn`, `v/vt/vn` corners, 1-based or
 * negative (relative to the vertices defined so far) indices, polygons fanned into triangles. `vn` normals are
 * kept as a 'Normals' array only in the trivial case where every face corner uses the normal of the same index as
 * its vertex and there is one normal per vertex (what Monge writes); other attributes and statements (vt, o, g,
 * s, usemtl, mtllib, l, p) are ignored. A `# SPACE=RAS|LPS` comment declares the frame (Slicer's convention).
 * A file with vertices and no faces is a point cloud.
 * Write: `v` lines with shortest round-trip numbers, `vn` + `f a//a …` when a 'Normals' array is present, else
 * `f a b c`.
 */
import type { PointArray } from '../../arrays/index.ts';
import { InputError } from '../errors.ts';
import { frameDeclaredIn, spaceTag } from './declared-frame.ts';
import { GrowableArray } from './growable-array.ts';
import { TextOutput, formatNumber } from './text-output.ts';
import { TextScanner, isInlineSpace } from './text-scanner.ts';
import type { MeshCodec, MeshData, MeshWriteOptions } from './types.ts';

const LF = 0x0a;
const HASH = 0x23;
const SLASH = 0x2f;
const STOP_AT_SLASH = [SLASH];

/** True when the statement at `s.pos` is the keyword `word` followed by inline space or a line end. */
function isKeyword(s: TextScanner, word: string): boolean {
  const b = s.bytes;
  const p = s.pos;
  for (let i = 0; i < word.length; i++) if (b[p + i] !== word.charCodeAt(i)) return false;
  const after = p + word.length;
  return after >= s.end || isInlineSpace(b[after]) || b[after] === LF;
}

/**
 * Reads one face-corner index (positive 1-based or negative relative) and resolves it to 0-based. Both kinds
 * refer to elements defined earlier in the file (forward references are not OBJ).
 */
function cornerIndex(s: TextScanner, defined: number, what: string): number {
  const v = s.numberHere(STOP_AT_SLASH);
  if (v === undefined || !Number.isInteger(v)) throw s.error('malformed', `expected a ${what} index, found "${s.peekToken()}"`);
  if (v === 0) throw s.error('index-out-of-range', `${what} index 0 (OBJ indices start at 1)`);
  const index = v > 0 ? v - 1 : defined + v;
  if (index < 0) throw s.error('index-out-of-range', `relative ${what} index ${v} reaches before the first ${what}`);
  if (index >= defined) throw s.error('index-out-of-range', `${what} index ${v}, but only ${defined} ${what === 'vertex' ? 'vertices' : `${what}s`} are defined before this face`);
  return index;
}

function parse(bytes: Uint8Array, file: string): MeshData {
  if (bytes.length === 0) throw new InputError(file, 'empty', 'the file is empty');
  const s = new TextScanner(bytes, file);
  const points = new GrowableArray(Float64Array, Math.min(3 * Math.ceil(bytes.length / 30), 1 << 24));
  const normals = new GrowableArray(Float64Array, 16);
  const triangles = new GrowableArray(Uint32Array, Math.min(3 * Math.ceil(bytes.length / 30), 1 << 24));
  const corners: number[] = [];
  let declaredFrame: MeshData['declaredFrame'];
  let faces = 0;
  let textureCoordinates = 0;
  let normalsPerVertex = true;
  let sawLineData = false;
  while (!s.atEnd) {
    s.skipWhitespace();
    if (s.atEnd) break;
    const c = s.peek();
    if (c === HASH) {
      const comment = s.restOfLine();
      declaredFrame ??= frameDeclaredIn(comment);
      continue;
    }
    if (isKeyword(s, 'v')) {
      s.pos += 1;
      const x = s.number(false, 'malformed');
      const y = s.number(false, 'malformed');
      const z = s.number(false, 'malformed');
      if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(z)) {
        throw s.error('non-finite', `vertex ${points.length / 3 + 1} has a NaN or infinite coordinate`);
      }
      points.push3(x, y, z);
      s.skipLine();
      continue;
    }
    if (isKeyword(s, 'vn')) {
      s.pos += 2;
      normals.push3(s.number(false, 'malformed'), s.number(false, 'malformed'), s.number(false, 'malformed'));
      s.skipLine();
      continue;
    }
    if (isKeyword(s, 'f')) {
      s.pos += 1;
      const defined = points.length / 3;
      const definedNormals = normals.length / 3;
      corners.length = 0;
      while (!s.atLineEnd()) {
        if (s.peek() === HASH) break;
        const v = cornerIndex(s, defined, 'vertex');
        let vn = -1;
        if (s.peek() === SLASH) {
          s.pos++;
          if (s.peek() !== SLASH) cornerIndex(s, textureCoordinates, 'texture coordinate');
          if (s.peek() === SLASH) {
            s.pos++;
            vn = cornerIndex(s, definedNormals, 'normal');
          }
        }
        if (vn !== v) normalsPerVertex = false;
        corners.push(v);
      }
      if (corners.length < 3) throw s.error('malformed', `a face has ${corners.length} vertices, at least 3 are needed`);
      for (let k = 1; k + 1 < corners.length; k++) triangles.push3(corners[0], corners[k], corners[k + 1]);
      faces++;
      s.skipLine();
      continue;
    }
    if (isKeyword(s, 'vt')) textureCoordinates++;
    else if (isKeyword(s, 'l')) sawLineData = true;
    s.skipLine();
  }
  if (points.length === 0) {
    throw new InputError(file, 'empty', sawLineData ? 'the OBJ file has only line elements, no vertices' : 'the OBJ file has no vertices');
  }
  const arrays: PointArray[] = [];
  if (faces > 0 && normalsPerVertex && normals.length === points.length) {
    arrays.push({ name: 'Normals', components: 3, values: Float32Array.from(normals.toArray()), spatialVector: true });
  }
  const data: MeshData = { points: points.toArray(), arrays };
  if (faces > 0) data.triangles = triangles.toArray();
  if (declaredFrame) data.declaredFrame = declaredFrame;
  return data;
}

function serialize(mesh: MeshData, options: MeshWriteOptions): Uint8Array {
  const text = new TextOutput();
  text.line('# Wavefront OBJ written by Monge');
  text.line(`# ${spaceTag(options.frame)}`);
  const p = mesh.points;
  for (let i = 0; i < p.length; i += 3) text.line(`v ${formatNumber(p[i])} ${formatNumber(p[i + 1])} ${formatNumber(p[i + 2])}`);
  const normals = mesh.arrays.find((a) => a.name === 'Normals' && a.components === 3 && a.spatialVector && a.values.length === p.length);
  const t = mesh.triangles;
  if (normals && t) {
    const n = normals.values;
    for (let i = 0; i < n.length; i += 3) text.line(`vn ${formatNumber(n[i])} ${formatNumber(n[i + 1])} ${formatNumber(n[i + 2])}`);
    for (let i = 0; i < t.length; i += 3) {
      const a = t[i] + 1;
      const b = t[i + 1] + 1;
      const c = t[i + 2] + 1;
      text.line(`f ${a}//${a} ${b}//${b} ${c}//${c}`);
    }
  } else if (t) {
    for (let i = 0; i < t.length; i += 3) text.line(`f ${t[i] + 1} ${t[i + 1] + 1} ${t[i + 2] + 1}`);
  }
  return text.bytes();
}

export const objCodec: MeshCodec = {
  format: 'obj',
  extensions: ['.obj'],
  defaultFrame: 'LPS',
  parse,
  serialize,
};
