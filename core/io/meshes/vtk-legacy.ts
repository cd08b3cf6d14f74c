/**
 * VTK legacy files (.vtk): "VTK File Formats", Simple Legacy Formats,
 * https://docs.vtk.org/en/latest/design_documents/VTKFileFormats.html (and vtkDataReader, which defines the details
 * the document leaves open).
 *
 * Read: ASCII and BINARY (big-endian) POLYDATA and UNSTRUCTURED_GRID; both the counted cell layout of files before
 * version 5.1 and 5.1's OFFSETS/CONNECTIVITY. Polygons, quads, pixels and strips become triangles; vertices and
 * lines keep only their points (a POLYDATA of VERTICES is a point cloud, as the lung vessel trees are). Point data
 * (SCALARS, COLOR_SCALARS as bytes, VECTORS, NORMALS, TEXTURE_COORDINATES, TENSORS, TENSORS6, ids and FIELD arrays) is
 * kept, VECTORS and NORMALS as spatial vectors, TENSORS and TENSORS6 as spatial tensors of 9 values; cell data and
 * dataset FIELD data are read past, and so are bit and string arrays wherever they are (SCALARS of type bit, string
 * PEDIGREE_IDS, FIELD arrays: ./vtk-legacy-non-numeric.ts), as the VTP reader reads past String arrays. Slicer's
 * `SPACE=RAS|LPS` in the title line declares the frame. Write: see ./vtk-legacy-writer.ts.
 */
import type { ArrayValues, PointArray } from '../../arrays/index.ts';
import { InputError } from '../errors.ts';
import { frameDeclaredIn } from './declared-frame.ts';
import { decodePercentName } from './percent-names.ts';
import { tensorsFromSymmetric } from './symmetric-tensor.ts';
import { TextScanner } from './text-scanner.ts';
import type { MeshCodec, MeshData } from './types.ts';
import {
  CELL_PIXEL,
  CELL_POLYGON,
  CELL_QUAD_CORNERS,
  CELL_SKIP,
  CELL_STRIP,
  CELL_TRIANGLE_CORNERS,
  cellCount,
  cellsFromCounted,
  checkOffsets,
  triangulate,
  type CellArray,
  type CellGroup,
} from './vtk-cells.ts';
import { nonNumericType, skipBitArray, skipStringArray } from './vtk-legacy-non-numeric.ts';
import { serializeVtkLegacy } from './vtk-legacy-writer.ts';
import { LEGACY_TYPES } from './vtk-legacy-types.ts';

/**
 * VTK cell types (vtkCellType.h) → how they become triangles. Types not listed are volumetric or unknown: skipped,
 * and a grid holding only such cells is refused.
 */
const UG_CELL_KINDS: ReadonlyMap<number, number> = new Map([
  // vertex, poly-vertex, line, poly-line, quadratic edge, cubic line, Lagrange and Bézier curves: points only.
  [1, CELL_SKIP], [2, CELL_SKIP], [3, CELL_SKIP], [4, CELL_SKIP], [21, CELL_SKIP], [35, CELL_SKIP], [68, CELL_SKIP], [75, CELL_SKIP],
  [5, CELL_POLYGON], // triangle
  [6, CELL_STRIP], // triangle strip
  [7, CELL_POLYGON], // polygon
  [8, CELL_PIXEL], // pixel
  [9, CELL_POLYGON], // quad
  // quadratic / biquadratic / Lagrange / Bézier triangles: corners first.
  [22, CELL_TRIANGLE_CORNERS], [34, CELL_TRIANGLE_CORNERS], [69, CELL_TRIANGLE_CORNERS], [76, CELL_TRIANGLE_CORNERS],
  // quadratic / biquadratic / quadratic-linear / Lagrange / Bézier quads: corners first.
  [23, CELL_QUAD_CORNERS], [28, CELL_QUAD_CORNERS], [30, CELL_QUAD_CORNERS], [70, CELL_QUAD_CORNERS], [77, CELL_QUAD_CORNERS],
]);

/** ASCII COLOR_SCALARS (0–1) as vtkDataReader stores them: 255·v + 0.5 truncated to a byte, clamped to 0–255. */
function colourBytes(values: ArrayValues): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.max(0, Math.min(255, Math.floor(255 * values[i] + 0.5)));
  return out;
}

/** The point array of an attribute, or undefined when its values were read past (a bit or string array). */
function kept(
  name: string,
  components: number,
  values: ArrayValues | undefined,
  flags?: Pick<PointArray, 'spatialVector' | 'spatialTensor'>,
): PointArray | undefined {
  return values && { name, components, values, ...flags };
}

/** Parsing state: the scanner, the encoding, and the file name for errors. */
class LegacyReader {
  readonly s: TextScanner;
  binary = false;

  constructor(
    readonly bytes: Uint8Array,
    readonly file: string,
  ) {
    this.s = new TextScanner(bytes, file);
  }

  fail(problem: 'malformed' | 'truncated' | 'count-mismatch' | 'unsupported', detail: string): never {
    throw new InputError(this.file, problem, detail);
  }

  /** A non-negative integer count from a header token. */
  count(token: string | undefined, what: string): number {
    const n = token === undefined ? NaN : Number(token);
    if (!(Number.isInteger(n) && n >= 0)) this.fail('malformed', `${what}: "${token ?? ''}" is not a count`);
    return n;
  }

  /** The next keyword line split into tokens; 'truncated' when the file ends. */
  line(what: string): string[] {
    const line = this.s.nextLine();
    if (line === undefined) this.fail('truncated', `the file ends before ${what}`);
    return line.split(/\s+/);
  }

  /**
   * Reads `count` values of legacy type `typeName` at the position: raw big-endian bytes in a BINARY file (they
   * start right after the keyword line's line break), whitespace-separated numbers in an ASCII one. The count is
   * checked against the bytes left before anything is allocated.
   */
  values(count: number, typeName: string, what: string): ArrayValues {
    const type = LEGACY_TYPES[typeName.toLowerCase()];
    if (!type) this.fail('unsupported', `${what}: data type "${typeName}" is not supported`);
    const s = this.s;
    if (this.binary) {
      const byteLength = count * type.size;
      if (byteLength > s.remaining()) {
        this.fail('truncated', `${what}: ${count} ${typeName} values need ${byteLength} bytes but only ${s.remaining()} are left`);
      }
      const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + s.pos, byteLength);
      const out = type.create(count);
      for (let i = 0; i < count; i++) out[i] = type.get(view, i);
      s.pos += byteLength;
      return out;
    }
    if (count > s.maxNumbersLeft()) {
      this.fail('truncated', `${what}: ${count} values declared but the rest of the file cannot hold that many`);
    }
    const out = type.create(count);
    s.readNumbersInto(out, count, what);
    return out;
  }

  /**
   * Reads a point-, cell- or field-data array of `tuples` × `components` values of legacy type `typeName`: its
   * values, or undefined for a bit or string array, which is read past (vtk-legacy-non-numeric.ts).
   */
  dataArray(tuples: number, components: number, typeName: string, what: string): ArrayValues | undefined {
    const skipped = nonNumericType(typeName);
    if (skipped === undefined) return this.values(tuples * components, typeName, what);
    if (skipped === 'bit') skipBitArray(this.s, this.binary, tuples, components, what);
    else skipStringArray(this.s, this.binary, tuples * components, what);
    return undefined;
  }

  /** Skips a METADATA block (vtkDataWriter: ASCII lines up to an empty line), the keyword line already read. */
  skipMetadata(): void {
    for (;;) {
      const line = this.s.rawLine();
      if (line === undefined || line.trim() === '') return;
    }
  }

  /** Reads a cell section's body (`KEY a b` already split): either layout. */
  cells(tokens: string[]): CellArray {
    const key = tokens[0].toUpperCase();
    const a = this.count(tokens[1], key);
    const b = this.count(tokens[2], key);
    if (this.s.peekWord('OFFSETS')) {
      // Legacy 5.1: KEY nOffsets nConnectivity, then OFFSETS type / CONNECTIVITY type blocks.
      const offLine = this.line(`${key} OFFSETS`);
      const offsets = this.values(a, offLine[1] ?? '', `${key} OFFSETS`);
      const connLine = this.line(`${key} CONNECTIVITY`);
      if (connLine[0].toUpperCase() !== 'CONNECTIVITY') this.fail('malformed', `${key}: expected CONNECTIVITY, found "${connLine[0]}"`);
      const connectivity = this.values(b, connLine[1] ?? '', `${key} CONNECTIVITY`);
      const cells = { offsets, connectivity };
      checkOffsets(cells, this.file, key);
      return cells;
    }
    // Counted layout: KEY nCells size, then size ints (n i0 i1 … per cell).
    const data = this.values(b, 'int', key);
    return cellsFromCounted(data, a, this.file, key);
  }

  /**
   * Reads a FIELD block (`FIELD name nArrays` already split) and returns its numeric arrays (bit and string arrays
   * are read past); `tuples`, when given, is the number of tuples every array must have (point data).
   */
  field(tokens: string[], tuples: number | undefined): PointArray[] {
    const nArrays = this.count(tokens[2], 'FIELD');
    const arrays: PointArray[] = [];
    for (let k = 0; k < nArrays; k++) {
      let t = this.line('a FIELD array');
      while (t[0].toUpperCase() === 'METADATA') {
        this.skipMetadata();
        t = this.line('a FIELD array');
      }
      if (t[0] === 'NULL_ARRAY') continue;
      const name = decodePercentName(t[0]);
      const components = this.count(t[1], `FIELD array ${name}`);
      const n = this.count(t[2], `FIELD array ${name}`);
      if (t[3] === undefined) this.fail('malformed', `FIELD array ${name}: no data type`);
      if (tuples !== undefined && n !== tuples) {
        this.fail('count-mismatch', `FIELD array ${name} has ${n} tuples but POINT_DATA declares ${tuples}`);
      }
      const values = this.dataArray(n, components, t[3], `FIELD array ${name}`);
      if (values && components > 0) arrays.push({ name, components, values });
    }
    return arrays;
  }

  /**
   * Reads one attribute section of POINT_DATA / CELL_DATA (keyword line already split) holding `n` tuples. Returns
   * the array for the attributes Monge keeps, undefined for lookup tables and bit or string arrays (read past).
   */
  attribute(t: string[], n: number): PointArray | undefined {
    const key = t[0].toUpperCase();
    const name = decodePercentName(t[1] ?? '');
    if (t[1] === undefined) this.fail('malformed', `${key}: no array name`);
    switch (key) {
      case 'SCALARS': {
        const components = t[3] === undefined ? 1 : this.count(t[3], `SCALARS ${name}`);
        if (components < 1) this.fail('malformed', `SCALARS ${name}: ${components} components`);
        // vtkDataReader requires "LOOKUP_TABLE name" next; accept its absence too.
        if (this.s.peekWord('LOOKUP_TABLE')) this.s.nextLine();
        return kept(name, components, this.dataArray(n, components, t[2] ?? '', `SCALARS ${name}`));
      }
      case 'VECTORS':
      case 'NORMALS':
        return kept(name, 3, this.dataArray(n, 3, t[2] ?? '', `${key} ${name}`), { spatialVector: true });
      case 'TEXTURE_COORDINATES': {
        const dim = this.count(t[2], `TEXTURE_COORDINATES ${name}`);
        return kept(name, dim, this.dataArray(n, dim, t[3] ?? '', `TEXTURE_COORDINATES ${name}`));
      }
      case 'TENSORS':
        return kept(name, 9, this.dataArray(n, 9, t[2] ?? '', `TENSORS ${name}`), { spatialTensor: true });
      case 'TENSORS6': {
        // XX YY ZZ XY YZ XZ, kept as the full tensor so that it changes frame with the points (symmetric-tensor.ts).
        const values = this.dataArray(n, 6, t[2] ?? '', `TENSORS6 ${name}`);
        return kept(name, 9, values && tensorsFromSymmetric(values), { spatialTensor: true });
      }
      case 'GLOBAL_IDS':
      case 'PEDIGREE_IDS': // vtkDataWriter writes string pedigree ids as `PEDIGREE_IDS name string`.
      case 'EDGE_FLAGS':
        return kept(name, 1, this.dataArray(n, 1, t[2] ?? '', `${key} ${name}`));
      case 'COLOR_SCALARS': {
        // nValues per tuple: floats (0–1) in ASCII files, unsigned chars in binary ones. Both become unsigned chars
        // (0–255), as vtkDataReader::ReadCoScalarData makes them (255·v + 0.5, truncated): the same colours read the
        // same whichever encoding the file has.
        const m = this.count(t[2], `COLOR_SCALARS ${name}`);
        if (m < 1) this.fail('malformed', `COLOR_SCALARS ${name}: ${m} components`);
        const values = this.values(n * m, this.binary ? 'unsigned_char' : 'float', `COLOR_SCALARS ${name}`);
        return { name, components: m, values: values instanceof Uint8Array ? values : colourBytes(values) };
      }
      case 'LOOKUP_TABLE': {
        const size = this.count(t[2], `LOOKUP_TABLE ${name}`);
        this.values(size * 4, this.binary ? 'unsigned_char' : 'float', `LOOKUP_TABLE ${name}`);
        return undefined;
      }
      default:
        return this.fail('malformed', `unknown keyword "${t[0]}" in point or cell data`);
    }
  }
}

/** Parses a whole legacy VTK file. */
export function parseVtkLegacy(bytes: Uint8Array, file: string): MeshData {
  if (bytes.length === 0) throw new InputError(file, 'empty', 'the file is empty');
  const r: LegacyReader = new LegacyReader(bytes, file);
  const s = r.s;
  const magic = s.rawLine() ?? '';
  if (!/^# vtk DataFile Version/i.test(magic)) {
    throw new InputError(file, 'bad-magic', 'not a legacy VTK file (the first line is not "# vtk DataFile Version …")');
  }
  const title = s.rawLine();
  if (title === undefined) r.fail('truncated', 'the file ends after its first line');
  // Slicer's frame declaration: "3D Slicer output. SPACE=LPS" (any case accepted).
  const declaredFrame = frameDeclaredIn(title);

  const encoding = r.line('the ASCII/BINARY line')[0].toUpperCase();
  if (encoding !== 'ASCII' && encoding !== 'BINARY') r.fail('malformed', `the third line is "${encoding}", expected ASCII or BINARY`);
  r.binary = encoding === 'BINARY';

  const ds = r.line('the DATASET line');
  if (ds[0].toUpperCase() !== 'DATASET') r.fail('unsupported', `no DATASET line (found "${ds.join(' ')}"); only POLYDATA and UNSTRUCTURED_GRID are read`);
  const dataset = (ds[1] ?? '').toUpperCase();
  if (dataset !== 'POLYDATA' && dataset !== 'UNSTRUCTURED_GRID') {
    r.fail('unsupported', `DATASET ${ds[1] ?? ''} is not a surface; only POLYDATA and UNSTRUCTURED_GRID are read`);
  }
  const polydata = dataset === 'POLYDATA';

  let points: Float64Array | undefined;
  const groups: CellGroup[] = [];
  let ugCells: CellArray | undefined;
  let ugTypes: ArrayValues | undefined;
  let mode: 'dataset' | 'point' | 'cell' = 'dataset';
  let tuples = 0;
  const arrays: PointArray[] = [];

  for (let line = s.nextLine(); line !== undefined; line = s.nextLine()) {
    const t = line.split(/\s+/);
    const key = t[0].toUpperCase();
    switch (key) {
      case 'POINTS': {
        if (mode !== 'dataset' || points) r.fail('malformed', 'POINTS out of place or given twice');
        const n = r.count(t[1], 'POINTS');
        const raw = r.values(3 * n, t[2] ?? '', 'POINTS');
        points = raw instanceof Float64Array ? raw : Float64Array.from(raw);
        for (let i = 0; i < points.length; i++) {
          if (!Number.isFinite(points[i])) {
            throw new InputError(file, 'non-finite', `point ${Math.floor(i / 3)} has a non-finite coordinate (${points[i]})`);
          }
        }
        break;
      }
      case 'METADATA':
        r.skipMetadata();
        break;
      case 'VERTICES':
      case 'LINES':
      case 'POLYGONS':
      case 'TRIANGLE_STRIPS': {
        if (!polydata || mode !== 'dataset') r.fail('malformed', `${key} out of place`);
        const cells = r.cells(t);
        if (key === 'POLYGONS') groups.push({ cells, kinds: CELL_POLYGON, what: key });
        if (key === 'TRIANGLE_STRIPS') groups.push({ cells, kinds: CELL_STRIP, what: key });
        break;
      }
      case 'CELLS':
        if (polydata || mode !== 'dataset' || ugCells) r.fail('malformed', 'CELLS out of place');
        ugCells = r.cells(t);
        break;
      case 'CELL_TYPES': {
        if (polydata || mode !== 'dataset' || ugTypes) r.fail('malformed', 'CELL_TYPES out of place');
        ugTypes = r.values(r.count(t[1], 'CELL_TYPES'), 'int', 'CELL_TYPES');
        break;
      }
      case 'POINT_DATA':
        mode = 'point';
        tuples = r.count(t[1], 'POINT_DATA');
        if (points && tuples !== points.length / 3) {
          r.fail('count-mismatch', `POINT_DATA declares ${tuples} values but there are ${points.length / 3} points`);
        }
        break;
      case 'CELL_DATA':
        mode = 'cell';
        tuples = r.count(t[1], 'CELL_DATA');
        break;
      case 'FIELD': {
        // Dataset-level field data (time values, Slicer's metadata …) and cell-data fields are read past.
        const kept = r.field(t, mode === 'point' ? tuples : undefined);
        if (mode === 'point') arrays.push(...kept);
        break;
      }
      default: {
        if (mode === 'dataset') r.fail('malformed', `unknown keyword "${t[0]}"`);
        const a = r.attribute(t, tuples);
        if (a && mode === 'point') arrays.push(a);
      }
    }
  }
  if (!points) r.fail('malformed', 'no POINTS section');
  const nPoints = points.length / 3;

  if (!polydata && (ugCells || ugTypes)) {
    if (!ugCells || !ugTypes) r.fail('malformed', 'CELLS without CELL_TYPES or CELL_TYPES without CELLS');
    const n = cellCount(ugCells);
    if (ugTypes.length !== n) r.fail('count-mismatch', `CELL_TYPES lists ${ugTypes.length} types for ${n} cells`);
    const kinds = new Uint8Array(n);
    let surface = 0;
    let other = 0;
    for (let c = 0; c < n; c++) {
      const kind = UG_CELL_KINDS.get(ugTypes[c]);
      if (kind === undefined) other++;
      else if (kind !== CELL_SKIP) surface++;
      kinds[c] = kind ?? CELL_SKIP;
    }
    if (surface > 0) groups.push({ cells: ugCells, kinds, what: 'CELLS' });
    else if (other > 0) {
      r.fail('unsupported', `the grid has only volumetric cells (${other}); Monge reads surfaces (triangles, quads, polygons)`);
    }
  }
  const triangles = groups.length > 0 ? triangulate(groups, nPoints, file) : undefined;
  return { points, triangles, arrays, declaredFrame };
}

/** VTK legacy codec. */
export const vtkLegacyCodec: MeshCodec = {
  format: 'vtk',
  extensions: ['.vtk'],
  defaultFrame: 'LPS',
  parse: parseVtkLegacy,
  serialize: serializeVtkLegacy,
};
