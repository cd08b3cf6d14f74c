/**
 * The geometry a NIfTI header declares, parsed from its bytes (nifti1.h; NIfTI-2: nifti2.h, the same fields in
 * wider types), to say what ITK's reading of a file does not:
 * - where the sform and the qform both give a transform and they disagree, ITK picks one (or a mix of the two),
 *   while nibabel and FSL always take the sform: Monge keeps ITK's choice, so that its outputs line up with what
 *   3D Slicer, ANTs and ITK show for the same file, but says so (niftiGeometryWarning);
 * - an sform whose axes are sheared makes ITK refuse the file with an exception that carries no detail in the
 *   release build: the header gives the cause (shearedSformProblem).
 */
import { open } from 'node:fs/promises';
import { constants, gunzipSync } from 'node:zlib';
import { convertDirection, convertPoint } from '../../frames/index.ts';
import type { ImageLps } from '../../image/index.ts';
import { isGzip } from '../read-bytes.ts';

/** A voxel-index → RAS-mm affine: rows srow_x, srow_y, srow_z of nifti1.h (the 4th column the translation). */
export type Affine3x4 = [number[], number[], number[]];

export interface NiftiGeometry {
  /** dim[1..3] (1 for an absent axis). */
  size: [number, number, number];
  /** |pixdim[1..3]| (1 where 0, as nifti1_io does). */
  pixdim: [number, number, number];
  qformCode: number;
  sformCode: number;
  /** nifti1.h METHOD 2: R·diag(pixdim[1], pixdim[2], qfac·pixdim[3]) from quatern_b/c/d, plus qoffset. */
  qform: Affine3x4;
  /** nifti1.h METHOD 3: srow_x, srow_y, srow_z as stored. */
  sform: Affine3x4;
}

/** nifti1.h's names of the xform codes. */
const XFORM_NAMES: Record<number, string> = { 1: 'scanner', 2: 'aligned', 3: 'Talairach', 4: 'MNI', 5: 'template' };

/** How a NIfTI header at the start of some bytes is laid out: its version and byte order. */
export interface NiftiHeaderLayout {
  view: DataView;
  /** 1 (nifti_1_header, 348 bytes) or 2 (nifti_2_header, 540 bytes). */
  version: 1 | 2;
  headerBytes: 348 | 540;
  littleEndian: boolean;
}

/**
 * The layout of the NIfTI-1 or NIfTI-2 header at the start of `bytes`, told by sizeof_hdr (348 or 540, read in
 * either byte order: the only way the format says its byte order); undefined when they do not begin with a whole one.
 */
export function niftiHeaderLayout(bytes: Uint8Array): NiftiHeaderLayout | undefined {
  const headerBytes = niftiHeaderBytes(bytes);
  if (headerBytes === undefined || bytes.length < headerBytes) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { view, version: headerBytes === 348 ? 1 : 2, headerBytes, littleEndian: view.getInt32(0, true) === headerBytes };
}

/**
 * sizeof_hdr of the NIfTI header at the start of `bytes` (348: NIfTI-1, 540: NIfTI-2), read in either byte order;
 * undefined when it is neither.
 */
export function niftiHeaderBytes(bytes: Uint8Array): 348 | 540 | undefined {
  if (bytes.length < 4) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, 4);
  for (const size of [348, 540] as const) if (view.getInt32(0, true) === size || view.getInt32(0, false) === size) return size;
  return undefined;
}

/**
 * The geometry fields of a NIfTI-1 (348-byte) or NIfTI-2 (540-byte) header at the start of `bytes`, either byte
 * order; undefined when the bytes do not begin with one.
 */
export function parseNiftiGeometry(bytes: Uint8Array): NiftiGeometry | undefined {
  const layout = niftiHeaderLayout(bytes);
  if (!layout) return undefined;
  const { view, version, littleEndian: le } = layout;
  // Offsets of nifti_1_header / nifti_2_header.
  const f = version === 1 ? (at: number) => view.getFloat32(at, le) : (at: number) => view.getFloat64(at, le);
  const dim = version === 1 ? (k: number) => view.getInt16(40 + 2 * k, le) : (k: number) => Number(view.getBigInt64(16 + 8 * k, le));
  const pix = (k: number) => f((version === 1 ? 76 : 104) + (version === 1 ? 4 : 8) * k);
  const qformCode = version === 1 ? view.getInt16(252, le) : view.getInt32(344, le);
  const sformCode = version === 1 ? view.getInt16(254, le) : view.getInt32(348, le);
  const quatern = (k: number) => f((version === 1 ? 256 : 352) + (version === 1 ? 4 : 8) * k); // b, c, d, qoffset_x, _y, _z
  const srow = (r: number, c: number) => f((version === 1 ? 280 : 400) + (version === 1 ? 16 : 32) * r + (version === 1 ? 4 : 8) * c);

  const ndim = dim(0);
  const size = [1, 2, 3].map((k) => (k <= ndim && dim(k) > 0 ? dim(k) : 1)) as [number, number, number];
  const pixdim = [1, 2, 3].map((k) => (Math.abs(pix(k)) > 0 ? Math.abs(pix(k)) : 1)) as [number, number, number];
  const qfac = pix(0) < 0 ? -1 : 1;
  const sform: Affine3x4 = [0, 1, 2].map((r) => [0, 1, 2, 3].map((c) => srow(r, c))) as Affine3x4;
  return { size, pixdim, qformCode, sformCode, qform: quaternToAffine(quatern, pixdim, qfac), sform };
}

/** nifti1_io's nifti_quatern_to_mat44: a = √(1 − b² − c² − d²), renormalising (b, c, d) where that is not real. */
function quaternToAffine(q: (k: number) => number, pixdim: [number, number, number], qfac: number): Affine3x4 {
  let [b, c, d] = [q(0), q(1), q(2)];
  let a = 1 - (b * b + c * c + d * d);
  if (a < 1e-7) {
    const n = 1 / Math.sqrt(b * b + c * c + d * d);
    [a, b, c, d] = [0, b * n, c * n, d * n];
  } else {
    a = Math.sqrt(a);
  }
  const [x, y, z] = [pixdim[0], pixdim[1], qfac * pixdim[2]];
  return [
    [(a * a + b * b - c * c - d * d) * x, 2 * (b * c - a * d) * y, 2 * (b * d + a * c) * z, q(3)],
    [2 * (b * c + a * d) * x, (a * a + c * c - b * b - d * d) * y, 2 * (c * d - a * b) * z, q(4)],
    [2 * (b * d - a * c) * x, 2 * (c * d + a * b) * y, (a * a + d * d - c * c - b * b) * z, q(5)],
  ];
}

/**
 * The RAS affine of an image read by ITK (LPS), to compare with the header's: voxel index → RAS mm is
 * F·D·diag(spacing) and F·origin, the directions and origin converted by core/frames (only the physical side changes).
 */
function affineOfImage(image: Pick<ImageLps, 'spacingMm' | 'originLps' | 'directionLps'>): Affine3x4 {
  const direction = convertDirection(image.directionLps, 'LPS', 'RAS');
  const origin = convertPoint(image.originLps, 'LPS', 'RAS');
  return [0, 1, 2].map((r) => [...[0, 1, 2].map((c) => direction[3 * r + c] * image.spacingMm[c]), origin[r]]) as Affine3x4;
}

/** Largest distance (mm) between where `a` and `b` put the 8 corners of the image box (voxel edges, not centres). */
function cornerDistance(a: Affine3x4, b: Affine3x4, size: [number, number, number]): number {
  let worst = 0;
  for (const i of [-0.5, size[0] - 0.5]) {
    for (const j of [-0.5, size[1] - 0.5]) {
      for (const k of [-0.5, size[2] - 0.5]) {
        const d = [0, 1, 2].map((r) => (a[r][0] - b[r][0]) * i + (a[r][1] - b[r][1]) * j + (a[r][2] - b[r][2]) * k + a[r][3] - b[r][3]);
        worst = Math.max(worst, Math.hypot(d[0], d[1], d[2]));
      }
    }
  }
  return worst;
}

const columnNorms = (m: Affine3x4): [number, number, number] =>
  [0, 1, 2].map((c) => Math.hypot(m[0][c], m[1][c], m[2][c])) as [number, number, number];

/** Transforms closer than this at every corner of the image box count as the same (float32 headers round). */
const SAME_PLACE_MM = 0.1;
/** Voxel sizes within this relative difference count as the same. */
const SAME_SPACING = 1e-3;

const mm = (v: number): string => `${v < 10 ? v.toFixed(2) : v.toFixed(1)} mm`;
const sizes = (v: readonly number[]): string => `${v.map((x) => Number(x.toPrecision(4))).join(' × ')} mm`;
const formWords = (form: 'sform' | 'qform', code: number): string => `${form} (${form}_code ${code}${XFORM_NAMES[code] ? `, ${XFORM_NAMES[code]}` : ''})`;

/**
 * A warning, naming `file`, when ITK's reading (`read`) of a NIfTI file with `header` may not be the one meant:
 * its sform (sform_code > 0) and qform (qform_code > 0) place the image more than 0.1 mm apart at some corner of its
 * box, or ITK's geometry is not the sform's (nibabel and FSL read the sform whenever sform_code > 0: nifti1.h
 * METHOD 3; ITK prefers the qform unless sform_code is 1, and takes its voxel sizes from pixdim even where it uses
 * the sform's axes). Undefined where there is nothing to say.
 */
export function niftiGeometryWarning(file: string, header: NiftiGeometry, read: Pick<ImageLps, 'spacingMm' | 'originLps' | 'directionLps'>): string | undefined {
  const { sformCode, qformCode, size } = header;
  if (sformCode <= 0) return undefined;
  const itk = affineOfImage(read);
  const sformSizes = columnNorms(header.sform);
  const spacingDiffers = [0, 1, 2].some((c) => Math.abs(read.spacingMm[c] - sformSizes[c]) > SAME_SPACING * sformSizes[c]);
  const fromSform = cornerDistance(itk, header.sform, size);
  const usesSform = fromSform <= SAME_PLACE_MM && !spacingDiffers;
  const hasQform = qformCode > 0;
  const formsApart = hasQform ? cornerDistance(header.sform, header.qform, size) : 0;
  if (usesSform && formsApart <= SAME_PLACE_MM) return undefined;

  const sform = formWords('sform', sformCode);
  const qform = formWords('qform', qformCode);
  const parts: string[] = [];
  if (hasQform && formsApart > SAME_PLACE_MM) parts.push(`its ${sform} and ${qform} disagree: they place the corners of the image up to ${mm(formsApart)} apart.`);
  if (usesSform) {
    parts.push('Monge, as ITK (3D Slicer, ANTs), nibabel and FSL, uses the sform; tools that take the qform place the image elsewhere.');
  } else {
    const usesQform = hasQform && cornerDistance(itk, header.qform, size) <= SAME_PLACE_MM;
    const how = usesQform
      ? 'the qform'
      : spacingDiffers
        ? `the sform's axes and origin but pixdim's voxel sizes (${sizes(read.spacingMm)}; the sform's are ${sizes(sformSizes)}), which matches ${hasQform ? 'neither transform' : 'no transform in the file'}`
        : 'neither transform exactly';
    parts.push(
      `Monge reads it as ITK does, so that its results line up with 3D Slicer and ANTs: with ${how}; ` +
        `nibabel and FSL use the sform, which places the corners up to ${mm(fromSform)} from there.`,
    );
  }
  parts.push('Make the header say one geometry (e.g. nibabel: img.set_qform(img.get_sform()), then save) if the sform is the one meant.');
  return `${file}: ${parts.join(' ')}`;
}

/**
 * Why ITK refuses a NIfTI file whose sform (sform_code > 0) is not a rotation and scaling — its voxel axes are
 * not perpendicular (a sheared or singular grid, nifti1.h METHOD 3 allows any affine) — or undefined where the
 * sform is orthogonal or unused. ITK images have orthonormal directions only, so no ITK-based tool reads such a grid.
 */
export function shearedSformProblem(header: NiftiGeometry): string | undefined {
  if (header.sformCode <= 0) return undefined;
  const m = header.sform;
  const col = (c: number) => [m[0][c], m[1][c], m[2][c]];
  const norms = columnNorms(m);
  const remedy =
    'ITK, and so Monge, reads only grids whose voxel axes are perpendicular: resample it onto such a grid first ' +
    '(e.g. nibabel: nibabel.processing.resample_to_output(img, order=1), order=0 for a label map)';
  if (norms.some((n) => !(n > 1e-6))) return `its sform is singular (a voxel axis of length 0); ${remedy}`;
  let worst = 0;
  let pair = [0, 1];
  for (const [a, b] of [[0, 1], [0, 2], [1, 2]]) {
    const [u, v] = [col(a), col(b)];
    const cos = Math.abs(u[0] * v[0] + u[1] * v[1] + u[2] * v[2]) / (norms[a] * norms[b]);
    const deviation = 90 - (Math.acos(Math.min(1, cos)) * 180) / Math.PI;
    if (deviation > worst) [worst, pair] = [deviation, [a, b]];
  }
  // Below 0.01° the columns are perpendicular up to float32 rounding: the refusal has another cause.
  if (worst < 0.01) return undefined;
  const axis = ['i', 'j', 'k'];
  return `its sform is not a rotation and scaling: voxel axes ${axis[pair[0]]} and ${axis[pair[1]]} are sheared ${worst.toFixed(2)}° from perpendicular; ${remedy}`;
}

/**
 * The uncompressed first bytes of a NIfTI file (enough for either header), inflating only the start of a gzip
 * file; undefined where they cannot be had (the read itself reports a broken file).
 */
export async function readNiftiHead(path: string): Promise<Uint8Array | undefined> {
  try {
    const handle = await open(path, 'r');
    let head: Uint8Array;
    try {
      // A header deflates to well under 4 KiB, and 4 KiB of deflate data inflate to at most ~4 MiB.
      const buffer = new Uint8Array(4096);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      head = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
    // Z_SYNC_FLUSH: inflate what the first 4 KiB hold instead of failing on the stream cut short.
    return isGzip(head) ? gunzipSync(head, { finishFlush: constants.Z_SYNC_FLUSH }) : head;
  } catch {
    return undefined;
  }
}
