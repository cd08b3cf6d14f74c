/**
 * Slicer markups (`.fcsv`, `.mrk.json`) written back in the layout of the file they were read from: every id, label,
 * description, flag, orientation and other key of the template kept, only the control points' positions replaced,
 * as csv-rewrite.ts does for CSV. A registration carrying a user's fiducials must give them back as Slicer shows
 * them, not renumbered and stripped.
 *
 * Frame: positions are written in the template's frame (each markup's own, for `.mrk.json`) unless another one is
 * asked for; then the file (every markup) is declared in it and converted whole: positions, and orientations, which
 * turn with the frame. RAS ↔ LPS is F = diag(−1, −1, 1), a half-turn about z: a rotation matrix M becomes F·M·F
 * (the entries xz, yz, zx, zy change sign: core/frames' convertMatrix3), a quaternion (w, x, y, z) becomes
 * (w, −x, −y, z) (its vector part turns as a point: convertPoint).
 * Slicer's own storage nodes do otherwise: the .mrk.json reader negates rows 0 and 1 only (F·M, the orientation's
 * columns taken as the point's axes in world space), and the .fcsv one leaves the quaternion as stored. Not changed
 * here, since that would change what Monge writes.
 */
import { convertMatrix3, convertPoint, convertPoints, type Frame } from '../../frames/index.ts';
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
  const converting = rewrite.frame !== rewrite.readFrame;
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
    if (converting) {
      // The orientation quaternion turns with the frame: its vector part (ox, oy, oz) as a point, ow as it is. Only
      // the components the conversion changes are rewritten, so the others keep their text; a blank or non-numeric
      // one is left alone.
      const at = ['ox', 'oy', 'oz'].map((q) => columns.indexOf(q));
      const given = at.map((c) => {
        const text = c >= 0 ? fields[c] : undefined;
        return text !== undefined && text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : undefined;
      });
      const turned = convertPoint([given[0] ?? 0, given[1] ?? 0, given[2] ?? 0], rewrite.readFrame, rewrite.frame);
      at.forEach((c, k) => {
        const v = given[k];
        // 0 + …: a component 0 that changes sign is written 0, not −0.
        if (v !== undefined && !Object.is(turned[k], v)) fields[c] = formatNumber(0 + turned[k]);
      });
    }
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
 * A control point's orientation (a 3×3 matrix as 9 numbers) from frame `from` to `to`: F·M·F, core/frames'
 * convertMatrix3, whose sign pattern is symmetric, so the row- or column-major order of the 9 numbers does not matter.
 * Anything else is returned as it is.
 */
function turnedOrientation(m: unknown, from: Frame, to: Frame): unknown {
  if (!Array.isArray(m) || m.length !== 9 || !m.every((v): v is number => typeof v === 'number')) return m;
  // A plain array, which JSON writes as a list (a Float64Array would become an object); JSON writes −0 as 0.
  return Array.from(convertMatrix3(m, from, to));
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
