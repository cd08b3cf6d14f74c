/**
 * Slicer markups (`.fcsv`, `.mrk.json`) written back in the layout of the file they were read from: every id, label,
 * description, flag, orientation and other key of the template kept, only the control points' positions replaced,
 * as csv-rewrite.ts does for CSV. A registration carrying a user's fiducials must give them back as Slicer shows
 * them, not renumbered and stripped.
 *
 * Frame: positions are written in the template's frame (each markup's own, for `.mrk.json`) unless another one is
 * asked for; then the file (every markup) is declared in it and converted whole. Orientations convert as Slicer's
 * own storage nodes convert them, so that Slicer shows the orientation the template had: a `.mrk.json`
 * orientation matrix has rows 0 and 1 negated (F·M with F = diag(−1, −1, 1): its columns are the point's axes in
 * world space, and only the world side changes frame; vtkMRMLMarkupsJsonStorageNode negates its first six entries,
 * core/frames' convertDirection), and an `.fcsv` quaternion is left as stored (vtkMRMLMarkupsFiducialStorageNode
 * reads and writes it unconverted in either coordinate system).
 */
import { convertDirection, convertPoints, type Frame } from '../../frames/index.ts';
import { check, InputError } from '../errors.ts';
import { decodeText, formatNumber, nonBlankLines, quoteCsvField, splitCsvFields } from './text.ts';
import { FCSV_COLUMNS, fcsvHeaderEntry } from './fcsv.ts';

export interface MarkupsRewrite {
  /** The frame the template was read in (its declaration, or the format's default). */
  readFrame: Frame;
  /** The frame to write in. */
  frame: Frame;
  /** The new positions, LPS mm, one per control point of the template in its order. */
  pointsLps: Float64Array;
}

/** The `.fcsv` template with its points moved (see the module comment). */
export function rewriteFcsvPoints(template: Uint8Array, file: string, rewrite: MarkupsRewrite): string {
  const lines = nonBlankLines(decodeText(template, file));
  const points = convertPoints(rewrite.pointsLps, 'LPS', rewrite.frame);
  const n = points.length / 3;
  let columns = FCSV_COLUMNS.map((c) => c.toLowerCase());
  let declared = false;
  let row = 0;
  const out: string[] = [];
  for (const line of lines) {
    const t = line.text.trim();
    if (t.startsWith('#')) {
      const entry = fcsvHeaderEntry(t);
      if (entry?.key === 'coordinatesystem') {
        declared = true;
        out.push(`# CoordinateSystem = ${rewrite.frame}`);
        continue;
      }
      if (entry?.key === 'columns') columns = entry.value.split(',').map((c) => c.trim().toLowerCase());
      out.push(line.text);
      continue;
    }
    if (row >= n) throw new InputError(file, 'count-mismatch', `holds more control points than the ${n} points to write in its layout`);
    const fields = splitCsvFields(line, file).map(quoteCsvField);
    ['x', 'y', 'z'].forEach((a, k) => (fields[columns.indexOf(a)] = formatNumber(points[3 * row + k])));
    out.push(fields.join(','));
    row++;
  }
  if (row !== n) throw new InputError(file, 'count-mismatch', `holds ${row} control points, not the ${n} points to write in its layout`);
  // A file without the line is RAS (Slicer < 4.11): one written in LPS must say so.
  if (!declared && rewrite.frame !== 'RAS') out.splice(out[0]?.trim().startsWith('#') ? 1 : 0, 0, `# CoordinateSystem = ${rewrite.frame}`);
  return `${out.join('\n')}\n`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A control point's orientation (a 3×3 matrix as 9 numbers, row-major) from frame `from` to `to` as Slicer converts
 * it: rows 0 and 1 negated (F·M, core/frames' convertDirection). Anything else is returned as it is.
 */
function turnedOrientation(m: unknown, from: Frame, to: Frame): unknown {
  if (!Array.isArray(m) || m.length !== 9 || !m.every((v): v is number => typeof v === 'number')) return m;
  // A plain array, which JSON writes as a list (a Float64Array would become an object); JSON writes −0 as 0.
  return Array.from(convertDirection(m, from, to));
}

/** The `.mrk.json` template with its points moved (see the module comment). The template was read whole before. */
export function rewriteMarkupsJsonPoints(template: Uint8Array, file: string, rewrite: MarkupsRewrite): string {
  const doc: unknown = JSON.parse(decodeText(template, file));
  check(isObject(doc) && Array.isArray(doc.markups), file, 'malformed', 'not a Slicer markups file: no "markups" list at the top level');
  const n = rewrite.pointsLps.length / 3;
  let next = 0;
  for (const markup of doc.markups as unknown[]) {
    if (!isObject(markup) || !Array.isArray(markup.controlPoints)) continue;
    const own: Frame = typeof markup.coordinateSystem === 'string' && markup.coordinateSystem.toUpperCase() === 'RAS' ? 'RAS' : 'LPS';
    const frame = rewrite.frame === rewrite.readFrame ? own : rewrite.frame;
    const scale = markup.coordinateUnits === 'um' ? 1e3 : 1;
    if (frame !== own) markup.coordinateSystem = frame;
    for (const cp of markup.controlPoints as unknown[]) {
      if (!isObject(cp)) continue;
      if (next >= n) throw new InputError(file, 'count-mismatch', `holds more control points than the ${n} points to write in its layout`);
      const p = convertPoints(rewrite.pointsLps.subarray(3 * next, 3 * next + 3), 'LPS', frame);
      cp.position = Array.from(p, (v) => v * scale);
      if (frame !== own && 'orientation' in cp) cp.orientation = turnedOrientation(cp.orientation, own, frame);
      next++;
    }
  }
  if (next !== n) throw new InputError(file, 'count-mismatch', `holds ${next} control points, not the ${n} points to write in its layout`);
  return `${JSON.stringify(doc, null, 2)}\n`;
}
