import { InputError } from '../io/errors.ts';
import { affineFromParts, checkAffine, type Matrix4 } from './matrix4.ts';

/**
 * ITK's text transform format ("Insight Transform File V1.0", written by itk::TXTTransformIO; Slicer and ANTs read
 * it as `.tfm` or `.txt`) for one 3-D affine transform:
 *
 *   #Insight Transform File V1.0
 *   #Transform 0
 *   Transform: AffineTransform_double_3_3
 *   Parameters: m00 m01 m02 m10 m11 m12 m20 m21 m22 t0 t1 t2
 *   FixedParameters: c0 c1 c2
 *
 * (itk::MatrixOffsetTransformBase: Parameters are the matrix M row-major then the translation t; FixedParameters
 * the centre c; the map is T(p) = M·(p − c) + c + t, in LPS mm.)
 *
 * DIRECTION: ITK transforms in files map points of the FIXED image to the MOVING image (the resampling direction,
 * ITK Software Guide §3.9; Slicer stores linear transforms "FromParent" the same way, and antsApplyTransforms applies
 * them so). So the file holds φ⁻¹ for Monge's moving → fixed affine φ: write `affine.fixedToMovingLps`.
 */

const HEADER = '#Insight Transform File V1.0';
const AFFINE_TYPE = /^(AffineTransform|MatrixOffsetTransformBase)_(double|float)_3_3$/;

/** Shortest text that reads back as exactly the same double. */
function num(x: number): string {
  return Object.is(x, -0) ? '0' : String(x);
}

/** The text of an ITK affine transform file holding `fixedToMovingLps` (4×4 row-major, LPS mm), with centre 0. */
export function formatItkAffineText(fixedToMovingLps: ArrayLike<number>): string {
  checkAffine(fixedToMovingLps, 'ITK affine');
  const m = fixedToMovingLps;
  const params = [m[0], m[1], m[2], m[4], m[5], m[6], m[8], m[9], m[10], m[3], m[7], m[11]];
  return [HEADER, '#Transform 0', 'Transform: AffineTransform_double_3_3', `Parameters: ${params.map(num).join(' ')}`, 'FixedParameters: 0 0 0', ''].join('\n');
}

function numbers(line: string, key: string, count: number, file: string): number[] {
  const text = line.slice(key.length).trim();
  const parts = text === '' ? [] : text.split(/\s+/);
  if (parts.length !== count) throw new InputError(file, 'malformed', `${key} holds ${parts.length} values, ${count} expected for a 3-D affine transform`);
  const values = parts.map(Number);
  if (!values.every(Number.isFinite)) throw new InputError(file, 'non-finite', `${key} holds a value that is not a finite number`);
  return values;
}

/**
 * Parses an ITK text transform file holding ONE 3-D affine (AffineTransform or MatrixOffsetTransformBase, double or
 * float) and returns its map as a 4×4 row-major matrix in the file's own direction: FIXED → MOVING, LPS mm (the
 * centre folded into the offset: offset = t + c − M·c). Anything else is an InputError naming `file`.
 */
export function parseItkAffineText(text: string, file: string): Matrix4 {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  if (lines.length === 0 || !lines[0].startsWith(HEADER)) throw new InputError(file, 'bad-magic', `not an ITK transform file (the first line is not "${HEADER}")`);
  const types = lines.filter((l) => l.startsWith('Transform:'));
  if (types.length !== 1) throw new InputError(file, 'unsupported', `${types.length} transforms in the file; one affine transform expected`);
  const type = types[0].slice('Transform:'.length).trim();
  if (!AFFINE_TYPE.test(type)) throw new InputError(file, 'unsupported', `transform type ${type}; only 3-D AffineTransform / MatrixOffsetTransformBase is read`);
  const paramLine = lines.find((l) => l.startsWith('Parameters:'));
  const fixedLine = lines.find((l) => l.startsWith('FixedParameters:'));
  if (!paramLine) throw new InputError(file, 'malformed', 'no "Parameters:" line');
  const p = numbers(paramLine, 'Parameters:', 12, file);
  const c = fixedLine ? numbers(fixedLine, 'FixedParameters:', 3, file) : [0, 0, 0];
  const offset = [0, 1, 2].map((r) => p[9 + r] + c[r] - (p[3 * r] * c[0] + p[3 * r + 1] * c[1] + p[3 * r + 2] * c[2]));
  const m = affineFromParts(p.slice(0, 9), offset);
  try {
    checkAffine(m);
  } catch (e) {
    throw new InputError(file, 'malformed', `the transform is not invertible (${(e as Error).message})`);
  }
  return m;
}
