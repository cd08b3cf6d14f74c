/**
 * NIfTI-2 files (540-byte header, 64-bit dimensions and float64 geometry; nibabel's Nifti2Image, HCP data), which
 * itk-wasm's NIfTI reader refuses, rewritten as the NIfTI-1 file that holds the same image, for that reader:
 * every header field moved to its NIfTI-1 place (nifti.nimh.nih.gov/nifti-2: the same fields, wider types),
 * extensions dropped, the voxel bytes untouched. NIfTI-1 keeps geometry in float32, as ITK's reader does anyway.
 *
 * NIfTI-1 stores dimensions as int16: an image with an axis of more than 32,767 voxels has no NIfTI-1 form and is
 * refused with that reason.
 */
import { InputError } from '../errors.ts';

const NIFTI1_HEADER = 348;
const NIFTI2_HEADER = 540;
/** NIfTI-1 header, the 4-byte extension flag (0: none), then the voxels. */
const NIFTI1_VOX_OFFSET = 352;

/** Whether uncompressed file bytes begin with a NIfTI-2 header (sizeof_hdr = 540, either byte order). */
export function isNifti2(head: Uint8Array): boolean {
  if (head.length < 4) return false;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  return view.getInt32(0, true) === NIFTI2_HEADER || view.getInt32(0, false) === NIFTI2_HEADER;
}

/** The single-file NIfTI-1 (.nii, little-endian header, data in the file's own byte order) of NIfTI-2 `bytes`. */
export function nifti2ToNifti1(bytes: Uint8Array, file: string): Uint8Array {
  if (!isNifti2(bytes) || bytes.length < NIFTI2_HEADER) throw new InputError(file, 'bad-magic', 'not a NIfTI-2 file');
  const src = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const little = src.getInt32(0, true) === NIFTI2_HEADER;
  // The voxels keep their byte order; a big-endian file's NIfTI-1 header is written big-endian too, so that the
  // reader, which takes the data's byte order from the header's, swaps them.
  const i64 = (at: number) => Number(src.getBigInt64(at, little));
  const f64 = (at: number) => src.getFloat64(at, little);

  const dims = Array.from({ length: 8 }, (_, k) => i64(16 + 8 * k));
  const big = dims.findIndex((d, k) => k > 0 && k <= dims[0] && (d > 32767 || d < 0));
  if (big >= 0) throw new InputError(file, 'unsupported', `a NIfTI-2 image with ${dims[big]} voxels along axis ${big} (more than NIfTI-1's 32,767) is not supported`);
  const voxOffset = i64(168);
  if (!(voxOffset >= NIFTI2_HEADER) || voxOffset > bytes.length) throw new InputError(file, 'malformed', `NIfTI-2 vox_offset ${voxOffset} lies outside the file`);

  const data = bytes.subarray(voxOffset);
  const out = new Uint8Array(NIFTI1_VOX_OFFSET + data.length);
  const dst = new DataView(out.buffer);
  dst.setInt32(0, NIFTI1_HEADER, little);
  out[39] = bytes[524]; // dim_info
  for (let k = 0; k < 8; k++) dst.setInt16(40 + 2 * k, dims[k], little);
  for (let k = 0; k < 3; k++) dst.setFloat32(56 + 4 * k, f64(80 + 8 * k), little); // intent_p1..p3
  dst.setInt16(68, src.getInt32(504, little), little); // intent_code
  dst.setInt16(70, src.getInt16(12, little), little); // datatype
  dst.setInt16(72, src.getInt16(14, little), little); // bitpix
  dst.setInt16(74, i64(224), little); // slice_start
  for (let k = 0; k < 8; k++) dst.setFloat32(76 + 4 * k, f64(104 + 8 * k), little); // pixdim
  dst.setFloat32(108, NIFTI1_VOX_OFFSET, little);
  dst.setFloat32(112, f64(176), little); // scl_slope
  dst.setFloat32(116, f64(184), little); // scl_inter
  dst.setInt16(120, i64(232), little); // slice_end
  out[122] = src.getInt32(496, little); // slice_code
  out[123] = src.getInt32(500, little); // xyzt_units
  for (let k = 0; k < 4; k++) dst.setFloat32(124 + 4 * k, f64(192 + 8 * k), little); // cal_max, cal_min, slice_duration, toffset
  out.set(bytes.subarray(240, 320), 148); // descrip
  out.set(bytes.subarray(320, 344), 228); // aux_file
  dst.setInt16(252, src.getInt32(344, little), little); // qform_code
  dst.setInt16(254, src.getInt32(348, little), little); // sform_code
  for (let k = 0; k < 6; k++) dst.setFloat32(256 + 4 * k, f64(352 + 8 * k), little); // quatern_b..d, qoffset_x..z
  for (let k = 0; k < 12; k++) dst.setFloat32(280 + 4 * k, f64(400 + 8 * k), little); // srow_x, srow_y, srow_z
  out.set(bytes.subarray(508, 524), 328); // intent_name
  out.set([0x6e, 0x2b, 0x31, 0x00], 344); // "n+1\0": header and data in one file
  out.set(data, NIFTI1_VOX_OFFSET);
  return out;
}
