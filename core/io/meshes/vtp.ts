/**
 * VTK XML PolyData files (.vtp): "VTK File Formats", XML File Formats,
 * https://docs.vtk.org/en/latest/design_documents/VTKFileFormats.html#xml-file-formats.
 *
 * Read: ascii, inline base64 and appended (raw or base64) DataArrays, UInt32 or UInt64 headers, either byte order,
 * zlib compression (vtkZLibDataCompressor); every Piece (merged). Polys (fanned) and Strips become triangles; a
 * file with only Verts or Lines is a point cloud. Point data is kept: arrays named Normals, or named by the
 * PointData `Normals`/`Vectors` attributes, are spatial vectors (as is one marked `SpatialVector="1"`, Monge's own
 * marker for further ones); the array the `Tensors` attribute names is a spatial tensor (one of 6 components, VTK's
 * symmetric form, is kept as its 9: symmetric-tensor.ts). The frame is Slicer's FieldData string array `SPACE`
 * (vtkMRMLModelStorageNode) or a `SPACE=RAS|LPS` comment. Write: see ./vtp-writer.ts.
 */
import type { ArrayValues, PointArray } from '../../arrays/index.ts';
import { parseFrame, type Frame } from '../../frames/index.ts';
import { InputError } from '../errors.ts';
import { frameDeclaredIn } from './declared-frame.ts';
import { tensorsFromSymmetric } from './symmetric-tensor.ts';
import { isWhitespace } from './text-scanner.ts';
import type { MeshCodec, MeshData } from './types.ts';
import { CELL_POLYGON, CELL_STRIP, checkOffsets, triangulate, type CellGroup } from './vtk-cells.ts';
import { readDataArray, readStringArray, type VtpEncoding } from './vtp-data-array.ts';
import { serializeVtp } from './vtp-writer.ts';
import { childNamed, parseVtkXml, type XmlElement } from './vtp-xml.ts';

/** A non-negative integer attribute, `fallback` when absent. */
function intAttr(el: XmlElement, name: string, fallback: number, file: string): number {
  const raw = el.attrs.get(name);
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!(Number.isInteger(v) && v >= 0)) throw new InputError(file, 'malformed', `<${el.name}> ${name}="${raw}" is not a count`);
  return v;
}

/** One Piece's content. */
interface PieceData {
  points: Float64Array;
  triangles?: Uint32Array;
  arrays: PointArray[];
}

/** Reads a cell section (Polys, Strips …) of `nCells` cells into offsets (with a leading 0) + connectivity. */
function readCells(piece: XmlElement, kind: string, nCells: number, enc: VtpEncoding): CellGroup['cells'] {
  const el = childNamed(piece, kind);
  if (!el) throw new InputError(enc.file, 'malformed', `NumberOf${kind}="${nCells}" but there is no <${kind}> element`);
  const arrayNamed = (name: string): XmlElement => {
    const a = el.children.find((c) => c.name === 'DataArray' && c.attrs.get('Name') === name);
    if (!a) throw new InputError(enc.file, 'malformed', `<${kind}> has no "${name}" DataArray`);
    return a;
  };
  const ends = readDataArray(arrayNamed('offsets'), enc, `${kind} offsets`);
  if (ends.length !== nCells) {
    throw new InputError(enc.file, 'count-mismatch', `${kind}: ${ends.length} offsets for NumberOf${kind}="${nCells}"`);
  }
  const connectivity = readDataArray(arrayNamed('connectivity'), enc, `${kind} connectivity`);
  const offsets = new Float64Array(nCells + 1);
  offsets.set(ends, 1);
  const cells = { offsets, connectivity };
  checkOffsets(cells, enc.file, kind);
  return cells;
}

/** Reads one Piece. */
function readPiece(piece: XmlElement, enc: VtpEncoding): PieceData {
  const file = enc.file;
  const nPoints = intAttr(piece, 'NumberOfPoints', 0, file);
  let points: Float64Array = new Float64Array(0);
  const pointsEl = childNamed(piece, 'Points');
  const pointsArray = pointsEl?.children.find((c) => c.name === 'DataArray');
  if (pointsArray) {
    if (intAttr(pointsArray, 'NumberOfComponents', 1, file) !== 3) throw new InputError(file, 'malformed', 'Points must have 3 components');
    const raw = readDataArray(pointsArray, enc, 'Points');
    if (raw.length !== 3 * nPoints) {
      throw new InputError(file, 'count-mismatch', `Points holds ${raw.length / 3} points but NumberOfPoints="${nPoints}"`);
    }
    points = raw instanceof Float64Array ? raw : Float64Array.from(raw);
  } else if (nPoints > 0) {
    throw new InputError(file, 'malformed', `NumberOfPoints="${nPoints}" but the Piece has no Points DataArray`);
  }
  for (let i = 0; i < points.length; i++) {
    if (!Number.isFinite(points[i])) throw new InputError(file, 'non-finite', `point ${Math.floor(i / 3)} has a non-finite coordinate (${points[i]})`);
  }

  const groups: CellGroup[] = [];
  const nPolys = intAttr(piece, 'NumberOfPolys', 0, file);
  const nStrips = intAttr(piece, 'NumberOfStrips', 0, file);
  if (nPolys > 0) groups.push({ cells: readCells(piece, 'Polys', nPolys, enc), kinds: CELL_POLYGON, what: 'Polys' });
  if (nStrips > 0) groups.push({ cells: readCells(piece, 'Strips', nStrips, enc), kinds: CELL_STRIP, what: 'Strips' });
  // Verts and Lines carry no surface: their points are kept, the cells are not needed.
  const triangles = groups.length > 0 ? triangulate(groups, nPoints, file) : undefined;

  const arrays: PointArray[] = [];
  const pointData = childNamed(piece, 'PointData');
  if (pointData) {
    const spatialNames = new Set(['Normals', pointData.attrs.get('Normals'), pointData.attrs.get('Vectors')]);
    pointData.children.forEach((el, k) => {
      if (el.name !== 'DataArray' || el.attrs.get('type') === 'String') return;
      const name = el.attrs.get('Name') ?? `array${k}`;
      const components = intAttr(el, 'NumberOfComponents', 1, file);
      const values: ArrayValues = readDataArray(el, enc, `point data "${name}"`);
      if (components < 1 || values.length !== components * nPoints) {
        throw new InputError(file, 'count-mismatch', `point data "${name}" has ${values.length} values, expected ${nPoints} × ${components}`);
      }
      const spatial = components === 3 && (spatialNames.has(name) || el.attrs.get('SpatialVector') === '1');
      const tensor = name === pointData.attrs.get('Tensors');
      if (spatial) arrays.push({ name, components, values, spatialVector: true });
      else if (tensor && components === 9) arrays.push({ name, components, values, spatialTensor: true });
      // A symmetric tensor (XX YY ZZ XY YZ XZ) is kept whole, so that it changes frame with the points.
      else if (tensor && components === 6) arrays.push({ name, components: 9, values: tensorsFromSymmetric(values), spatialTensor: true });
      else arrays.push({ name, components, values });
    });
  }
  return { points, triangles, arrays };
}

/** Concatenates pieces; arrays present in every piece with the same layout are kept. */
function mergePieces(pieces: PieceData[]): PieceData {
  if (pieces.length === 1) return pieces[0];
  const nPoints = pieces.reduce((s, p) => s + p.points.length / 3, 0);
  const points = new Float64Array(3 * nPoints);
  let at = 0;
  for (const p of pieces) {
    points.set(p.points, at);
    at += p.points.length;
  }
  let triangles: Uint32Array | undefined;
  if (pieces.some((p) => p.triangles)) {
    triangles = new Uint32Array(pieces.reduce((s, p) => s + (p.triangles?.length ?? 0), 0));
    let t = 0;
    let base = 0;
    for (const p of pieces) {
      for (const v of p.triangles ?? []) triangles[t++] = v + base;
      base += p.points.length / 3;
    }
  }
  const arrays: PointArray[] = [];
  for (const first of pieces[0].arrays) {
    const parts: PointArray[] = [];
    for (const p of pieces) {
      const a = p.arrays.find((b) => b.name === first.name && b.components === first.components && b.values.constructor === first.values.constructor);
      if (a) parts.push(a);
    }
    if (parts.length !== pieces.length) continue;
    const values = new (first.values.constructor as new (n: number) => ArrayValues)(nPoints * first.components);
    let o = 0;
    for (const a of parts) {
      values.set(a.values, o);
      o += a.values.length;
    }
    arrays.push({ ...first, values });
  }
  return { points, triangles, arrays };
}

/** The frame declared by Slicer's FieldData `SPACE` string array, or by a `SPACE=…` comment. */
function declaredFrameOf(polyData: XmlElement, comments: string[], enc: VtpEncoding): Frame | undefined {
  const fieldData = childNamed(polyData, 'FieldData');
  const spaceArray = fieldData?.children.find(
    (c) => (c.name === 'Array' || c.name === 'DataArray') && c.attrs.get('type') === 'String' && c.attrs.get('Name')?.toUpperCase() === 'SPACE',
  );
  if (spaceArray) {
    const value = readStringArray(spaceArray, enc, 'FieldData SPACE')[0] ?? '';
    const frame = parseFrame(value) ?? (/RAS/i.test(value) ? 'RAS' : /LPS/i.test(value) ? 'LPS' : undefined);
    if (frame) return frame;
  }
  for (const c of comments) {
    const frame = frameDeclaredIn(c);
    if (frame) return frame;
  }
  return undefined;
}

/** Parses a whole .vtp file. */
export function parseVtp(bytes: Uint8Array, file: string): MeshData {
  if (bytes.length === 0) throw new InputError(file, 'empty', 'the file is empty');
  let first = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (first < bytes.length && isWhitespace(bytes[first])) first++;
  if (bytes[first] !== 60) throw new InputError(file, 'bad-magic', 'not a VTK XML file (it does not start with "<")');
  const doc = parseVtkXml(bytes, file);
  const root = doc.root;
  if (root.name !== 'VTKFile') throw new InputError(file, 'bad-magic', `not a VTK XML file (the root element is <${root.name}>)`);
  const type = root.attrs.get('type') ?? '';
  if (type !== 'PolyData') throw new InputError(file, 'unsupported', `VTKFile type="${type}"; only PolyData is read from .vtp`);

  const byteOrder = root.attrs.get('byte_order') ?? 'LittleEndian';
  if (byteOrder !== 'LittleEndian' && byteOrder !== 'BigEndian') throw new InputError(file, 'unsupported', `byte_order "${byteOrder}"`);
  const headerType = root.attrs.get('header_type') ?? 'UInt32';
  if (headerType !== 'UInt32' && headerType !== 'UInt64') throw new InputError(file, 'unsupported', `header_type "${headerType}"`);
  const compressor = root.attrs.get('compressor') ?? '';
  if (compressor !== '' && compressor !== 'vtkZLibDataCompressor') {
    throw new InputError(file, 'unsupported', `compressor "${compressor}"; only vtkZLibDataCompressor (zlib) is read`);
  }
  let appended: VtpEncoding['appended'];
  if (doc.appended) {
    // vtkXMLDataParser: encoding="base64" is base64, anything else raw.
    const base64 = doc.appended.element.attrs.get('encoding') === 'base64';
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    const lt = base64 ? buf.indexOf(60, doc.appended.dataStart) : -1;
    appended = { dataStart: doc.appended.dataStart, base64, end: lt < 0 ? bytes.length : lt };
  }
  const enc: VtpEncoding = {
    file,
    bytes,
    littleEndian: byteOrder === 'LittleEndian',
    headerSize: headerType === 'UInt64' ? 8 : 4,
    zlib: compressor !== '',
    appended,
  };

  const polyData = childNamed(root, 'PolyData');
  if (!polyData) throw new InputError(file, 'malformed', 'no <PolyData> element');
  const pieces = polyData.children.filter((c) => c.name === 'Piece');
  if (pieces.length === 0) throw new InputError(file, 'malformed', 'no <Piece> element');
  const merged = mergePieces(pieces.map((p) => readPiece(p, enc)));
  return { ...merged, declaredFrame: declaredFrameOf(polyData, doc.comments, enc) };
}

/** VTK XML PolyData codec. */
export const vtpCodec: MeshCodec = {
  format: 'vtp',
  extensions: ['.vtp'],
  defaultFrame: 'LPS',
  parse: parseVtp,
  serialize: serializeVtp,
};
