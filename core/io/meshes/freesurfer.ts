/**
 * FreeSurfer binary surfaces (lh.white, rh.pial, *.surf …), as read by FreeSurfer's MRISread
 * (utils/mrisurf_io.cpp) and nibabel.freesurfer.io.read_geometry. All numbers are big-endian.
 *
 * Triangle file (magic FF FF FE): a "created by …" line ended by "\n\n" (a single "\n" is accepted too), int32
 * vertex count, int32 face count, vertices as float32 xyz, faces as int32 triples (0-based). Optional tags may
 * follow (include/tags.h): TAG_OLD_USEREALRAS (2, then an int32 flag), TAG_OLD_SURF_GEOM (20, then the volume
 * geometry as text lines `valid = 1`, `filename = …`, `volume = …`, `voxelsize = …`, `xras = …`, `yras = …`,
 * `zras = …`, `cras = x y z`), TAG_CMDLINE (3, int64 length, text); reading stops at any other tag.
 *
 * Quad files (magic FF FF FF, and FF FF FD with float32 coordinates): 3-byte vertex and quad counts, vertices
 * as int16/100 mm, quads as 3-byte vertex indices; each quad is split into two triangles the way FreeSurfer
 * and nibabel do (the diagonal alternates with the parity of the first vertex).
 *
 * Frame and c_ras: FreeSurfer stores surface coordinates in "tkregister" (surface) RAS, whose origin is the centre
 * of the conformed volume, not the scanner origin. Scanner RAS = tkr RAS + c_ras, with c_ras the volume's centre
 * (the `cras` line of the volume geometry). So that surfaces line up with the subject's MGH/NIfTI volumes in
 * world coordinates, this reader ADDS c_ras to every vertex when the file carries valid volume geometry
 * (`valid = 1`) and the coordinates are not already scanner RAS (TAG_OLD_USEREALRAS = 1). Files without the
 * footer (as MNE's BEM surfaces) are used as stored. Either way the frame is RAS.
 *
 * Writing: a triangle file with the line "created by monge\n\n", the coordinates Monge holds (scanner RAS: c_ras
 * already added to a surface read with a footer), then the footer FreeSurfer's MRISwrite writes, declaring them
 * so: TAG_OLD_USEREALRAS = 1 (vertex coordinates are scanner RAS, not tkregister RAS) and TAG_OLD_SURF_GEOM with
 * `valid = 0` (no volume geometry: Monge does not know which volume the surface belongs to after a registration).
 * Without the flag, FreeSurfer's tools take the coordinates for tkregister RAS and place the surface c_ras away
 * from where it is, relative to the subject's volumes. Readers that ignore the footer (nibabel's read_geometry)
 * see the same scanner-RAS positions (nibabel 5.0 with read_metadata=True warns "Unknown extension code" at
 * useRealRAS = 1, as it does for FreeSurfer's own `mris_convert --to-scanner` surfaces, and returns them all the same).
 * Per-vertex arrays are dropped: the format has none.
 */
import { InputError, check } from '../errors.ts';
import { gunzipInput, isGzip } from '../read-bytes.ts';
import { anatomyFromFreesurferName } from './freesurfer-anatomy.ts';
import type { MeshCodec, MeshData, MeshWriteOptions } from './types.ts';

const TRIANGLE_MAGIC = 0xfffffe;
const QUAD_MAGIC = 0xffffff;
const NEW_QUAD_MAGIC = 0xfffffd;

const TAG_OLD_USEREALRAS = 2;
const TAG_CMDLINE = 3;
const TAG_OLD_SURF_GEOM = 20;

/** How far the created-by line may run before we call the header malformed. */
const MAX_CREATED_BY = 4096;

function uint24(bytes: Uint8Array, at: number): number {
  return (bytes[at] << 16) | (bytes[at + 1] << 8) | bytes[at + 2];
}

function parseFreesurfer(input: Uint8Array, file: string): MeshData {
  const bytes = isGzip(input) ? gunzipInput(input, file) : input;
  check(bytes.length > 0, file, 'empty', 'the file is empty');
  check(bytes.length >= 3, file, 'truncated', 'the file ends inside the magic number');
  const magic = uint24(bytes, 0);
  if (magic === TRIANGLE_MAGIC) return withAnatomy(parseTriangleFile(bytes, file), file);
  if (magic === QUAD_MAGIC || magic === NEW_QUAD_MAGIC) return withAnatomy(parseQuadFile(bytes, magic === NEW_QUAD_MAGIC, file), file);
  throw new InputError(
    file,
    'bad-magic',
    `not a FreeSurfer surface: magic ${magic.toString(16).padStart(6, '0')}, expected fffffe (triangles) or ffffff/fffffd (quads)`,
  );
}

/** `mesh` with the anatomy its file name states (lh.white: the left hemisphere's grey–white surface), if any. */
function withAnatomy(mesh: MeshData, file: string): MeshData {
  const anatomy = anatomyFromFreesurferName(file);
  return anatomy ? { ...mesh, anatomy } : mesh;
}

function parseTriangleFile(bytes: Uint8Array, file: string): MeshData {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const newline = bytes.indexOf(0x0a, 3);
  if (newline < 0) {
    check(bytes.length - 3 < MAX_CREATED_BY, file, 'malformed', 'the "created by" line has no end');
    throw new InputError(file, 'truncated', 'the file ends inside the "created by" line');
  }
  check(newline - 3 < MAX_CREATED_BY, file, 'malformed', 'the "created by" line is implausibly long');
  // "\n\n" as FreeSurfer writes it; some writers put a single "\n". A vertex count's high byte is never 0x0a
  // (that would be over 167 million vertices), so a second newline is unambiguous.
  let at = newline + 1;
  if (bytes[at] === 0x0a) at++;
  check(bytes.length >= at + 8, file, 'truncated', 'the file ends before the vertex and face counts');
  const vertexCount = view.getInt32(at, false);
  const faceCount = view.getInt32(at + 4, false);
  at += 8;
  check(vertexCount >= 0 && faceCount >= 0, file, 'malformed', `negative counts (${vertexCount} vertices, ${faceCount} faces)`);
  const needed = (vertexCount + faceCount) * 12;
  check(
    bytes.length - at >= needed,
    file,
    'truncated',
    `${vertexCount} vertices and ${faceCount} faces need ${needed} bytes, but ${bytes.length - at} remain`,
  );

  const points = new Float64Array(vertexCount * 3);
  for (let k = 0; k < points.length; k++, at += 4) {
    const v = view.getFloat32(at, false);
    if (!Number.isFinite(v)) throw new InputError(file, 'non-finite', `vertex ${Math.floor(k / 3)} has a non-finite coordinate (${v})`);
    points[k] = v;
  }
  const triangles = new Uint32Array(faceCount * 3);
  for (let k = 0; k < triangles.length; k++, at += 4) {
    const v = view.getInt32(at, false);
    if (v < 0 || v >= vertexCount) {
      throw new InputError(file, 'index-out-of-range', `face ${Math.floor(k / 3)} uses vertex ${v}, but there are ${vertexCount} vertices (0-based)`);
    }
    triangles[k] = v;
  }

  const cRas = readScannerOffset(bytes, at, file);
  if (cRas) {
    for (let k = 0; k < points.length; k += 3) {
      points[k] += cRas[0];
      points[k + 1] += cRas[1];
      points[k + 2] += cRas[2];
    }
  }
  return { points, triangles: faceCount > 0 ? triangles : undefined, arrays: [], declaredFrame: 'RAS' };
}

/**
 * Reads the optional tags after the faces and returns c_ras when it must be added to reach scanner RAS
 * (valid volume geometry, coordinates not already scanner RAS); undefined otherwise.
 */
function readScannerOffset(bytes: Uint8Array, start: number, file: string): [number, number, number] | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = start;
  let useRealRas = false;
  let geometry: Map<string, string> | undefined;
  while (bytes.length - at >= 4) {
    const tag = view.getInt32(at, false);
    at += 4;
    if (tag === TAG_OLD_USEREALRAS) {
      check(bytes.length - at >= 4, file, 'truncated', 'the file ends inside the useRealRAS tag');
      useRealRas = view.getInt32(at, false) !== 0;
      at += 4;
    } else if (tag === TAG_OLD_SURF_GEOM) {
      const read = readVolumeGeometry(bytes, at);
      geometry = read.entries;
      at = read.end;
    } else if (tag === TAG_CMDLINE) {
      if (bytes.length - at < 8) break;
      const length = Number(view.getBigInt64(at, false));
      at += 8;
      if (length < 0 || length > bytes.length - at) break;
      at += length;
    } else {
      break; // a tag Monge does not use: the rest of the footer is ignored
    }
  }
  if (!geometry || useRealRas) return undefined;
  const valid = geometry.get('valid');
  if (valid === undefined || valid.trim().split(/\s+/)[0] !== '1') return undefined;
  const text = geometry.get('cras') ?? geometry.get('c_ras');
  if (text === undefined) return undefined;
  const fields = text.trim().split(/\s+/);
  const values = fields.map(Number);
  check(fields.length >= 3 && values.slice(0, 3).every((v) => !Number.isNaN(v)), file, 'malformed', `the volume geometry has cras = ${text.trim()}`);
  check(values.slice(0, 3).every(Number.isFinite), file, 'non-finite', `the volume geometry has cras = ${text.trim()}`);
  return [values[0], values[1], values[2]];
}

/** The `key = value` lines of the volume-geometry block (up to the first line that is not one). */
function readVolumeGeometry(bytes: Uint8Array, start: number): { entries: Map<string, string>; end: number } {
  const entries = new Map<string, string>();
  let at = start;
  for (let line = 0; line < 16 && at < bytes.length; line++) {
    let end = bytes.indexOf(0x0a, at);
    if (end < 0 || end - at > 4096) end = Math.min(bytes.length, at + 4096);
    const text = new TextDecoder('latin1').decode(bytes.subarray(at, end));
    const match = /^\s*([A-Za-z_]+)\s*=(.*)$/.exec(text);
    if (!match) break;
    entries.set(match[1].toLowerCase(), match[2]);
    at = Math.min(bytes.length, end + 1);
    if (match[1].toLowerCase() === 'cras' || match[1].toLowerCase() === 'c_ras') break;
  }
  return { entries, end: at };
}

function parseQuadFile(bytes: Uint8Array, floatCoordinates: boolean, file: string): MeshData {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  check(bytes.length >= 9, file, 'truncated', 'the file ends before the vertex and quad counts');
  const vertexCount = uint24(bytes, 3);
  const quadCount = uint24(bytes, 6);
  const coordinateBytes = floatCoordinates ? 4 : 2;
  const needed = vertexCount * 3 * coordinateBytes + quadCount * 12;
  check(bytes.length - 9 >= needed, file, 'truncated', `${vertexCount} vertices and ${quadCount} quads need ${needed} bytes, but ${bytes.length - 9} remain`);
  let at = 9;
  const points = new Float64Array(vertexCount * 3);
  for (let k = 0; k < points.length; k++, at += coordinateBytes) {
    const v = floatCoordinates ? view.getFloat32(at, false) : view.getInt16(at, false) / 100;
    if (!Number.isFinite(v)) throw new InputError(file, 'non-finite', `vertex ${Math.floor(k / 3)} has a non-finite coordinate (${v})`);
    points[k] = v;
  }
  const triangles = new Uint32Array(quadCount * 6);
  const q = [0, 0, 0, 0];
  for (let f = 0; f < quadCount; f++) {
    for (let c = 0; c < 4; c++, at += 3) {
      q[c] = uint24(bytes, at);
      if (q[c] >= vertexCount) {
        throw new InputError(file, 'index-out-of-range', `quad ${f} uses vertex ${q[c]}, but there are ${vertexCount} vertices (0-based)`);
      }
    }
    const split = q[0] % 2 === 0 ? [q[0], q[1], q[3], q[2], q[3], q[1]] : [q[0], q[1], q[2], q[0], q[2], q[3]];
    triangles.set(split, f * 6);
  }
  return { points, triangles: quadCount > 0 ? triangles : undefined, arrays: [], declaredFrame: 'RAS' };
}

/**
 * The footer after the faces: TAG_OLD_USEREALRAS = 1, then TAG_OLD_SURF_GEOM with an invalid volume geometry, its
 * eight lines as FreeSurfer's writeVolGeom prints them (%.15e; FreeSurfer's initVolGeom defaults: a 256³ 1 mm coronal
 * volume centred at 0), which nibabel's _read_volume_info requires in full. The same bytes for every file.
 */
const SCANNER_RAS_FOOTER: Uint8Array = (() => {
  const geometry = new TextEncoder().encode(
    'valid = 0  # volume info invalid\nfilename = \nvolume = 256 256 256\n' +
      'voxelsize = 1.000000000000000e+00 1.000000000000000e+00 1.000000000000000e+00\n' +
      'xras   = -1.000000000000000e+00 0.000000000000000e+00 0.000000000000000e+00\n' +
      'yras   = 0.000000000000000e+00 0.000000000000000e+00 -1.000000000000000e+00\n' +
      'zras   = 0.000000000000000e+00 1.000000000000000e+00 0.000000000000000e+00\n' +
      'cras   = 0.000000000000000e+00 0.000000000000000e+00 0.000000000000000e+00\n',
  );
  const out = new Uint8Array(12 + geometry.length);
  const view = new DataView(out.buffer);
  view.setInt32(0, TAG_OLD_USEREALRAS, false);
  view.setInt32(4, 1, false);
  view.setInt32(8, TAG_OLD_SURF_GEOM, false);
  out.set(geometry, 12);
  return out;
})();

function serializeFreesurfer(mesh: MeshData, _options: MeshWriteOptions): Uint8Array {
  const header = new TextEncoder().encode('created by monge\n\n');
  const footer = SCANNER_RAS_FOOTER;
  const vertexCount = mesh.points.length / 3;
  const triangles = mesh.triangles ?? new Uint32Array(0);
  const faceCount = triangles.length / 3;
  const out = new Uint8Array(3 + header.length + 8 + 12 * (vertexCount + faceCount) + footer.length);
  const view = new DataView(out.buffer);
  out.set([0xff, 0xff, 0xfe], 0);
  out.set(header, 3);
  let at = 3 + header.length;
  view.setInt32(at, vertexCount, false);
  view.setInt32(at + 4, faceCount, false);
  at += 8;
  for (let k = 0; k < mesh.points.length; k++, at += 4) view.setFloat32(at, mesh.points[k], false);
  for (let k = 0; k < triangles.length; k++, at += 4) view.setInt32(at, triangles[k], false);
  out.set(footer, at);
  return out;
}

export const freesurferCodec: MeshCodec = {
  format: 'freesurfer',
  extensions: ['.surf'],
  defaultFrame: 'RAS',
  onlyFrame: 'RAS',
  parse: parseFreesurfer,
  serialize: serializeFreesurfer,
};
