/**
 * The voxel data a NIfTI header declares (nifti1.h / nifti2.h: dim, datatype, bitpix, vox_offset), and the refusal of
 * an image too large for itk-wasm, told from the header before itk-wasm is given the file.
 *
 * itk-wasm's NIfTI reader (@itk-wasm/image-io 1.6.1) holds the voxels twice in its WebAssembly memory, which cannot
 * grow past 4 GiB: measured with sparse files, 2³¹ − 256 KiB bytes of voxels read, 2³¹ − 128 KiB abort, and anything
 * from 2 GiB up fails with "ITK rejected it (a C++ exception; the release build gives no detail)", which tells the
 * user nothing. The header says the size in advance, so Monge refuses such a file itself, saying why and what to do.
 */
import { InputError } from '../errors.ts';
import { niftiHeaderLayout } from './nifti-header.ts';

/** Bytes per value for NIfTI datatype codes (nifti1.h DT_*), used when bitpix is unusable. */
const NIFTI_DATATYPE_BYTES: Record<number, number> = {
  2: 1, 4: 2, 8: 4, 16: 4, 32: 8, 64: 8, 128: 3, 256: 1, 512: 2, 768: 4, 1024: 8, 1280: 8, 1536: 16, 1792: 16, 2048: 32, 2304: 4,
};

/**
 * The most voxel bytes Monge hands to itk-wasm: 2 GiB less 1 MiB, a margin under the largest image measured to read
 * (2³¹ − 256 KiB), since what else the reader keeps in its memory beside the voxels may vary from file to file.
 */
export const ITK_WASM_MAX_VOXEL_BYTES = 2 ** 31 - 2 ** 20;

/** What a NIfTI-1 or NIfTI-2 header declares of its voxel data. */
export interface NiftiDeclaredData {
  /** 1 (348-byte header) or 2 (540-byte header). */
  version: 1 | 2;
  headerBytes: number;
  /** dim[1..dim[0]] (dim[0] clamped to 0..7), each at least 1 as nifti1_io takes them. */
  dims: number[];
  /** The product of `dims`: every value stored, vector components and time points included. */
  values: number;
  /** Bytes per value, from bitpix or else from the datatype; undefined where neither tells. */
  bytesPerValue: number | undefined;
  /** vox_offset as stored (NaN or 0 possible; the caller decides what a bad one means). */
  voxOffset: number;
}

/**
 * The voxel data declared by the NIfTI header at the start of `head` (uncompressed bytes, either byte order);
 * undefined where `head` does not begin with a whole NIfTI-1 or NIfTI-2 header.
 */
export function niftiDeclaredData(head: Uint8Array): NiftiDeclaredData | undefined {
  const layout = niftiHeaderLayout(head);
  if (!layout) return undefined;
  const { view, version, headerBytes, littleEndian: little } = layout;
  const dim = version === 1 ? (k: number) => view.getInt16(40 + 2 * k, little) : (k: number) => Number(view.getBigInt64(16 + 8 * k, little));
  const ndim = Math.min(Math.max(dim(0), 0), 7);
  const dims: number[] = [];
  for (let k = 1; k <= ndim; k++) dims.push(Math.max(1, dim(k)));
  const datatype = view.getInt16(version === 1 ? 70 : 12, little);
  const bitpix = view.getInt16(version === 1 ? 72 : 14, little);
  const voxOffset = version === 1 ? view.getFloat32(108, little) : Number(view.getBigInt64(168, little));
  return {
    version,
    headerBytes,
    dims,
    values: dims.reduce((a, b) => a * b, 1),
    bytesPerValue: bitpix > 0 && bitpix % 8 === 0 ? bitpix / 8 : NIFTI_DATATYPE_BYTES[datatype],
    voxOffset,
  };
}

const GIB = 2 ** 30;
const thousands = (n: number): string => n.toLocaleString('en-US');

/**
 * Refuses (InputError 'too-large' naming `file`) a NIfTI file whose header `head` declares more voxel bytes than
 * itk-wasm can hold (ITK_WASM_MAX_VOXEL_BYTES), saying how large it is and how to make it fit; returns otherwise,
 * also where the header cannot be parsed (the read that follows says what is wrong with it).
 */
export function checkNiftiFitsItkWasm(file: string, head: Uint8Array): void {
  const data = niftiDeclaredData(head);
  if (!data || data.bytesPerValue === undefined) return;
  const bytes = data.values * data.bytesPerValue;
  if (bytes <= ITK_WASM_MAX_VOXEL_BYTES) return;
  throw new InputError(
    file,
    'too-large',
    `the image is too large to read: its header declares ${data.dims.join(' × ')} values of ${data.bytesPerValue} byte(s), ` +
      `${(bytes / GIB).toFixed(2)} GiB of voxel data uncompressed (${thousands(bytes)} bytes), more than the 2 GiB ` +
      `(${thousands(ITK_WASM_MAX_VOXEL_BYTES)} bytes) that itk-wasm, Monge's image reader, can hold. Make it smaller first: crop it to ` +
      `the region needed, resample it to larger voxels (e.g. nibabel: nibabel.processing.resample_to_output(img, voxel_sizes=(2, 2, 2)), ` +
      `order=0 for a label map), or store it in a smaller voxel type (float64 as float32, a label map as uint8 or int16)`,
  );
}
