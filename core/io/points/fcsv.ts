/**
 * 3D Slicer's legacy markups fiducial list, `.fcsv` (Slicer 4.x; still read by Slicer 5):
 *
 *   # Markups fiducial file version = 4.11
 *   # CoordinateSystem = LPS
 *   # columns = id,x,y,z,ow,ox,oy,oz,vis,sel,lock,label,desc,associatedNodeID
 *   vtkMRMLMarkupsFiducialNode_0,-12.5,30.1,4,0,0,0,1,1,1,0,F-1,,
 *
 * `CoordinateSystem` is `RAS` or `LPS`, or in files before 4.11 the number 0 (RAS) or 1 (LPS); files without
 * the line predate it and are RAS, which is this codec's default frame. Fields follow RFC 4180 quoting (Slicer
 * quotes a label holding a comma). When there is no `# columns` line the 4.x default order above is assumed.
 * The writer sets orientation, visibility and the other flags to Slicer's defaults; a file carried through a
 * registration into another `.fcsv` keeps them (markups-rewrite.ts).
 */
import type { Frame } from '../../frames/index.ts';
import { check, InputError } from '../errors.ts';
import { decodeText, formatNumber, nonBlankLines, parseFiniteNumber, quoteCsvField, splitCsvFields } from './text.ts';
import type { PointCodec, PointSetData, PointWriteOptions } from './types.ts';

/** Slicer 4.x's column order, used when a file has no `# columns` line and by the writer. */
export const FCSV_COLUMNS = ['id', 'x', 'y', 'z', 'ow', 'ox', 'oy', 'oz', 'vis', 'sel', 'lock', 'label', 'desc', 'associatedNodeID'];

/** The frame of a `# CoordinateSystem = …` value: RAS / LPS, or 0 (RAS) / 1 (LPS) as Slicer < 4.11 wrote. */
function fcsvFrame(value: string, file: string, line: number): Frame {
  const v = value.trim().toUpperCase();
  if (v === 'RAS' || v === '0') return 'RAS';
  if (v === 'LPS' || v === '1') return 'LPS';
  throw new InputError(file, 'unsupported', `line ${line}: CoordinateSystem '${value.trim()}' is neither RAS (0) nor LPS (1)`);
}

/**
 * A `# key = value` header line of a .fcsv: the key lower-cased without spaces (`coordinatesystem`, `columns`),
 * the value trimmed; undefined for any other comment.
 */
export function fcsvHeaderEntry(comment: string): { key: string; value: string } | undefined {
  const m = /^#\s*([^=]+?)\s*=\s*(.*?)\s*$/.exec(comment.trim());
  return m ? { key: m[1].toLowerCase().replace(/\s+/g, ''), value: m[2] } : undefined;
}

function parseFcsv(bytes: Uint8Array, file: string): PointSetData {
  const lines = nonBlankLines(decodeText(bytes, file));
  let columns = FCSV_COLUMNS.map((c) => c.toLowerCase());
  let declaredFrame: Frame | undefined;
  const coords: number[] = [];
  const labels: string[] = [];
  let labelColumn = columns.indexOf('label');
  let xyz = ['x', 'y', 'z'].map((a) => columns.indexOf(a));
  for (const line of lines) {
    const t = line.text.trim();
    if (t.startsWith('#')) {
      const entry = fcsvHeaderEntry(t);
      if (entry?.key === 'coordinatesystem') declaredFrame = fcsvFrame(entry.value, file, line.line);
      else if (entry?.key === 'columns') {
        check(coords.length === 0, file, 'malformed', `line ${line.line}: '# columns' line after the first point`);
        columns = entry.value.split(',').map((c) => c.trim().toLowerCase());
        xyz = ['x', 'y', 'z'].map((a) => columns.indexOf(a));
        check(xyz.every((c) => c >= 0), file, 'malformed', `line ${line.line}: the columns line names no x, y and z`);
        labelColumn = columns.indexOf('label');
      }
      continue;
    }
    const fields = splitCsvFields(line, file);
    const needed = Math.max(...xyz) + 1;
    check(fields.length >= needed, file, 'malformed', `line ${line.line}: ${fields.length} values, expected at least ${needed} (up to z)`);
    check(
      fields.length <= columns.length,
      file,
      'malformed',
      `line ${line.line}: ${fields.length} values where the columns line names ${columns.length}`,
    );
    for (let a = 0; a < 3; a++) coords.push(parseFiniteNumber(fields[xyz[a]], file, `line ${line.line}, column ${'xyz'[a]}`));
    labels.push(labelColumn >= 0 ? (fields[labelColumn] ?? '') : '');
  }
  check(coords.length > 0, file, 'empty', 'holds no control points');
  return {
    points: Float64Array.from(coords),
    labels: labels.some((l) => l !== '') ? labels : undefined,
    arrays: [],
    declaredFrame,
  };
}

/**
 * Writes version 4.11 with `CoordinateSystem = <frame>`. Points without a label are named `F-<n>` (1-based),
 * Slicer's own naming, so they show up named in Slicer.
 */
function serializeFcsv(data: PointSetData, options: PointWriteOptions): string {
  const n = data.points.length / 3;
  const out = [
    '# Markups fiducial file version = 4.11',
    `# CoordinateSystem = ${options.frame}`,
    `# columns = ${FCSV_COLUMNS.join(',')}`,
  ];
  for (let i = 0; i < n; i++) {
    const label = data.labels?.[i] ?? `F-${i + 1}`;
    const p = [data.points[3 * i], data.points[3 * i + 1], data.points[3 * i + 2]].map(formatNumber);
    out.push([String(i + 1), ...p, '0', '0', '0', '1', '1', '1', '0', quoteCsvField(label), '', ''].join(','));
  }
  return `${out.join('\n')}\n`;
}

/** Slicer markups fiducial lists (`.fcsv`); RAS when the file does not say. */
export const fcsvCodec: PointCodec = {
  format: 'fcsv',
  extensions: ['.fcsv'],
  defaultFrame: 'RAS',
  parse: parseFcsv,
  serialize: serializeFcsv,
};
