import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { ImageLps } from '../../../core/image/index.ts';
import { InputError, type InputProblem } from '../../../core/io/errors.ts';
import { readImage } from '../../../core/io/images/read-image.ts';
import { writeImage } from '../../../core/io/images/write-image.ts';
import { niftiBytes } from '../../support/nifti-bytes.ts';

/** Deterministic pseudo-random bytes (a linear congruential generator), so a failure can be replayed. */
function noise(n: number, seed = 12345): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

async function rejectsWith(promise: Promise<unknown>, file: string, problem: InputProblem, pattern?: RegExp): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof InputError, `expected an InputError, got ${String(e)}`);
    assert.equal(e.problem, problem, e.message);
    assert.equal(e.file, file);
    assert.ok(e.message.startsWith(`${file}: `), e.message);
    if (pattern) assert.match(e.message, pattern);
    return true;
  });
}

const dir = await mkdtemp(join(tmpdir(), 'monge-image-errors-'));
test.after(() => rm(dir, { recursive: true, force: true }));

/** A 24³ float32 volume of noise: its gzip stream is long enough to cut and to corrupt in the middle. */
const volume: ImageLps = {
  size: [24, 24, 24],
  spacingMm: [1, 1, 1],
  originLps: [0, 0, 0],
  directionLps: Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]),
  components: 1,
  data: new Float32Array(noise(24 ** 3 * 4).buffer).map((v) => (Number.isFinite(v) ? v : 0)),
};
const good = join(dir, 'good.nii.gz');
await writeImage(good, volume);
const goodBytes = new Uint8Array(await readFile(good));

test('a truncated .nii.gz is "truncated" (itk-wasm alone would zero-fill the missing voxels)', async () => {
  const file = join(dir, 'cut.nii.gz');
  await writeFile(file, goodBytes.subarray(0, Math.floor(goodBytes.length / 2)));
  await rejectsWith(readImage(file), file, 'truncated', /gzip stream ends early/);
});

test('a truncated uncompressed .nii is "truncated", with the byte counts', async () => {
  const file = join(dir, 'cut.nii');
  const full = niftiBytes({ dims: [10, 10, 10], pixdim: [1, 1, 1], datatype: 16, bitpix: 32, srow: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]] });
  await writeFile(file, full.subarray(0, 352 + 1000));
  await rejectsWith(readImage(file), file, 'truncated', /declares 4352 bytes but only 1352/);
});

test('bit-flipped gzip data is "corrupt-compression", in the middle of the stream and in its CRC', async () => {
  const middle = join(dir, 'flip-middle.nii.gz');
  const flipped = goodBytes.slice();
  flipped[Math.floor(flipped.length / 2)] ^= 0xff;
  await writeFile(middle, flipped);
  await rejectsWith(readImage(middle), middle, 'corrupt-compression', /corrupt gzip data/);
  const crc = join(dir, 'flip-crc.nii.gz');
  const badCrc = goodBytes.slice();
  badCrc[badCrc.length - 6] ^= 0x01;
  await writeFile(crc, badCrc);
  await rejectsWith(readImage(crc), crc, 'corrupt-compression', /incorrect data check/);
});

test('garbage bytes are "bad-magic" for .nrrd, .mha, .nii and .mgz names', async () => {
  for (const name of ['garbage.nrrd', 'garbage.mha', 'garbage.nii', 'garbage.mgz']) {
    const file = join(dir, name);
    await writeFile(file, noise(5000, name.length));
    await rejectsWith(readImage(file), file, 'bad-magic', /not a/);
  }
});

test('a gzip .mgz whose content is not MGH is "bad-magic"', async () => {
  const file = join(dir, 'text.mgz');
  await writeFile(file, gzipSync(Buffer.from('hello, this is not an MGH volume at all, but it is long enough'.repeat(10))));
  await rejectsWith(readImage(file), file, 'bad-magic', /version field/);
});

test('a NRRD header ITK cannot parse is "malformed", and the wasm failure does not touch the process', async () => {
  const file = join(dir, 'bad-directions.nrrd');
  const header = 'NRRD0004\ntype: float\ndimension: 3\nsizes: 2 2 2\nencoding: raw\nspace directions: banana\n\n';
  await writeFile(file, Buffer.concat([Buffer.from(header, 'latin1'), Buffer.alloc(32)]));
  await rejectsWith(readImage(file), file, 'malformed', /cannot be read as NRRD/);
  // Run in-process, itk-wasm's Emscripten runtime would have set process.exitCode = 1 here.
  assert.notEqual(process.exitCode, 1);
});

test('NaN spacing is "non-finite"', async () => {
  const file = join(dir, 'nan.mha');
  const header =
    'ObjectType = Image\nNDims = 3\nBinaryData = True\nBinaryDataByteOrderMSB = False\nElementSpacing = nan 1 1\n' +
    'Offset = 0 0 0\nDimSize = 2 2 2\nElementType = MET_UCHAR\nElementDataFile = LOCAL\n';
  await writeFile(file, Buffer.concat([Buffer.from(header, 'latin1'), Buffer.alloc(8)]));
  await rejectsWith(readImage(file), file, 'non-finite', /spacing NaN/);
});

test('empty, missing, folder without DICOM, unknown suffix', async () => {
  const empty = join(dir, 'empty.nii.gz');
  await writeFile(empty, new Uint8Array(0));
  await rejectsWith(readImage(empty), empty, 'empty');
  const missing = join(dir, 'missing.nrrd');
  await rejectsWith(readImage(missing), missing, 'not-found');
  const folder = join(dir, 'not-dicom');
  await mkdir(folder);
  await writeFile(join(folder, 'notes.txt'), 'no DICOM here');
  await rejectsWith(readImage(folder), folder, 'is-directory', /without DICOM files/);
  const png = join(dir, 'photo.png');
  await writeFile(png, noise(100));
  await rejectsWith(readImage(png), png, 'unsupported', /unsupported image format/);
});

test('2-D images and 4-D time series are "unsupported"', async () => {
  const identity: [number[], number[], number[]] = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]];
  const flat = join(dir, 'slice.nii');
  await writeFile(flat, niftiBytes({ dims: [4, 5], pixdim: [1, 1], datatype: 2, bitpix: 8, srow: identity }));
  await rejectsWith(readImage(flat), flat, 'unsupported', /2-D image/);
  const series = join(dir, 'series.nii');
  await writeFile(series, niftiBytes({ dims: [3, 3, 3, 4], pixdim: [1, 1, 1, 1], datatype: 2, bitpix: 8, srow: identity }));
  await rejectsWith(readImage(series), series, 'unsupported', /4-D image/);
});

test('detached data: a missing or truncated data file is named in the error', async () => {
  const header = (dataFile: string): string =>
    `NRRD0004\ntype: uchar\ndimension: 3\nsizes: 4 4 4\nencoding: raw\ndata file: ${dataFile}\n`;
  const noData = join(dir, 'nodata.nhdr');
  await writeFile(noData, header('nodata.raw'));
  await rejectsWith(readImage(noData), noData, 'not-found', /nodata\.raw/);
  const shortData = join(dir, 'short.nhdr');
  await writeFile(shortData, header('short.raw'));
  await writeFile(join(dir, 'short.raw'), new Uint8Array(40));
  await rejectsWith(readImage(shortData), shortData, 'truncated', /declares 64 bytes but only 40/);
  const mhd = join(dir, 'short.mhd');
  await writeFile(mhd, 'ObjectType = Image\nNDims = 3\nDimSize = 4 4 4\nElementType = MET_SHORT\nElementDataFile = short.raw\n');
  await rejectsWith(readImage(mhd), mhd, 'truncated', /declares 128 bytes but only 40/);
});

test('a read that exceeds its time limit fails as "malformed", and the next read works', async () => {
  await rejectsWith(readImage(good, { timeoutMs: 1 }), good, 'malformed', /did not finish within/);
  const image = await readImage(good);
  assert.deepEqual(image.data, volume.data);
});

test('after all the failures above the process exit code is still clean', () => {
  assert.notEqual(process.exitCode, 1);
});
