/**
 * The check that every slice of a DICOM series lies in the same orientation. ITK's series reader gives the volume one
 * orientation, the first slice's ImageOrientationPatient (0020,0037), and lays out every slice's pixels in it without
 * an error, so a slice of another orientation (a localizer, a reformatted slice, a slice of another stack with the same
 * series UID) is read turned into the others' plane: its pixels land where they were not measured.
 *
 * Two orientations are the same when each of their six direction cosines differs by at most 1e-4: dcm2niix's
 * tolerance (isSameFloatGE, which notes GE data whose cosines vary by about 1e-7 from slice to slice), i.e. a turn of
 * at most about 0.006°, 0.05 mm across a 50 cm field of view.
 */
import { InputError } from '../errors.ts';

/** Largest difference of a direction cosine between two orientations that count as the same. */
const SAME_COSINE = 1e-4;

/** A slice's file and its ImageOrientationPatient: row direction, then column direction (LPS). */
export interface SliceOrientation {
  file: string;
  orientation: readonly number[];
}

const same = (a: readonly number[], b: readonly number[]): boolean => a.every((v, i) => Math.abs(v - b[i]) <= SAME_COSINE);

/** The larger of the angles (degrees) between the row directions and between the column directions of a and b. */
function turnDegrees(a: readonly number[], b: readonly number[]): number {
  let worst = 0;
  for (const at of [0, 3]) {
    const u = a.slice(at, at + 3);
    const v = b.slice(at, at + 3);
    const cos = (u[0] * v[0] + u[1] * v[1] + u[2] * v[2]) / (Math.hypot(...u) * Math.hypot(...v));
    worst = Math.max(worst, (Math.acos(Math.max(-1, Math.min(1, cos))) * 180) / Math.PI);
  }
  return worst;
}

const cosines = (o: readonly number[]): string => o.map((v) => String(Number(v.toFixed(6)))).join(' ');

/**
 * Refuses (InputError 'unsupported' naming the file) a slice whose ImageOrientationPatient differs from the one most
 * slices of the series in `folder` share. `slices` are those whose orientation could be read, in any order.
 */
export function checkSliceOrientations(folder: string, slices: readonly SliceOrientation[]): void {
  if (slices.every((s) => same(s.orientation, slices[0].orientation))) return;
  let common = slices[0].orientation;
  let most = 0;
  for (const { orientation } of slices) {
    const n = slices.filter((s) => same(s.orientation, orientation)).length;
    if (n > most) [common, most] = [orientation, n];
  }
  const odd = slices.find((s) => !same(s.orientation, common));
  if (!odd) return;
  const turn = turnDegrees(odd.orientation, common);
  throw new InputError(
    odd.file,
    'unsupported',
    `its ImageOrientationPatient (${cosines(odd.orientation)}) is turned ${Number(turn.toPrecision(3))}° from the (${cosines(common)}) of ${most} ` +
      `other slice(s) of the DICOM series in ${folder} (a localizer or a reformatted slice in the series?): ITK reads every slice of a series in one ` +
      `orientation, so this one would be misplaced; remove it, or give a folder whose slices share one orientation`,
  );
}
