/**
 * GIfTI surfaces (.gii, .gii.gz): GIfTI Surface Data Format 1.0 (Harwell et al., 2011,
 * https://www.nitrc.org/projects/gifti/), the XML surface format of FreeSurfer, Connectome Workbench, nilearn.
 *
 * Reading: the vertices are the first NIFTI_INTENT_POINTSET DataArray (N×3), the faces the first
 * NIFTI_INTENT_TRIANGLE DataArray (M×3, 0-based). Every other DataArray whose Dim0 is the vertex count becomes a
 * per-vertex PointArray (shape, label, vector, time-series data …), named by its MetaData "Name" entry, else
 * `<intent>_<index>` (e.g. `shape_2`); a NIFTI_INTENT_VECTOR array with 3 components is a spatial vector. Arrays of
 * any other length (per-face data) are skipped. A file with no POINTSET (a per-vertex data file such as
 * `lh.sulc.gii`) is not a mesh and is refused as 'unsupported'. A `.gii.gz` (the whole XML gzipped) is recognised
 * by its gzip magic number, whatever its name.
 *
 * Frame: GIfTI coordinates are in the space named by the pointset's CoordinateSystemTransformMatrix
 * (NIFTI_XFORM_SCANNER_ANAT, _TALAIRACH, _MNI_152 …). Every NIfTI space is RAS-based, so a GIfTI surface is
 * always RAS (`declaredFrame` 'RAS'). The matrix (identity in practice: DataSpace → TransformedSpace) is not
 * applied: coordinates are used as stored, which is what FreeSurfer, Workbench and nibabel display.
 *
 * Writing: a POINTSET (float32, with an identity CoordinateSystemTransformMatrix NIFTI_XFORM_SCANNER_ANAT →
 * NIFTI_XFORM_SCANNER_ANAT), a TRIANGLE array (int32) when there are faces, and one DataArray per PointArray
 * (intent NIFTI_INTENT_VECTOR for 3-component spatial vectors, else NIFTI_INTENT_NONE; MetaData Name = the array's
 * name so names round-trip), all GZipBase64Binary little-endian. The pointset's MetaData AnatomicalStructurePrimary,
 * AnatomicalStructureSecondary and GeometricType are read into `anatomy` and written back from it, so a surface keeps
 * its hemisphere through conversion and registration (Workbench places surfaces by them). Integer arrays that fit
 * are written as INT32 (UINT8 stays UINT8), every other array as FLOAT32. GIfTI cannot declare LPS: the caller (the
 * registry) must pass RAS points; `options.frame` is not consulted.
 */
import { deflateSync } from 'node:zlib';
import type { ArrayValues, PointArray } from '../../arrays/index.ts';
import { InputError, check } from '../errors.ts';
import { gunzipInput, isGzip } from '../read-bytes.ts';
import type { SurfaceAnatomy } from '../../shape/types.ts';
import {
  decodeArrayValues,
  littleEndianBytes,
  metaDataOf,
  readArrayHeader,
  type GiftiArrayHeader,
} from './gifti-data-array.ts';
import type { MeshCodec, MeshData, MeshWriteOptions } from './types.ts';
import { childrenNamed, escapeXml, parseXml } from './xml-tokenizer.ts';

const POINTSET = 'NIFTI_INTENT_POINTSET';
const TRIANGLE = 'NIFTI_INTENT_TRIANGLE';
const VECTOR = 'NIFTI_INTENT_VECTOR';

/** Largest XML text decoded (V8's string length limit is about 2^29 characters). */
const MAX_XML_BYTES = 2 ** 29 - 64;

function parseGifti(bytes: Uint8Array, file: string): MeshData {
  const xmlBytes = isGzip(bytes) ? gunzipInput(bytes, file) : bytes;
  check(xmlBytes.length > 0, file, 'empty', 'the file is empty');
  check(xmlBytes.length <= MAX_XML_BYTES, file, 'too-large', `the GIfTI XML is ${xmlBytes.length} bytes, more than Monge can read`);
  const text = new TextDecoder('utf-8').decode(xmlBytes);
  check(/^\uFEFF?\s*</.test(text.slice(0, 1024)), file, 'bad-magic', 'not a GIfTI file (no XML markup at the start)');
  const root = parseXml(text, file);
  check(root.name === 'GIFTI', file, 'bad-magic', `not a GIfTI file: the root element is <${root.name}>, expected <GIFTI>`);

  const elements = childrenNamed(root, 'DataArray');
  const headers = elements.map((el, index) => readArrayHeader(el, index, file));
  const pointHeader = headers.find((h) => h.intent === POINTSET);
  if (!pointHeader) {
    const intents = [...new Set(headers.map((h) => h.intent))].join(', ') || 'no DataArray at all';
    throw new InputError(file, 'unsupported', `not a surface: no NIFTI_INTENT_POINTSET array (a per-vertex data file?); it holds ${intents}`);
  }
  check(
    pointHeader.dims.length === 2 && pointHeader.dims[1] === 3,
    file,
    'malformed',
    `the NIFTI_INTENT_POINTSET array is ${pointHeader.dims.join('×')}, expected N×3`,
  );
  const vertexCount = pointHeader.dims[0];
  const points = Float64Array.from(decodeArrayValues(pointHeader, file));
  for (let i = 0; i < points.length; i++) {
    if (!Number.isFinite(points[i])) {
      throw new InputError(file, 'non-finite', `vertex ${Math.floor(i / 3)} has a non-finite coordinate (${points[i]})`);
    }
  }

  const triangleHeader = headers.find((h) => h.intent === TRIANGLE);
  const triangles = triangleHeader ? readTriangles(triangleHeader, vertexCount, file) : undefined;

  const arrays: PointArray[] = [];
  for (const h of headers) {
    if (h === pointHeader || h.intent === TRIANGLE || h.dims[0] !== vertexCount) continue;
    const components = h.dims.slice(1).reduce((a, b) => a * b, 1);
    arrays.push({
      name: h.name && h.name !== '' ? h.name : `${shortIntent(h.intent)}_${h.index}`,
      components,
      values: decodeArrayValues(h, file),
      // A further POINTSET holds positions, which change frame like vectors under the linear RAS↔LPS flip.
      spatialVector: components === 3 && (h.intent === VECTOR || h.intent === POINTSET),
    });
  }
  const anatomy = anatomyOf(metaDataOf(elements[pointHeader.index]));
  return { points, triangles, arrays, declaredFrame: 'RAS', ...(anatomy ? { anatomy } : {}) };
}

/** GIfTI MetaData names of SurfaceAnatomy's fields. */
const ANATOMY_KEYS = [
  ['structurePrimary', 'AnatomicalStructurePrimary'],
  ['structureSecondary', 'AnatomicalStructureSecondary'],
  ['geometricType', 'GeometricType'],
] as const satisfies readonly (readonly [keyof SurfaceAnatomy, string])[];

/** The anatomy a pointset's MetaData states, or undefined where it states none. */
function anatomyOf(meta: ReadonlyMap<string, string>): SurfaceAnatomy | undefined {
  const anatomy: SurfaceAnatomy = {};
  for (const [field, key] of ANATOMY_KEYS) {
    const value = meta.get(key)?.trim();
    if (value) anatomy[field] = value;
  }
  return Object.keys(anatomy).length > 0 ? anatomy : undefined;
}

/** The pointset's MetaData entries for `anatomy`, in GIfTI's names. */
function anatomyEntries(anatomy: SurfaceAnatomy | undefined): [string, string][] {
  return ANATOMY_KEYS.flatMap(([field, key]) => (anatomy?.[field] ? [[key, anatomy[field]] as [string, string]] : []));
}

/** `NIFTI_INTENT_SHAPE` → `shape`. */
function shortIntent(intent: string): string {
  return intent.replace(/^NIFTI_INTENT_/, '').toLowerCase() || 'array';
}

function readTriangles(header: GiftiArrayHeader, vertexCount: number, file: string): Uint32Array | undefined {
  check(
    header.dims.length === 2 && header.dims[1] === 3,
    file,
    'malformed',
    `the NIFTI_INTENT_TRIANGLE array is ${header.dims.join('×')}, expected M×3`,
  );
  check(header.type.integer, file, 'unsupported', `the NIFTI_INTENT_TRIANGLE array is ${header.type.name}, expected an integer type`);
  const values = decodeArrayValues(header, file);
  const triangles = new Uint32Array(values.length);
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (!(v >= 0 && v < vertexCount)) {
      throw new InputError(
        file,
        'index-out-of-range',
        `triangle ${Math.floor(k / 3)} uses vertex ${v}, but there are ${vertexCount} vertices (0-based)`,
      );
    }
    triangles[k] = v;
  }
  return triangles.length > 0 ? triangles : undefined;
}

/** Wraps text in CDATA (a "]]>" inside is split across two sections). */
function cdata(text: string): string {
  return `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

interface ArrayToWrite {
  intent: string;
  dataType: 'NIFTI_TYPE_FLOAT32' | 'NIFTI_TYPE_INT32' | 'NIFTI_TYPE_UINT8';
  values: Float32Array | Int32Array | Uint8Array;
  dims: number[];
  /** MetaData entries: Name (the array's name), the pointset's anatomy. */
  meta: [string, string][];
  withSpace?: boolean;
}

/** An array's values in the GIfTI type it is written as (see the module comment). */
function giftiValues(values: ArrayValues): Pick<ArrayToWrite, 'dataType' | 'values'> {
  if (values instanceof Uint8Array) return { dataType: 'NIFTI_TYPE_UINT8', values };
  if (values instanceof Int32Array) return { dataType: 'NIFTI_TYPE_INT32', values };
  const integer = !(values instanceof Float32Array || values instanceof Float64Array);
  if (integer && (!(values instanceof Uint32Array) || values.every((v) => v <= 2 ** 31 - 1))) {
    return { dataType: 'NIFTI_TYPE_INT32', values: Int32Array.from(values) };
  }
  return { dataType: 'NIFTI_TYPE_FLOAT32', values: Float32Array.from(values) };
}

function dataArrayXml(a: ArrayToWrite): string {
  const dimAttrs = a.dims.map((d, k) => ` Dim${k}="${d}"`).join('');
  const meta = a.meta.length === 0 ? '<MetaData/>' : `<MetaData>${a.meta.map(([name, value]) => `<MD><Name>${cdata(name)}</Name><Value>${cdata(value)}</Value></MD>`).join('')}</MetaData>`;
  const space = a.withSpace
    ? '\n    <CoordinateSystemTransformMatrix>' +
      `<DataSpace>${cdata('NIFTI_XFORM_SCANNER_ANAT')}</DataSpace>` +
      `<TransformedSpace>${cdata('NIFTI_XFORM_SCANNER_ANAT')}</TransformedSpace>` +
      '<MatrixData>1 0 0 0 0 1 0 0 0 0 1 0 0 0 0 1</MatrixData></CoordinateSystemTransformMatrix>'
    : '';
  const data = Buffer.from(deflateSync(littleEndianBytes(a.values))).toString('base64');
  return (
    `  <DataArray Intent="${escapeXml(a.intent)}" DataType="${a.dataType}" ArrayIndexingOrder="RowMajorOrder"` +
    ` Dimensionality="${a.dims.length}"${dimAttrs} Encoding="GZipBase64Binary" Endian="LittleEndian"` +
    ` ExternalFileName="" ExternalFileOffset="">\n    ${meta}${space}\n    <Data>${data}</Data>\n  </DataArray>\n`
  );
}

function serializeGifti(mesh: MeshData, _options: MeshWriteOptions): Uint8Array {
  const vertexCount = mesh.points.length / 3;
  const toWrite: ArrayToWrite[] = [
    { intent: POINTSET, dataType: 'NIFTI_TYPE_FLOAT32', values: Float32Array.from(mesh.points), dims: [vertexCount, 3], meta: anatomyEntries(mesh.anatomy), withSpace: true },
  ];
  if (mesh.triangles && mesh.triangles.length > 0) {
    toWrite.push({ intent: TRIANGLE, dataType: 'NIFTI_TYPE_INT32', values: Int32Array.from(mesh.triangles), dims: [mesh.triangles.length / 3, 3], meta: [] });
  }
  for (const a of mesh.arrays) {
    if (a.values.length !== vertexCount * a.components) {
      throw new Error(`array ${a.name} has ${a.values.length} values, expected ${vertexCount} × ${a.components}`);
    }
    const vector = a.spatialVector === true && a.components === 3;
    toWrite.push({
      intent: vector ? VECTOR : 'NIFTI_INTENT_NONE',
      ...giftiValues(a.values),
      dims: a.components === 1 ? [vertexCount] : [vertexCount, a.components],
      meta: [['Name', a.name]],
    });
  }
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<!DOCTYPE GIFTI SYSTEM "http://www.nitrc.org/frs/download.php/115/gifti.dtd">\n' +
    `<GIFTI Version="1.0" NumberOfDataArrays="${toWrite.length}">\n` +
    `  <MetaData><MD><Name>${cdata('generator')}</Name><Value>${cdata('monge')}</Value></MD></MetaData>\n` +
    '  <LabelTable/>\n' +
    toWrite.map(dataArrayXml).join('') +
    '</GIFTI>\n';
  return new TextEncoder().encode(xml);
}

export const giftiCodec: MeshCodec = {
  format: 'gifti',
  extensions: ['.gii.gz', '.gii'],
  defaultFrame: 'RAS',
  onlyFrame: 'RAS',
  gzipExtensions: ['.gii.gz'],
  parse: parseGifti,
  serialize: serializeGifti,
};
