/**
 * PLY (Stanford polygon file format), ASCII and binary of either byte order.
 * Reference: G. Turk, "The PLY Polygon File Format" (1994), http://paulbourke.net/dataformats/ply/ — and the
 * behaviour of VTK's vtkPLYReader / vtkPLYWriter and of vtk.js, which read what Monge writes.
 *
 * The header lists elements (vertex, face and any others: edge, material …) with their counts and properties,
 * in any order; the body holds the elements in header order. Reading keeps every vertex property:
 * x, y, z → points; nx, ny, nz → 'Normals' (spatial vector); red, green, blue (, alpha) → 'RGB' / 'RGBA';
 * Monge's own multi-component names N_x, N_y, N_z (spatial vector N) and N_0 … N_k (k ≥ 2 components) → N;
 * anything else → a scalar array of its own name and type. Faces (`vertex_indices` or `vertex_index` lists)
 * are fanned into triangles; a PLY without a face element is a point cloud. Unknown elements are skipped
 * property by property, lists included. Slicer's `comment SPACE=RAS|LPS` declares the frame.
 */
import type { ArrayValues, PointArray } from '../../arrays/index.ts';
import { InputError } from '../errors.ts';
import { frameDeclaredIn, spaceTag } from './declared-frame.ts';
import { GrowableArray } from './growable-array.ts';
import { TextOutput, formatNumber } from './text-output.ts';
import { decodePercentName, encodePercentName } from './percent-names.ts';
import { TextScanner, latin1 } from './text-scanner.ts';
import type { MeshCodec, MeshData, MeshWriteOptions } from './types.ts';

type ScalarType = 'char' | 'uchar' | 'short' | 'ushort' | 'int' | 'uint' | 'float' | 'double';

const TYPE_ALIASES: Record<string, ScalarType> = {
  char: 'char',
  int8: 'char',
  uchar: 'uchar',
  uint8: 'uchar',
  short: 'short',
  int16: 'short',
  ushort: 'ushort',
  uint16: 'ushort',
  int: 'int',
  int32: 'int',
  uint: 'uint',
  uint32: 'uint',
  float: 'float',
  float32: 'float',
  double: 'double',
  float64: 'double',
};

const SIZE: Record<ScalarType, number> = { char: 1, uchar: 1, short: 2, ushort: 2, int: 4, uint: 4, float: 4, double: 8 };

const RANGE: Record<ScalarType, [number, number] | undefined> = {
  char: [-128, 127],
  uchar: [0, 255],
  short: [-32768, 32767],
  ushort: [0, 65535],
  int: [-2147483648, 2147483647],
  uint: [0, 4294967295],
  float: undefined,
  double: undefined,
};

type ArrayCtor = new (n: number) => ArrayValues;

const STORAGE: Record<ScalarType, ArrayCtor> = {
  char: Int8Array,
  uchar: Uint8Array,
  short: Int16Array,
  ushort: Uint16Array,
  int: Int32Array,
  uint: Uint32Array,
  float: Float32Array,
  double: Float64Array,
};

/** The PLY type that stores a typed array exactly. */
function plyTypeOf(values: ArrayValues): ScalarType {
  if (values instanceof Int8Array) return 'char';
  if (values instanceof Uint8Array) return 'uchar';
  if (values instanceof Int16Array) return 'short';
  if (values instanceof Uint16Array) return 'ushort';
  if (values instanceof Int32Array) return 'int';
  if (values instanceof Uint32Array) return 'uint';
  if (values instanceof Float32Array) return 'float';
  return 'double';
}

type Encoding = 'ascii' | 'binary_little_endian' | 'binary_big_endian';

interface Property {
  name: string;
  type: ScalarType;
  /** For list properties: the type of the count that precedes the items. */
  countType?: ScalarType;
}

interface Element {
  name: string;
  count: number;
  properties: Property[];
}

interface Header {
  encoding: Encoding;
  elements: Element[];
  comments: string[];
  /** Byte offset of the body. */
  bodyStart: number;
}

const END_HEADER = 'end_header';

/**
 * One header line's text: UTF-8 where its bytes are valid UTF-8 (names written raw by other tools, and by Monge before
 * it escaped them), else Latin-1, which takes any byte. The PLY header is meant to be ASCII, which both read alike.
 */
function headerLine(bytes: Uint8Array, start: number, end: number): string {
  try {
    return UTF8_STRICT.decode(bytes.subarray(start, end));
  } catch {
    return latin1(bytes, start, end);
  }
}
const UTF8_STRICT = new TextDecoder('utf-8', { fatal: true });

function parseHeader(bytes: Uint8Array, file: string): Header {
  const magic = latin1(bytes, 0, Math.min(bytes.length, 4));
  if (!(magic === 'ply\n' || magic === 'ply\r')) throw new InputError(file, 'bad-magic', 'not a PLY file (it does not start with "ply")');
  // The header is ASCII and ends with the line "end_header"; search for it without decoding the body.
  const limit = Math.min(bytes.length, 1 << 20);
  let lineStart = 0;
  let bodyStart = -1;
  const lines: string[] = [];
  for (let p = 0; p < limit; p++) {
    if (bytes[p] !== 0x0a) continue;
    const line = headerLine(bytes, lineStart, p).replace(/\r$/, '');
    lines.push(line);
    lineStart = p + 1;
    if (line.trim() === END_HEADER) {
      bodyStart = p + 1;
      break;
    }
  }
  if (bodyStart < 0) {
    if (latin1(bytes, lineStart, limit).trim() === END_HEADER) bodyStart = limit;
    else throw new InputError(file, limit === bytes.length ? 'truncated' : 'malformed', 'the PLY header has no "end_header" line');
  }
  let encoding: Encoding | undefined;
  const elements: Element[] = [];
  const comments: string[] = [];
  for (let i = 1; i < lines.length - 1; i++) {
    const line = lines[i].trim();
    const words = line.split(/\s+/);
    const where = `header line ${i + 1}`;
    switch (words[0]) {
      case '':
      case 'obj_info':
        break;
      case 'comment':
        comments.push(line.slice('comment'.length).trim());
        break;
      case 'format': {
        if (words[1] !== 'ascii' && words[1] !== 'binary_little_endian' && words[1] !== 'binary_big_endian') {
          throw new InputError(file, 'unsupported', `${where}: unknown PLY format "${words[1] ?? ''}"`);
        }
        if (words[2] !== undefined && words[2] !== '1.0' && words[2] !== '1') {
          throw new InputError(file, 'unsupported', `${where}: PLY version ${words[2]} (only 1.0 is defined)`);
        }
        encoding = words[1];
        break;
      }
      case 'element': {
        const count = Number(words[2]);
        if (words.length !== 3 || !/^\d+$/.test(words[2]) || !Number.isSafeInteger(count)) {
          throw new InputError(file, 'malformed', `${where}: expected "element <name> <count>", found "${line.slice(0, 80)}"`);
        }
        elements.push({ name: words[1], count, properties: [] });
        break;
      }
      case 'property': {
        const element = elements[elements.length - 1];
        if (!element) throw new InputError(file, 'malformed', `${where}: a property before any element`);
        if (words[1] === 'list') {
          const countType = TYPE_ALIASES[words[2]];
          const type = TYPE_ALIASES[words[3]];
          if (words.length !== 5) throw new InputError(file, 'malformed', `${where}: expected "property list <count type> <type> <name>"`);
          if (!countType || !type) throw new InputError(file, 'unsupported', `${where}: unknown property type in "${line.slice(0, 80)}"`);
          if (countType === 'float' || countType === 'double') {
            throw new InputError(file, 'malformed', `${where}: a list count must have an integer type, not ${countType}`);
          }
          element.properties.push({ name: words[4], type, countType });
        } else {
          const type = TYPE_ALIASES[words[1]];
          if (words.length !== 3) throw new InputError(file, 'malformed', `${where}: expected "property <type> <name>"`);
          if (!type) throw new InputError(file, 'unsupported', `${where}: unknown property type "${words[1]}"`);
          element.properties.push({ name: decodePercentName(words[2]), type });
        }
        break;
      }
      default:
        throw new InputError(file, 'malformed', `${where}: unknown header keyword "${words[0].slice(0, 40)}"`);
    }
  }
  if (!encoding) throw new InputError(file, 'malformed', 'the PLY header has no "format" line');
  return { encoding, elements, comments, bodyStart };
}

/** Where the values of one vertex property go while reading. */
interface VertexSink {
  property: Property;
  values: ArrayValues;
}

/** How the body reader treats an element. */
interface ElementPlan {
  element: Element;
  /** Per property: the column it fills (vertex scalars), or undefined to discard. */
  columns: (ArrayValues | undefined)[];
  /** Index of the face-index list property, or -1. */
  faceList: number;
}

/** Fans each polygon into triangles and checks its indices. */
class FaceCollector {
  readonly triangles: GrowableArray<Uint32Array>;
  private readonly corners: number[] = [];

  constructor(
    private readonly vertexCount: number,
    private readonly file: string,
    capacity: number,
  ) {
    this.triangles = new GrowableArray(Uint32Array, capacity);
  }

  begin(): void {
    this.corners.length = 0;
  }

  corner(index: number, face: number): void {
    if (!(index >= 0 && index < this.vertexCount)) {
      throw new InputError(this.file, 'index-out-of-range', `face ${face} uses vertex ${index}, but there are ${this.vertexCount} vertices`);
    }
    this.corners.push(index);
  }

  end(): void {
    const c = this.corners;
    for (let k = 1; k + 1 < c.length; k++) this.triangles.push3(c[0], c[k], c[k + 1]);
  }
}

/**
 * Refuses element counts the body cannot hold, before anything is allocated: a binary item takes at least the
 * bytes of its fixed-size properties and list counts; an ASCII value at least one character and one separator.
 */
function checkCounts(header: Header, file: string, bodyBytes: number): void {
  let needed = 0;
  for (const element of header.elements) {
    if (header.encoding === 'ascii') {
      const values = element.properties.length;
      if (values > 0) needed += element.count * (2 * values - 1) + 1;
    } else {
      needed += element.count * minimumItemBytes(element);
    }
    if (needed > bodyBytes + 1) {
      throw new InputError(
        file,
        header.encoding === 'ascii' ? 'count-mismatch' : 'truncated',
        `the header declares ${element.count} "${element.name}" items, more than the ${bodyBytes} bytes of data can hold`,
      );
    }
  }
}

function planElements(header: Header, file: string): { plans: ElementPlan[]; vertex: Element; sinks: VertexSink[]; hasFaces: boolean } {
  const vertex = header.elements.find((e) => e.name === 'vertex');
  if (!vertex) throw new InputError(file, 'malformed', 'the PLY header declares no vertex element');
  for (const axis of ['x', 'y', 'z']) {
    const p = vertex.properties.find((q) => q.name === axis);
    if (!p) throw new InputError(file, 'malformed', `the vertex element has no "${axis}" property`);
    if (p.countType) throw new InputError(file, 'malformed', `the vertex property "${axis}" is a list`);
  }
  if (header.elements.filter((e) => e.name === 'vertex').length > 1 || header.elements.filter((e) => e.name === 'face').length > 1) {
    throw new InputError(file, 'malformed', 'the PLY header declares more than one vertex or face element');
  }
  const sinks: VertexSink[] = [];
  let hasFaces = false;
  const plans = header.elements.map((element): ElementPlan => {
    const columns: (ArrayValues | undefined)[] = element.properties.map(() => undefined);
    let faceList = -1;
    if (element === vertex) {
      const seen = new Set<string>();
      element.properties.forEach((p, i) => {
        if (p.countType || seen.has(p.name)) return; // list properties of vertices and duplicate names are skipped
        seen.add(p.name);
        const values = p.name === 'x' || p.name === 'y' || p.name === 'z' ? new Float64Array(element.count) : new STORAGE[p.type](element.count);
        columns[i] = values;
        sinks.push({ property: p, values });
      });
    } else if (element.name === 'face') {
      faceList = element.properties.findIndex((p) => p.countType && (p.name === 'vertex_indices' || p.name === 'vertex_index'));
      if (faceList < 0) throw new InputError(file, 'malformed', 'the face element has no "vertex_indices" list');
      const t = element.properties[faceList].type;
      if (t === 'float' || t === 'double') throw new InputError(file, 'malformed', `face vertex indices must have an integer type, not ${t}`);
      hasFaces = true;
    }
    return { element, columns, faceList };
  });
  return { plans, vertex, sinks, hasFaces };
}

function readScalar(view: DataView, pos: number, type: ScalarType, le: boolean): number {
  switch (type) {
    case 'char':
      return view.getInt8(pos);
    case 'uchar':
      return view.getUint8(pos);
    case 'short':
      return view.getInt16(pos, le);
    case 'ushort':
      return view.getUint16(pos, le);
    case 'int':
      return view.getInt32(pos, le);
    case 'uint':
      return view.getUint32(pos, le);
    case 'float':
      return view.getFloat32(pos, le);
    case 'double':
      return view.getFloat64(pos, le);
  }
}

/** Bytes an item of `element` needs at least (lists counted as empty). */
function minimumItemBytes(element: Element): number {
  let n = 0;
  for (const p of element.properties) n += SIZE[p.countType ?? p.type];
  return n;
}

function readBinaryBody(bytes: Uint8Array, file: string, header: Header, plans: ElementPlan[], faces: FaceCollector | undefined): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = header.encoding === 'binary_little_endian';
  const length = bytes.length;
  let pos = header.bodyStart;
  for (const { element, columns, faceList } of plans) {
    const props = element.properties;
    const fixed = minimumItemBytes(element);
    if (element.count * fixed > length - pos) {
      throw new InputError(
        file,
        'truncated',
        `the ${element.count} "${element.name}" items need at least ${element.count * fixed} bytes, ${length - pos} remain`,
      );
    }
    const hasLists = props.some((p) => p.countType);
    for (let i = 0; i < element.count; i++) {
      if (hasLists && pos + fixed > length) throw new InputError(file, 'truncated', `the file ends inside "${element.name}" item ${i}`);
      for (let k = 0; k < props.length; k++) {
        const p = props[k];
        if (p.countType) {
          const n = readScalar(view, pos, p.countType, le);
          pos += SIZE[p.countType];
          if (n < 0) throw new InputError(file, 'malformed', `"${element.name}" item ${i} has a negative list length ${n}`);
          const itemSize = SIZE[p.type];
          if (pos + n * itemSize > length) throw new InputError(file, 'truncated', `the file ends inside "${element.name}" item ${i}`);
          if (k === faceList && faces) {
            faces.begin();
            for (let j = 0; j < n; j++) faces.corner(readScalar(view, pos + j * itemSize, p.type, le), i);
            faces.end();
          }
          pos += n * itemSize;
        } else {
          const column = columns[k];
          if (column) column[i] = readScalar(view, pos, p.type, le);
          pos += SIZE[p.type];
        }
      }
    }
  }
  if (pos !== length) {
    throw new InputError(file, 'count-mismatch', `${length - pos} bytes follow the last element the header declares`);
  }
}

function readAsciiBody(bytes: Uint8Array, file: string, header: Header, plans: ElementPlan[], faces: FaceCollector | undefined): void {
  const s = new TextScanner(bytes, file, header.bodyStart);
  for (const { element, columns, faceList } of plans) {
    const props = element.properties;
    // Each value takes at least one character and one separator: refuse counts the remaining text cannot hold.
    if (props.length > 0 && element.count * (2 * props.length - 1) > s.end - s.pos + 1) {
      throw new InputError(file, 'count-mismatch', `the header declares ${element.count} "${element.name}" items, more than the file can hold`);
    }
    const read = (type: ScalarType, what: string): number => {
      s.skipWhitespace();
      if (s.atEnd) throw s.error('count-mismatch', `the file ends before the ${element.count} "${element.name}" items the header declares (reading ${what})`);
      const v = s.number();
      const range = RANGE[type];
      if (range && !(Number.isInteger(v) && v >= range[0] && v <= range[1])) {
        throw s.error('malformed', `${what} must be a ${type}, found ${v}`);
      }
      return v;
    };
    for (let i = 0; i < element.count; i++) {
      for (let k = 0; k < props.length; k++) {
        const p = props[k];
        if (p.countType) {
          const n = read(p.countType, `the length of "${p.name}"`);
          if (n < 0) throw s.error('malformed', `"${element.name}" item ${i} has a negative list length ${n}`);
          if (k === faceList && faces) {
            faces.begin();
            for (let j = 0; j < n; j++) faces.corner(read(p.type, `"${p.name}"`), i);
            faces.end();
          } else {
            for (let j = 0; j < n; j++) read(p.type, `"${p.name}"`);
          }
        } else {
          const v = read(p.type, `"${p.name}"`);
          const column = columns[k];
          if (column) column[i] = v;
        }
      }
    }
  }
  s.skipWhitespace();
  if (!s.atEnd) throw s.error('count-mismatch', 'values follow the last element the header declares');
}

/** Common storage for a group of columns: their type if they agree, else Float64. */
function groupStorage(sinks: VertexSink[]): ArrayCtor {
  const t = sinks[0].property.type;
  return sinks.every((s) => s.property.type === t) ? STORAGE[t] : Float64Array;
}

function interleave(name: string, sinks: VertexSink[], count: number, spatialVector: boolean): PointArray {
  const components = sinks.length;
  const values = new (groupStorage(sinks))(count * components);
  for (let c = 0; c < components; c++) {
    const column = sinks[c].values;
    for (let i = 0; i < count; i++) values[i * components + c] = column[i];
  }
  return spatialVector ? { name, components, values, spatialVector } : { name, components, values };
}

/** Groups vertex columns into Monge point arrays (see the module comment for the naming scheme). */
function vertexArrays(sinks: VertexSink[], count: number): PointArray[] {
  const byName = new Map(sinks.map((s) => [s.property.name, s]));
  const used = new Set<string>(['x', 'y', 'z']);
  const take = (names: string[]): VertexSink[] | undefined => {
    const group = names.map((n) => byName.get(n));
    if (group.some((g) => !g || used.has(g.property.name))) return undefined;
    for (const n of names) used.add(n);
    return group as VertexSink[];
  };
  const arrays: PointArray[] = [];
  for (const sink of sinks) {
    const name = sink.property.name;
    if (used.has(name)) continue;
    let group: VertexSink[] | undefined;
    if (name === 'nx' && (group = take(['nx', 'ny', 'nz']))) {
      arrays.push(interleave('Normals', group, count, true));
      continue;
    }
    if (name === 'red') {
      if ((group = take(['red', 'green', 'blue', 'alpha'])) || (group = take(['red', 'green', 'blue']))) {
        arrays.push(interleave(group.length === 4 ? 'RGBA' : 'RGB', group, count, false));
        continue;
      }
    }
    const vector = /^(.+)_x$/.exec(name);
    if (vector && (group = take([name, `${vector[1]}_y`, `${vector[1]}_z`]))) {
      arrays.push(interleave(vector[1], group, count, true));
      continue;
    }
    const tuple = /^(.+)_0$/.exec(name);
    if (tuple) {
      const names = [name];
      while (byName.has(`${tuple[1]}_${names.length}`) && !used.has(`${tuple[1]}_${names.length}`)) names.push(`${tuple[1]}_${names.length}`);
      if (names.length >= 2 && (group = take(names))) {
        arrays.push(interleave(tuple[1], group, count, false));
        continue;
      }
    }
    used.add(name);
    arrays.push({ name, components: 1, values: sink.values });
  }
  return arrays;
}

function parse(bytes: Uint8Array, file: string): MeshData {
  if (bytes.length === 0) throw new InputError(file, 'empty', 'the file is empty');
  const header = parseHeader(bytes, file);
  checkCounts(header, file, bytes.length - header.bodyStart);
  const { plans, vertex, sinks, hasFaces } = planElements(header, file);
  const faceCount = header.elements.find((e) => e.name === 'face')?.count ?? 0;
  const faces = hasFaces ? new FaceCollector(vertex.count, file, 3 * faceCount) : undefined;
  if (header.encoding === 'ascii') readAsciiBody(bytes, file, header, plans, faces);
  else readBinaryBody(bytes, file, header, plans, faces);

  const n = vertex.count;
  const column = (axis: string): Float64Array => sinks.find((s) => s.property.name === axis)?.values as Float64Array;
  const xs = column('x');
  const ys = column('y');
  const zs = column('z');
  const points = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    const x = xs[i];
    const y = ys[i];
    const z = zs[i];
    if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(z)) {
      throw new InputError(file, 'non-finite', `vertex ${i} has a NaN or infinite coordinate`);
    }
    points[3 * i] = x;
    points[3 * i + 1] = y;
    points[3 * i + 2] = z;
  }
  let declaredFrame: MeshData['declaredFrame'];
  for (const c of header.comments) declaredFrame ??= frameDeclaredIn(c);
  const data: MeshData = { points, arrays: vertexArrays(sinks, n) };
  if (faces) data.triangles = faces.triangles.toArray();
  if (declaredFrame) data.declaredFrame = declaredFrame;
  return data;
}

// ---------------------------------------------------------------------------------------------------------------
// Writing

/** One written vertex property: a component of a point array (or of the points). */
interface Column {
  name: string;
  type: ScalarType;
  values: ArrayLike<number>;
  components: number;
  component: number;
}

/** Property names for an array's components, chosen so that reading groups them back into the same array. */
function propertyNames(array: PointArray): string[] {
  // Whitespace becomes '_' (readable in other tools, as before); other bytes outside printable ASCII become %XX, so
  // the header stays ASCII and the name comes back whole (decodePercentName on reading).
  const base = encodePercentName(array.name.trim().replace(/\s+/g, '_')) || 'array';
  if (array.components === 1) return [base];
  if (array.components === 3 && array.spatialVector) return base === 'Normals' ? ['nx', 'ny', 'nz'] : [`${base}_x`, `${base}_y`, `${base}_z`];
  if (!array.spatialVector && base === 'RGB' && array.components === 3) return ['red', 'green', 'blue'];
  if (!array.spatialVector && base === 'RGBA' && array.components === 4) return ['red', 'green', 'blue', 'alpha'];
  return Array.from({ length: array.components }, (_, c) => `${base}_${c}`);
}

function vertexColumns(mesh: MeshData): Column[] {
  const points = mesh.points;
  let fitsFloat = true;
  for (let i = 0; i < points.length; i++) {
    if (Math.fround(points[i]) !== points[i]) {
      fitsFloat = false;
      break;
    }
  }
  const pointType: ScalarType = fitsFloat ? 'float' : 'double';
  const columns: Column[] = ['x', 'y', 'z'].map((name, c) => ({ name, type: pointType, values: points, components: 3, component: c }));
  const taken = new Set(['x', 'y', 'z']);
  const n = points.length / 3;
  for (const array of mesh.arrays) {
    if (array.values.length !== n * array.components) {
      throw new Error(`PLY writer: point array "${array.name}" has ${array.values.length} values, expected ${n} × ${array.components}`);
    }
    let names = propertyNames(array);
    for (let k = 2; names.some((name) => taken.has(name)); k++) {
      names = propertyNames({ ...array, name: `${array.name.trim() || 'array'}_${k}` });
    }
    names.forEach((name, c) => {
      taken.add(name);
      columns.push({ name, type: plyTypeOf(array.values), values: array.values, components: array.components, component: c });
    });
  }
  return columns;
}

function writeScalar(view: DataView, pos: number, type: ScalarType, value: number): void {
  switch (type) {
    case 'char':
      return view.setInt8(pos, value);
    case 'uchar':
      return view.setUint8(pos, value);
    case 'short':
      return view.setInt16(pos, value, true);
    case 'ushort':
      return view.setUint16(pos, value, true);
    case 'int':
      return view.setInt32(pos, value, true);
    case 'uint':
      return view.setUint32(pos, value, true);
    case 'float':
      return view.setFloat32(pos, value, true);
    case 'double':
      return view.setFloat64(pos, value, true);
  }
}

function serialize(mesh: MeshData, options: MeshWriteOptions): Uint8Array {
  const binary = options.binary !== false;
  const columns = vertexColumns(mesh);
  const n = mesh.points.length / 3;
  const triangles = mesh.triangles ?? new Uint32Array(0);
  const faceCount = triangles.length / 3;
  const lines = [
    'ply',
    `format ${binary ? 'binary_little_endian' : 'ascii'} 1.0`,
    `comment ${spaceTag(options.frame)}`,
    'comment written by Monge',
    `element vertex ${n}`,
    ...columns.map((c) => `property ${c.type} ${c.name}`),
  ];
  if (mesh.triangles) lines.push(`element face ${faceCount}`, 'property list uchar int vertex_indices');
  lines.push(END_HEADER);
  const headerBytes = new TextEncoder().encode(lines.join('\n') + '\n');

  if (!binary) {
    const text = new TextOutput();
    const row: string[] = new Array(columns.length);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < columns.length; k++) {
        const c = columns[k];
        row[k] = formatNumber(c.values[i * c.components + c.component]);
      }
      text.line(row.join(' '));
    }
    for (let t = 0; t < faceCount; t++) text.line(`3 ${triangles[3 * t]} ${triangles[3 * t + 1]} ${triangles[3 * t + 2]}`);
    const body = text.bytes();
    const out = new Uint8Array(headerBytes.length + body.length);
    out.set(headerBytes);
    out.set(body, headerBytes.length);
    return out;
  }

  let record = 0;
  for (const c of columns) record += SIZE[c.type];
  const out = new Uint8Array(headerBytes.length + n * record + faceCount * 13);
  out.set(headerBytes);
  const view = new DataView(out.buffer);
  let pos = headerBytes.length;
  for (let i = 0; i < n; i++) {
    for (const c of columns) {
      writeScalar(view, pos, c.type, c.values[i * c.components + c.component]);
      pos += SIZE[c.type];
    }
  }
  for (let t = 0; t < faceCount; t++) {
    view.setUint8(pos, 3);
    view.setInt32(pos + 1, triangles[3 * t], true);
    view.setInt32(pos + 5, triangles[3 * t + 1], true);
    view.setInt32(pos + 9, triangles[3 * t + 2], true);
    pos += 13;
  }
  return out;
}

export const plyCodec: MeshCodec = {
  format: 'ply',
  extensions: ['.ply'],
  defaultFrame: 'LPS',
  parse,
  serialize,
};
