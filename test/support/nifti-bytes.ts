/**
 * Hand-built NIfTI-1 single files (.nii) for tests, so that the geometry a reader must find is known exactly,
 * independently of any NIfTI writer. Layout: the 348-byte nifti_1_header (nifti1.h), 4 bytes of extension flag, the
 * voxels from vox_offset 352. Little endian.
 */

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface NiftiSpec {
  /** dim[1..]: the sizes of the axes (dim[0] = their count). */
  dims: number[];
  /** pixdim[1..]: voxel sizes. */
  pixdim: number[];
  /** NIfTI datatype code (2 uint8, 4 int16, 16 float32, …) and bits per voxel. */
  datatype: number;
  bitpix: number;
  /** sform: the rows srow_x, srow_y, srow_z of the voxel → RAS-mm affine (sform_code 1 = scanner). */
  srow: [number[], number[], number[]];
  /** Voxel bytes (i fastest); zero-filled when absent. */
  data?: Uint8Array;
  intentCode?: number;
  /** sform_code (default 1). */
  sformCode?: number;
  /**
   * A qform (nifti1.h METHOD 2; default: none, qform_code 0): its code, quatern_b/c/d, qoffset_x/y/z and qfac
   * (pixdim[0], default 1). Its voxel sizes are pixdim's.
   */
  qform?: { code: number; quatern: [number, number, number]; offset: [number, number, number]; qfac?: number };
}

/** The bytes of a NIfTI-1 file, by default with qform_code 0 and sform_code 1 (so the sform alone gives the geometry). */
export function niftiBytes(spec: NiftiSpec): Uint8Array {
  const count = spec.dims.reduce((a, b) => a * b, 1);
  const dataBytes = spec.data?.length ?? (count * spec.bitpix) / 8;
  const buf = Buffer.alloc(352 + dataBytes);
  buf.writeInt32LE(348, 0);
  buf.writeInt16LE(spec.dims.length, 40);
  for (let i = 0; i < 7; i++) buf.writeInt16LE(spec.dims[i] ?? 1, 42 + 2 * i);
  buf.writeInt16LE(spec.intentCode ?? 0, 68);
  buf.writeInt16LE(spec.datatype, 70);
  buf.writeInt16LE(spec.bitpix, 72);
  buf.writeFloatLE(spec.qform?.qfac ?? 1, 76); // pixdim[0] = qfac
  for (let i = 0; i < 7; i++) buf.writeFloatLE(spec.pixdim[i] ?? 1, 80 + 4 * i);
  buf.writeFloatLE(352, 108); // vox_offset
  buf.writeFloatLE(1, 112); // scl_slope
  buf.writeUInt8(2, 123); // xyzt_units: mm
  buf.writeInt16LE(spec.qform?.code ?? 0, 252); // qform_code
  buf.writeInt16LE(spec.sformCode ?? 1, 254); // sform_code
  if (spec.qform) {
    for (let k = 0; k < 3; k++) buf.writeFloatLE(spec.qform.quatern[k], 256 + 4 * k); // quatern_b, _c, _d
    for (let k = 0; k < 3; k++) buf.writeFloatLE(spec.qform.offset[k], 268 + 4 * k); // qoffset_x, _y, _z
  }
  for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) buf.writeFloatLE(spec.srow[r][c], 280 + 16 * r + 4 * c);
  buf.write('n+1\0', 344, 'latin1');
  if (spec.data) buf.set(spec.data, 352);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
}

/** A 10³ mask (a 4³ cube inside) whose sform (code 2) lies 20 mm from its qform (code 1). */
export async function disagreeingFormsMask(dir: string): Promise<string> {
  const n = 10;
  const data = new Uint8Array(n * n * n);
  for (let k = 3; k < 7; k++) for (let j = 3; j < 7; j++) for (let i = 3; i < 7; i++) data[i + n * (j + n * k)] = 1;
  const path = join(dir, 'mask.nii.gz');
  const bytes = niftiBytes({
    dims: [n, n, n],
    pixdim: [2, 2, 2],
    datatype: 2,
    bitpix: 8,
    data,
    sformCode: 2,
    srow: [[2, 0, 0, 20], [0, 2, 0, 0], [0, 0, 2, 0]],
    qform: { code: 1, quatern: [0, 0, 0], offset: [0, 0, 0] },
  });
  await writeFile(path, gzipSync(bytes));
  return path;
}
