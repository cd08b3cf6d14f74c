/**
 * 3D Slicer markups JSON, `.mrk.json` (Slicer ≥ 4.11; schema
 * https://github.com/Slicer/Slicer/tree/main/Modules/Loadable/Markups/Resources/Schema):
 *
 *   { "@schema": "…markups-schema-v1.0.3.json#",
 *     "markups": [ { "type": "Fiducial", "coordinateSystem": "LPS", "coordinateUnits": "mm",
 *                    "controlPoints": [ { "id": "1", "label": "F-1", "position": [x, y, z], … } ] } ] }
 *
 * Reading takes every control point of every markup (fiducials, curves, lines … alike) in file order.
 * `coordinateSystem` is per markup (`LPS` or `RAS`); a markup without it is LPS, Slicer's default. When markups
 * disagree, all points are brought into the first markup's frame. `coordinateUnits` `um` is scaled to mm.
 * A control point whose position is undefined (`positionStatus: "undefined"`, or no position) is refused rather
 * than dropped: landmarks pair up by order, so silently losing one would shift every later pair.
 */
import { convertPoints, type Frame } from '../../frames/index.ts';
import { check, InputError } from '../errors.ts';
import { jsonErrorOffset, lineAndColumn } from './json-error-offset.ts';
import { decodeText } from './text.ts';
import type { PointCodec, PointSetData, PointWriteOptions } from './types.ts';

/** The schema URL written into every file. */
export const MARKUPS_SCHEMA = 'https://raw.githubusercontent.com/slicer/slicer/main/Modules/Loadable/Markups/Resources/Schema/markups-schema-v1.0.3.json#';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses JSON, turning a syntax error into an InputError with the line and column where the text goes wrong. */
function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const offset = jsonErrorOffset(text);
    const where = offset === undefined ? '' : (({ line, column }) => `line ${line}, column ${column}: `)(lineAndColumn(text, offset));
    throw new InputError(file, 'malformed', `${where}invalid JSON (${(e as Error).message.split('\n')[0]})`);
  }
}

function parseMarkupsJson(bytes: Uint8Array, file: string): PointSetData {
  const doc = parseJson(decodeText(bytes, file), file);
  check(isObject(doc) && Array.isArray(doc.markups), file, 'malformed', 'not a Slicer markups file: no "markups" list at the top level');
  const markups = doc.markups as unknown[];
  const coords: number[] = [];
  const labels: (string | undefined)[] = [];
  let fileFrame: Frame | undefined;
  for (let m = 0; m < markups.length; m++) {
    const markup = markups[m];
    const where = `markups[${m}]`;
    check(isObject(markup), file, 'malformed', `${where} is not an object`);
    let frame: Frame = 'LPS';
    if (markup.coordinateSystem !== undefined) {
      const cs = typeof markup.coordinateSystem === 'string' ? markup.coordinateSystem.toUpperCase() : '';
      check(cs === 'LPS' || cs === 'RAS', file, 'unsupported', `${where}.coordinateSystem ${JSON.stringify(markup.coordinateSystem)} is neither LPS nor RAS`);
      frame = cs;
    }
    let scale = 1;
    if (markup.coordinateUnits !== undefined) {
      check(
        markup.coordinateUnits === 'mm' || markup.coordinateUnits === 'um',
        file,
        'unsupported',
        `${where}.coordinateUnits ${JSON.stringify(markup.coordinateUnits)} is neither mm nor um`,
      );
      scale = markup.coordinateUnits === 'um' ? 1e-3 : 1;
    }
    fileFrame ??= frame;
    const points = markup.controlPoints ?? [];
    check(Array.isArray(points), file, 'malformed', `${where}.controlPoints is not a list`);
    const own: number[] = [];
    for (let p = 0; p < points.length; p++) {
      const cp = points[p] as unknown;
      const at = `${where}.controlPoints[${p}]`;
      check(isObject(cp), file, 'malformed', `${at} is not an object`);
      const name = typeof cp.label === 'string' ? ` ('${cp.label}')` : '';
      check(cp.positionStatus !== 'undefined', file, 'malformed', `${at}${name} has no defined position (positionStatus "undefined")`);
      const pos = cp.position;
      check(Array.isArray(pos) && pos.length === 3, file, 'malformed', `${at}${name}: "position" must be a list of 3 numbers`);
      for (let a = 0; a < 3; a++) {
        const v: unknown = pos[a];
        check(typeof v === 'number', file, 'malformed', `${at}${name}: position[${a}] is ${JSON.stringify(v)}, not a number`);
        check(Number.isFinite(v), file, 'non-finite', `${at}${name}: position[${a}] is not finite`);
        own.push(v * scale);
      }
      labels.push(typeof cp.label === 'string' ? cp.label : undefined);
    }
    // A loop, not push(...array): spreading a large markup (> ~45,000 points) overflows the call stack.
    for (const v of convertPoints(Float64Array.from(own), frame, fileFrame)) coords.push(v);
  }
  check(coords.length > 0, file, 'empty', 'holds no control points');
  return {
    points: Float64Array.from(coords),
    labels: labels.some((l) => l !== undefined) ? labels.map((l) => l ?? '') : undefined,
    arrays: [],
    declaredFrame: fileFrame,
  };
}

/**
 * Writes one Fiducial markup holding every point, `coordinateSystem` = the write frame, units mm. Points without
 * a label are named `F-<n>` (1-based), as Slicer names them.
 */
function serializeMarkupsJson(data: PointSetData, options: PointWriteOptions): string {
  const n = data.points.length / 3;
  const controlPoints = Array.from({ length: n }, (_, i) => ({
    id: String(i + 1),
    label: data.labels?.[i] ?? `F-${i + 1}`,
    position: [data.points[3 * i], data.points[3 * i + 1], data.points[3 * i + 2]],
    positionStatus: 'defined',
  }));
  const doc = {
    '@schema': MARKUPS_SCHEMA,
    markups: [{ type: 'Fiducial', coordinateSystem: options.frame, coordinateUnits: 'mm', controlPoints }],
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** Slicer markups JSON (`.mrk.json`, also plain `.json`); LPS when a markup does not say. */
export const markupsJsonCodec: PointCodec = {
  format: 'mrk-json',
  extensions: ['.mrk.json', '.json'],
  defaultFrame: 'LPS',
  parse: parseMarkupsJson,
  serialize: serializeMarkupsJson,
};
