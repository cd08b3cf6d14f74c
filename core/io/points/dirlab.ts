/**
 * DIR-Lab landmark text (`copdN_300_iBH_xyz_r1.txt`, `…_eBH_xyz_r1.txt`; Castillo et al., "A reference dataset
 * for deformable image registration spatial accuracy evaluation using the COPDgene study archive",
 * Phys. Med. Biol. 58 (2013) 2861): one landmark per line, three white-space separated voxel indices x y z
 * (1-based, of the original 512×512×N breath-hold CT; integers or floats such as `194.000000`).
 *
 * The file holds no spacing, so the reader needs the CT's voxel spacing (`cases.json` of the shared data, or
 * DIR-Lab's case table). Millimetres are `index × spacing`, the convention of the shared dataset
 * (/work/shared/data/README.md: the `copdN_300_landmarks_mm.csv` files equal index × spacing and land inside the
 * lung masks in the masks' NIfTI world frame). That frame is RAS as nibabel reports it, so this codec's default
 * frame is RAS; a caller can say otherwise.
 *
 * The writer writes index = mm / spacing with 6 decimals, tab-separated, one landmark per line, as DIR-Lab's
 * own `%f\t` files do, so warped landmarks can go back to DIR-Lab tooling.
 */
import { check, InputError } from '../errors.ts';
import { decodeText, nonBlankLines, parseFiniteNumber } from './text.ts';
import type { PointCodec, PointParseOptions, PointSetData, PointWriteOptions, Vec3 } from './types.ts';

/** Checks a caller's spacing: three positive finite millimetre values. */
function checkSpacing(spacingMm: Vec3 | undefined, file: string): Vec3 {
  if (spacingMm === undefined) {
    throw new InputError(
      file,
      'unsupported',
      'DIR-Lab landmark text holds voxel indices, not millimetres: the CT voxel spacing is required (monge info / convert --spacing X,Y,Z, e.g. from DIR-Lab\'s cases.json; for register and warp, convert the file to mm first: monge convert F.txt F.csv --spacing X,Y,Z)',
    );
  }
  check(
    Array.isArray(spacingMm) && spacingMm.length === 3 && spacingMm.every((s) => typeof s === 'number' && Number.isFinite(s) && s > 0),
    file,
    'malformed',
    `the voxel spacing must be three positive numbers in mm, got ${JSON.stringify(spacingMm)}`,
  );
  return spacingMm;
}

function parseDirLab(bytes: Uint8Array, file: string, options: PointParseOptions): PointSetData {
  const spacing = checkSpacing(options.spacingMm, file);
  const lines = nonBlankLines(decodeText(bytes, file));
  check(lines.length > 0, file, 'empty', 'holds only blank lines');
  const points = new Float64Array(3 * lines.length);
  lines.forEach((line, i) => {
    const cells = line.text.trim().split(/[\s,]+/);
    check(cells.length === 3, file, 'malformed', `line ${line.line}: ${cells.length} values, expected 3 voxel indices x y z`);
    for (let a = 0; a < 3; a++) {
      points[3 * i + a] = parseFiniteNumber(cells[a], file, `line ${line.line}, ${'xyz'[a]}`) * spacing[a];
    }
  });
  return { points, arrays: [] };
}

/**
 * Writes index = mm / spacing. A 1-based index below 0.5 lies before the CT's first voxel, outside the scan, which
 * DIR-Lab tooling does not expect: such points are written as they are, and counted in a warning.
 */
function serializeDirLab(data: PointSetData, options: PointWriteOptions): string {
  const spacing = checkSpacing(options.spacingMm, '(DIR-Lab output)');
  const out: string[] = [];
  let beforeFirstVoxel = 0;
  for (let i = 0; i < data.points.length; i += 3) {
    const index = [0, 1, 2].map((a) => data.points[i + a] / spacing[a]);
    if (index.some((x) => x < 0.5)) beforeFirstVoxel++;
    out.push(index.map((x) => x.toFixed(6)).join('\t'));
  }
  if (beforeFirstVoxel > 0) {
    options.onWarning?.(
      `${beforeFirstVoxel} of ${data.points.length / 3} points have a voxel index below 1 (before the CT's first voxel, outside the scan); ` +
        'check --spacing and the frame (DIR-Lab indices are RAS millimetres / spacing)',
    );
  }
  return `${out.join('\n')}\n`;
}

/** DIR-Lab 1-based voxel-index landmarks (`.txt`); mm = index × spacing, RAS unless the caller says otherwise. */
export const dirLabCodec: PointCodec = {
  format: 'dirlab',
  extensions: ['.txt'],
  defaultFrame: 'RAS',
  parse: parseDirLab,
  serialize: serializeDirLab,
};
