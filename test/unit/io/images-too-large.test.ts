/**
 * A NIfTI image larger than itk-wasm can hold (2 GiB of voxels, nifti-voxel-bytes.ts) is refused from its header,
 * before itk-wasm sees it, with its size, the limit and a remedy. The files here are headers whose data is missing:
 * no 2 GiB file is written, and a check that ran after the payload check would say 'truncated' instead.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { InputError, type InputProblem } from '../../../core/io/errors.ts';
import { readImage } from '../../../core/io/images/read-image.ts';
import { niftiBytes } from '../../support/nifti-bytes.ts';
import { tempDir } from '../../support/temp-dir.ts';

/** A NIfTI-1 header (and extension flag) declaring `dims` of `bitpix`-bit values, with no voxel data after it. */
function niftiHeader(dims: number[], datatype: number, bitpix: number): Uint8Array {
  return niftiBytes({ dims, pixdim: [1, 1, 1], datatype, bitpix, srow: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]], data: new Uint8Array(0) });
}

/** A little-endian NIfTI-2 header (nifti2.h offsets) declaring `dims` of uint8, with no voxel data. */
function nifti2Header(dims: number[]): Uint8Array {
  const bytes = new Uint8Array(544);
  const v = new DataView(bytes.buffer);
  v.setInt32(0, 540, true);
  bytes.set([0x6e, 0x2b, 0x32, 0, 0x0d, 0x0a, 0x1a, 0x0a], 4); // magic "n+2\0\r\n\032\n"
  v.setInt16(12, 2, true); // datatype: uint8
  v.setInt16(14, 8, true); // bitpix
  v.setBigInt64(16, BigInt(dims.length), true);
  dims.forEach((d, k) => v.setBigInt64(24 + 8 * k, BigInt(d), true));
  for (let k = 0; k < 3; k++) v.setFloat64(112 + 8 * k, 1, true); // pixdim[1..3]
  v.setBigInt64(168, 544n, true); // vox_offset
  return bytes;
}

async function rejectsWith(file: string, problem: InputProblem, patterns: RegExp[] = []): Promise<void> {
  await assert.rejects(readImage(file), (e: unknown) => {
    assert.ok(e instanceof InputError, `expected an InputError, got ${String(e)}`);
    assert.equal(e.problem, problem, e.message);
    assert.equal(e.file, file);
    assert.ok(e.message.startsWith(`${file}: `), e.message);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

test('a NIfTI header declaring 16 GiB of float32 voxels is "too-large", with its size, the limit and a remedy', async (t) => {
  const dir = await tempDir(t, 'too-large');
  const file = join(dir, 'huge.nii');
  await writeFile(file, niftiHeader([2048, 2048, 1024], 16, 32));
  // 2048 · 2048 · 1024 voxels · 4 bytes = 2³⁴ bytes = 16 GiB; the limit is 2³¹ − 2²⁰ bytes.
  await rejectsWith(file, 'too-large', [
    /its header declares 2048 × 2048 × 1024 values of 4 byte\(s\), 16\.00 GiB of voxel data uncompressed \(17,179,869,184 bytes\)/,
    /more than the 2 GiB \(2,146,435,072 bytes\) that itk-wasm, Monge's image reader, can hold/,
    /crop it .* resample it to larger voxels .* smaller voxel type/,
  ]);
});

test('the limit is 2 GiB less 1 MiB of voxels: a header at it goes on to the payload check, one 64 KiB past it is "too-large"', async (t) => {
  const dir = await tempDir(t, 'too-large');
  const at = join(dir, 'at-limit.nii');
  await writeFile(at, niftiHeader([32752, 256, 256], 2, 8)); // 32752 · 256 · 256 = 2³¹ − 2²⁰ bytes of uint8
  await rejectsWith(at, 'truncated', [/the header declares 2146435424 bytes but only 352 are present/]);
  const past = join(dir, 'past-limit.nii');
  await writeFile(past, niftiHeader([32753, 256, 256], 2, 8));
  await rejectsWith(past, 'too-large', [/32753 × 256 × 256 values of 1 byte\(s\), 2\.00 GiB .* \(2,146,500,608 bytes\)/]);
});

test('a gzipped NIfTI and a NIfTI-2 past the limit are "too-large" too, from their headers alone', async (t) => {
  const dir = await tempDir(t, 'too-large');
  // 1024 · 1024 · 1025 int16 voxels: 2,149,580,800 bytes, just over 2 GiB once inflated; the .gz file is a few hundred bytes.
  const gz = join(dir, 'ct.nii.gz');
  await writeFile(gz, gzipSync(niftiHeader([1024, 1024, 1025], 4, 16)));
  await rejectsWith(gz, 'too-large', [/1024 × 1024 × 1025 values of 2 byte\(s\), 2\.00 GiB of voxel data uncompressed \(2,149,580,800 bytes\)/]);
  // A NIfTI-2 with an axis NIfTI-1 cannot hold: the size is what the user must change first.
  const n2 = join(dir, 'wide.nii');
  await writeFile(n2, nifti2Header([40000, 40000, 2]));
  await rejectsWith(n2, 'too-large', [/40000 × 40000 × 2 values of 1 byte\(s\), 2\.98 GiB .* \(3,200,000,000 bytes\)/]);
});
