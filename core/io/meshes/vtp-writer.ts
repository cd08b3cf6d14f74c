/**
 * Writes VTK XML PolyData (.vtp): binary (base64 inline, UInt32 headers, zlib-compressed in 32 KiB blocks as
 * vtkXMLPolyDataWriter does by default) or, with `binary: false`, plain ASCII DataArrays.
 *
 * - Points are Float32 when every coordinate is exactly a float32, else Float64.
 * - Triangles are Polys (connectivity + offsets, Int32); a point cloud is one Verts cell per point.
 * - The frame is declared twice: as Slicer's FieldData string array `SPACE` (what vtkMRMLModelStorageNode reads
 *   back) and as a `SPACE=<frame>` comment for people reading the file.
 * - Spatial vectors: the one named Normals (if any) is the PointData `Normals` attribute, the first other one the
 *   `Vectors` attribute — the standard marks VTK readers understand; any further ones carry `SpatialVector="1"`.
 *   The first spatial tensor is the `Tensors` attribute.
 */
import type { ArrayValues, PointArray } from '../../arrays/index.ts';
import { spaceTag } from './declared-frame.ts';
import type { MeshData, MeshWriteOptions } from './types.ts';
import { encodeDataArrayText, xmlTypeNameOf, type DataArrayWriteOptions } from './vtp-data-array.ts';
import { allExactFloat32 } from './vtk-number-format.ts';

const XML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/**
 * Escapes text for an XML attribute value. Characters outside printable ASCII become character references, so
 * the file is pure ASCII and readers that decode it as Latin-1 (vtk.js does) still get the right name.
 */
function escapeXml(s: string): string {
  return s.replace(/[&<>"']|[^\x20-\x7e]/gu, (c) => XML_ESCAPES[c] ?? `&#x${(c.codePointAt(0) ?? 0).toString(16)};`);
}

/** One `<DataArray>` element. */
function dataArray(
  values: ArrayValues,
  name: string,
  components: number,
  options: DataArrayWriteOptions,
  indent: string,
  extra = '',
): string {
  const comps = components === 1 ? '' : ` NumberOfComponents="${components}"`;
  const head = `${indent}<DataArray type="${xmlTypeNameOf(values)}" Name="${escapeXml(name)}"${comps} format="${options.mode}"${extra}>`;
  return `${head}\n${encodeDataArrayText(values, options)}\n${indent}</DataArray>\n`;
}

/** Offsets and connectivity DataArrays of cells that all have `size` vertices. */
function uniformCells(connectivity: Int32Array, size: number, options: DataArrayWriteOptions, indent: string): string {
  const n = connectivity.length / size;
  const offsets = new Int32Array(n);
  for (let c = 0; c < n; c++) offsets[c] = (c + 1) * size;
  return dataArray(connectivity, 'connectivity', 1, options, indent) + dataArray(offsets, 'offsets', 1, options, indent);
}

/** Serialises a mesh as a .vtp file. */
export function serializeVtp(mesh: MeshData, options: MeshWriteOptions): Uint8Array {
  const binary = options.binary ?? true;
  const arrayOptions: DataArrayWriteOptions = { mode: binary ? 'binary' : 'ascii' };
  const nPoints = mesh.points.length / 3;
  const tri = mesh.triangles;
  if (3 * (tri?.length ?? 0) >= 2 ** 31 || nPoints >= 2 ** 31) throw new Error('mesh too large for Int32 cell arrays');
  for (const a of mesh.arrays) {
    if (!(a.components >= 1) || a.values.length !== a.components * nPoints) {
      throw new Error(`point array "${a.name}" has ${a.values.length} values, expected ${nPoints} × ${a.components}`);
    }
  }

  const out: string[] = [];
  out.push('<?xml version="1.0"?>\n');
  out.push(`<!-- Monge output. ${spaceTag(options.frame)} -->\n`);
  const compressor = binary ? ' compressor="vtkZLibDataCompressor"' : '';
  out.push(`<VTKFile type="PolyData" version="1.0" byte_order="LittleEndian" header_type="UInt32"${compressor}>\n`);
  out.push('  <PolyData>\n');

  // Slicer's frame declaration: a one-value String array; VTK stores strings as their bytes, each 0-terminated.
  const spaceBytes = new Uint8Array([...Buffer.from(options.frame, 'ascii'), 0]);
  const spaceText = encodeDataArrayText(spaceBytes, arrayOptions);
  out.push('    <FieldData>\n');
  out.push(`      <Array type="String" Name="SPACE" NumberOfTuples="1" format="${arrayOptions.mode}">\n${spaceText}\n      </Array>\n`);
  out.push('    </FieldData>\n');

  const cloud = !tri;
  const nVerts = cloud ? nPoints : 0;
  const nPolys = tri ? tri.length / 3 : 0;
  out.push(`    <Piece NumberOfPoints="${nPoints}" NumberOfVerts="${nVerts}" NumberOfLines="0" NumberOfStrips="0" NumberOfPolys="${nPolys}">\n`);

  const spatial = mesh.arrays.filter((a) => a.spatialVector && a.components === 3);
  const normals = spatial.find((a) => a.name === 'Normals');
  const vectors = spatial.find((a) => a !== normals);
  // VTK names one tensor attribute per PointData; the reader flags it as a spatial tensor again.
  const tensors = mesh.arrays.find((a) => a.spatialTensor && a.components === 9);
  const attrs =
    (normals ? ` Normals="${escapeXml(normals.name)}"` : '') +
    (vectors ? ` Vectors="${escapeXml(vectors.name)}"` : '') +
    (tensors ? ` Tensors="${escapeXml(tensors.name || `array${mesh.arrays.indexOf(tensors)}`)}"` : '');
  out.push(`      <PointData${attrs}>\n`);
  mesh.arrays.forEach((a: PointArray, k) => {
    const marked = a.spatialVector && a.components === 3 && a !== normals && a !== vectors ? ' SpatialVector="1"' : '';
    out.push(dataArray(a.values, a.name || `array${k}`, a.components, arrayOptions, '        ', marked));
  });
  out.push('      </PointData>\n');
  out.push('      <CellData>\n      </CellData>\n');

  const points: ArrayValues = allExactFloat32(mesh.points) ? Float32Array.from(mesh.points) : mesh.points;
  out.push('      <Points>\n');
  out.push(dataArray(points, 'Points', 3, arrayOptions, '        '));
  out.push('      </Points>\n');

  if (nVerts > 0) {
    const connectivity = new Int32Array(nPoints);
    for (let i = 0; i < nPoints; i++) connectivity[i] = i;
    out.push('      <Verts>\n');
    out.push(uniformCells(connectivity, 1, arrayOptions, '        '));
    out.push('      </Verts>\n');
  }
  if (nPolys > 0 && tri) {
    out.push('      <Polys>\n');
    out.push(uniformCells(Int32Array.from(tri), 3, arrayOptions, '        '));
    out.push('      </Polys>\n');
  }
  out.push('    </Piece>\n  </PolyData>\n</VTKFile>\n');
  return Buffer.from(out.join(''), 'utf8');
}
