/**
 * Writes VTK legacy POLYDATA files (version 4.2 header, the counted cell layout every VTK release reads), ASCII or
 * BINARY (big-endian): "VTK File Formats", https://docs.vtk.org/en/latest/design_documents/VTKFileFormats.html.
 *
 * - The title line is `vtk output SPACE=<frame>`, the declaration Slicer honours, so the frame round-trips.
 * - Points are `float` when every coordinate is exactly a float32 (nothing is lost), else `double`.
 * - Triangles are POLYGONS; a point cloud is written as one VERTICES cell per point, as VTK's own point clouds are.
 * - The spatial 3-vector named 'Normals' is NORMALS, other spatial 3-vectors are VECTORS (the reader flags both
 *   as spatial), the first spatial tensor is TENSORS (vtkDataReader keeps only the first TENSORS of a POINT_DATA),
 *   other arrays FIELD arrays; the order of the arrays is kept.
 */
import type { PointArray } from '../../arrays/index.ts';
import { spaceTag } from './declared-frame.ts';
import { encodePercentName } from './percent-names.ts';
import type { MeshData, MeshWriteOptions } from './types.ts';
import { LEGACY_TYPES, legacyTypeNameOf } from './vtk-legacy-types.ts';
import { allExactFloat32, formatFloat32, formatFloat64 } from './vtk-number-format.ts';

/** Collects the output's pieces. */
class Sink {
  readonly chunks: Uint8Array[] = [];

  text(s: string): void {
    this.chunks.push(Buffer.from(s, 'utf8'));
  }

  /** Writes values of a legacy type: big-endian bytes, or ASCII rows of `perRow` numbers. Ends with a line break. */
  block(values: ArrayLike<number>, typeName: string, binary: boolean, perRow: number): void {
    const type = LEGACY_TYPES[typeName];
    if (binary) {
      const out = new Uint8Array(values.length * type.size);
      const view = new DataView(out.buffer);
      for (let i = 0; i < values.length; i++) type.set(view, i, values[i]);
      this.chunks.push(out);
      this.text('\n');
      return;
    }
    const format = typeName === 'float' ? formatFloat32 : typeName === 'double' ? formatFloat64 : String;
    const rows: string[] = [];
    for (let i = 0; i < values.length; i += perRow) {
      const row: string[] = [];
      for (let j = i; j < Math.min(values.length, i + perRow); j++) row.push(format(values[j]));
      rows.push(row.join(' '));
      // Flush now and then so one huge string is never built.
      if (rows.length >= 65536) {
        this.text(rows.join('\n') + '\n');
        rows.length = 0;
      }
    }
    if (rows.length > 0) this.text(rows.join('\n') + '\n');
  }

  concat(): Uint8Array {
    return Buffer.concat(this.chunks);
  }
}

/** Checks that an array holds one tuple per point. */
function checkArray(a: PointArray, nPoints: number): void {
  if (!(a.components >= 1) || a.values.length !== a.components * nPoints) {
    throw new Error(`point array "${a.name}" has ${a.values.length} values, expected ${nPoints} × ${a.components}`);
  }
}

/** Serialises a mesh as a legacy VTK POLYDATA file. */
export function serializeVtkLegacy(mesh: MeshData, options: MeshWriteOptions): Uint8Array {
  const binary = options.binary ?? true;
  const nPoints = mesh.points.length / 3;
  const sink = new Sink();
  sink.text(`# vtk DataFile Version 4.2\nvtk output ${spaceTag(options.frame)}\n${binary ? 'BINARY' : 'ASCII'}\nDATASET POLYDATA\n`);

  const pointType = allExactFloat32(mesh.points) ? 'float' : 'double';
  sink.text(`POINTS ${nPoints} ${pointType}\n`);
  sink.block(mesh.points, pointType, binary, 9);

  // Cells in the counted layout: n i0 … per cell.
  const tri = mesh.triangles;
  if (tri) {
    const nTri = tri.length / 3;
    const data = new Int32Array(4 * nTri);
    for (let f = 0; f < nTri; f++) {
      data[4 * f] = 3;
      data[4 * f + 1] = tri[3 * f];
      data[4 * f + 2] = tri[3 * f + 1];
      data[4 * f + 3] = tri[3 * f + 2];
    }
    sink.text(`POLYGONS ${nTri} ${4 * nTri}\n`);
    sink.block(data, 'int', binary, 4);
  } else if (nPoints > 0) {
    const data = new Int32Array(2 * nPoints);
    for (let i = 0; i < nPoints; i++) {
      data[2 * i] = 1;
      data[2 * i + 1] = i;
    }
    sink.text(`VERTICES ${nPoints} ${2 * nPoints}\n`);
    sink.block(data, 'int', binary, 2);
  }

  if (mesh.arrays.length > 0) {
    sink.text(`POINT_DATA ${nPoints}\n`);
    // In file order: each spatial vector as VECTORS, each run of other arrays as one FIELD block (vtkDataReader
    // adds the arrays of every FIELD block in POINT_DATA), so the reader gives the arrays back in the same order.
    const named = mesh.arrays.map((a, k) => (a.name ? a : { ...a, name: `array${k}` }));
    // Attribute roles the reader gives back (NORMALS, VECTORS, TENSORS): a tensor written in a FIELD block would
    // read back as a plain array and no longer change sign with the frame.
    const normals = named.find((a) => a.spatialVector && a.components === 3 && a.name === 'Normals');
    const tensors = named.find((a) => a.spatialTensor && a.components === 9);
    const keywordOf = (a: PointArray): string | undefined =>
      a === normals ? 'NORMALS' : a.spatialVector && a.components === 3 ? 'VECTORS' : a === tensors ? 'TENSORS' : undefined;
    for (let k = 0; k < named.length; ) {
      const a = named[k];
      checkArray(a, nPoints);
      const keyword = keywordOf(a);
      if (keyword) {
        const typeName = legacyTypeNameOf(a.values);
        sink.text(`${keyword} ${encodePercentName(a.name)} ${typeName}\n`);
        sink.block(a.values, typeName, binary, 9);
        k++;
        continue;
      }
      let end = k;
      while (end < named.length && !keywordOf(named[end])) end++;
      sink.text(`FIELD FieldData ${end - k}\n`);
      for (; k < end; k++) {
        const f = named[k];
        checkArray(f, nPoints);
        const typeName = legacyTypeNameOf(f.values);
        sink.text(`${encodePercentName(f.name)} ${f.components} ${nPoints} ${typeName}\n`);
        sink.block(f.values, typeName, binary, 9);
      }
    }
  }
  return sink.concat();
}
