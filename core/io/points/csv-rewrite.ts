/**
 * A CSV point set written back in the layout of the CSV it was read from: every comment, column, text and id of the
 * template as it was, only the coordinates of its point set (`x, y, z`, or `<prefix>_x …` of a file holding several
 * sets) replaced. This is what a user expects of a warped landmark file: the scripts that read the input read it.
 *
 * Frame: the numbers are written in `frame`. A template's `# SPACE=` line is set to it. A template declaring none
 * gets one only when `frame` is neither a plain CSV's default (LPS) nor the frame the template was read in — a
 * frame the user stated for the input (`--landmarks-frame ras`) holds for its copy as it did for the input. One file
 * has one frame: when `frame` differs from the template's, the other point sets of a file holding several (DIR-Lab's
 * `insp_*` beside the `exp_*` that moved) are converted too, not left in the old frame under the new name.
 */
import { convertPoint, type Frame } from '../../frames/index.ts';
import { InputError } from '../errors.ts';
import { csvLayout } from './csv.ts';
import { formatNumber, quoteCsvField, splitCsvFields } from './text.ts';

export interface CsvRewrite {
  /** The column prefix the point set was read with, if any. */
  prefix?: string;
  /** The frame the template's numbers were read in (declared, or assumed by the caller). */
  readFrame: Frame;
  /** The frame `points` are in, and the output is written in. */
  frame: Frame;
  /** Interleaved xyz in `frame`, one point per data row of the template, in its order. */
  points: Float64Array;
}

/** The template's text with its point set's coordinates replaced (see the module comment). */
export function rewriteCsvPoints(template: Uint8Array, file: string, rewrite: CsvRewrite): string {
  const { lines, headerAt, frameCommentAt, xyz, otherSets } = csvLayout(template, file, rewrite.prefix);
  const convertOthers = rewrite.frame !== rewrite.readFrame ? otherSets : [];
  const out: string[] = [];
  if (frameCommentAt < 0 && rewrite.frame !== 'LPS' && rewrite.frame !== rewrite.readFrame) out.push(`# SPACE=${rewrite.frame}`);
  let row = 0;
  const n = rewrite.points.length / 3;
  for (let k = 0; k < lines.length; k++) {
    const line = lines[k];
    if (k === frameCommentAt) out.push(`# SPACE=${rewrite.frame}`);
    else if (k <= headerAt || line.text.trimStart().startsWith('#')) out.push(line.text);
    else {
      if (row >= n) throw new InputError(file, 'count-mismatch', `holds more rows than the ${n} points to write in its layout`);
      const fields = splitCsvFields(line, file).map(quoteCsvField);
      for (let a = 0; a < 3; a++) fields[xyz[a]] = formatNumber(rewrite.points[3 * row + a]);
      for (const columns of convertOthers) {
        const p = columns.map((c) => Number(fields[c])) as [number, number, number];
        // Cells that hold no coordinates (empty, text) are not points: they are kept as they are.
        if (p.every((v, a) => Number.isFinite(v) && fields[columns[a]].trim() !== '')) {
          convertPoint(p, rewrite.readFrame, rewrite.frame).forEach((v, a) => (fields[columns[a]] = formatNumber(v)));
        }
      }
      out.push(fields.join(','));
      row++;
    }
  }
  if (row !== n) throw new InputError(file, 'count-mismatch', `holds ${row} rows, not the ${n} points to write in its layout`);
  return `${out.join('\n')}\n`;
}
