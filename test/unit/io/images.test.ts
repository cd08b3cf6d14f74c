import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { convertPoint } from '../../../core/frames/index.ts';
import { indexToLps, lpsToContinuousIndex, type ImageLps } from '../../../core/image/index.ts';
import { readImage } from '../../../core/io/images/read-image.ts';
import { writeImage } from '../../../core/io/images/write-image.ts';
import { needsSharedData, sharedPath } from '../../support/data.ts';
import { niftiBytes } from '../../support/nifti-bytes.ts';

type V3 = [number, number, number];

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `${what}[${i}]: ${actual[i]} vs ${expected[i]} (tol ${tol})`);
  }
}

async function withTempDir<T>(f: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'monge-images-'));
  try {
    return await f(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A proper rotation with a non-symmetric matrix (Rz(25°)·Ry(−15°)), row-major. */
const DIRECTION = (() => {
  const a = (25 * Math.PI) / 180;
  const b = (-15 * Math.PI) / 180;
  const rz = [Math.cos(a), -Math.sin(a), 0, Math.sin(a), Math.cos(a), 0, 0, 0, 1];
  const ry = [Math.cos(b), 0, Math.sin(b), 0, 1, 0, -Math.sin(b), 0, Math.cos(b)];
  const m = new Float64Array(9);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) for (let k = 0; k < 3; k++) m[3 * r + c] += rz[3 * r + k] * ry[3 * k + c];
  return m;
})();

function testImage(kind: 'mask' | 'float' | 'vector'): ImageLps {
  const size: V3 = [7, 5, 4];
  const n = size[0] * size[1] * size[2];
  const components = kind === 'vector' ? 3 : 1;
  const data =
    kind === 'mask'
      ? new Uint8Array(n).map((_, i) => (i % 3 === 0 ? 1 : 0))
      : new Float32Array(n * components).map((_, i) => Math.fround(Math.sin(i * 0.37) * 50 - i * 0.125));
  return { size, spacingMm: [0.5, 1.25, 2], originLps: [-10.5, 20.25, 3], directionLps: DIRECTION, components, data };
}

function assertSameImage(back: ImageLps, original: ImageLps, what: string): void {
  assert.deepEqual(back.size, original.size, `${what}: size`);
  assert.equal(back.components, original.components, `${what}: components`);
  // NIfTI stores spacing and origin as float32 and the direction as a float32 quaternion.
  close(back.spacingMm, original.spacingMm, 1e-6, `${what}: spacing`);
  close(back.originLps, original.originLps, 1e-4, `${what}: origin`);
  close(back.directionLps, original.directionLps, 1e-6, `${what}: direction`);
  assert.equal(back.data.constructor, original.data.constructor, `${what}: voxel type`);
  assert.deepEqual(back.data, original.data, `${what}: voxels`);
}

for (const suffix of ['.nii.gz', '.nii', '.nrrd', '.mha']) {
  test(`write → read round trip ${suffix}: uint8 mask, float32, 3-component float32 vectors`, async () => {
    await withTempDir(async (dir) => {
      for (const kind of ['mask', 'float', 'vector'] as const) {
        const original = testImage(kind);
        const dataBefore = original.data.slice();
        const file = join(dir, `${kind}${suffix}`);
        await writeImage(file, original);
        assert.deepEqual(original.data, dataBefore, 'writeImage leaves the caller’s voxels intact');
        const back = await readImage(file);
        assertSameImage(back, original, `${kind}${suffix}`);
        assert.equal(back.componentType, kind === 'mask' ? 'uint8' : 'float32');
        assert.equal(back.pixelType, kind === 'vector' ? 'Vector' : 'Scalar');
        assert.equal(back.data.buffer instanceof ArrayBuffer, true, 'a plain (not shared) ArrayBuffer');
      }
      // Atomic write: no temporary file is left beside the outputs.
      assert.deepEqual((await readdir(dir)).sort(), ['float', 'mask', 'vector'].map((k) => `${k}${suffix}`).sort());
    });
  });
}

test('NIfTI vector images are 5-D (x, y, z, 1, 3) with intent 1007 (NIFTI_INTENT_VECTOR), as ITK/ANTs expect', async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, 'field.nii.gz');
    await writeImage(file, testImage('vector'));
    const header = gunzipSync(await readFile(file));
    const dims = [0, 1, 2, 3, 4, 5].map((i) => header.readInt16LE(40 + 2 * i));
    assert.deepEqual(dims, [5, 7, 5, 4, 1, 3]);
    assert.equal(header.readInt16LE(68), 1007, 'intent_code');
    assert.equal(header.readInt16LE(70), 16, 'datatype float32');
    // The file holds the vectors component-planar (NIfTI's 5th axis): component c of voxel v at plane c.
    const voxOffset = header.readFloatLE(108);
    const original = testImage('vector').data;
    const n = 7 * 5 * 4;
    for (const [v, c] of [[0, 0], [17, 1], [139, 2]]) {
      assert.equal(header.readFloatLE(voxOffset + 4 * (c * n + v)), original[3 * v + c]);
    }
  });
});

test("niftiGzip 'fast': the gzip of exactly ITK's .nii bytes, read back as the same image, no intermediate file left", async () => {
  await withTempDir(async (dir) => {
    for (const kind of ['mask', 'float', 'vector'] as const) {
      const original = testImage(kind);
      await writeImage(join(dir, `${kind}.nii`), original);
      await writeImage(join(dir, `${kind}.nii.gz`), original, { niftiGzip: 'fast' });
      const gz = await readFile(join(dir, `${kind}.nii.gz`));
      assert.deepEqual([gz[0], gz[1]], [0x1f, 0x8b], 'a gzip stream');
      assert.deepEqual(gunzipSync(gz), await readFile(join(dir, `${kind}.nii`)));
      assertSameImage(await readImage(join(dir, `${kind}.nii.gz`)), original, `${kind} fast .nii.gz`);
    }
    assert.deepEqual((await readdir(dir)).sort(), ['float', 'mask', 'vector'].flatMap((k) => [`${k}.nii`, `${k}.nii.gz`]).sort());
  });
});

test('NRRD and MetaImage keep key/value metadata; .nrrd/.mha compression can be switched off', async () => {
  await withTempDir(async (dir) => {
    for (const suffix of ['.nrrd', '.mha']) {
      const file = join(dir, `meta${suffix}`);
      await writeImage(file, testImage('float'), { metadata: { monge_note: 'hello world' }, compress: false });
      const text = (await readFile(file)).toString('latin1');
      assert.match(text, suffix === '.nrrd' ? /\nmonge_note:=hello world\n/ : /\nmonge_note = hello world\n/);
      assert.match(text, suffix === '.nrrd' ? /\nencoding: raw\n/ : /\nCompressedData = False\n/);
      const back = await readImage(file);
      assert.equal(back.metadata.monge_note, 'hello world');
      assertSameImage(back, testImage('float'), suffix);
    }
  });
});

test('suffixes in capitals (.MHA, .NRRD, .NII.GZ; .MGZ below) are written and read back as in lower case', async () => {
  await withTempDir(async (dir) => {
    for (const suffix of ['.MHA', '.NRRD', '.NII.GZ', '.Nii']) {
      const file = join(dir, `caps${suffix}`);
      await writeImage(file, testImage('float'));
      assertSameImage(await readImage(file), testImage('float'), suffix);
    }
    assert.deepEqual((await readdir(dir)).sort(), ['caps.MHA', 'caps.NII.GZ', 'caps.NRRD', 'caps.Nii']);
  });
});

test('writeImage refuses unknown suffixes, inconsistent images and missing folders, leaving no file', async () => {
  await withTempDir(async (dir) => {
    await assert.rejects(writeImage(join(dir, 'a.png'), testImage('mask')), /writable image suffixes/);
    await assert.rejects(writeImage(join(dir, 'a.nii.gz'), { ...testImage('mask'), size: [7, 5, 5] }), /voxel values/);
    await assert.rejects(writeImage(join(dir, 'a.nii.gz'), { ...testImage('mask'), spacingMm: [1, 0, 1] }), /spacing/);
    await assert.rejects(writeImage(join(dir, 'missing', 'a.nii.gz'), testImage('mask')), /does not exist/);
    assert.deepEqual(await readdir(dir), []);
  });
});

test('detached headers: .nhdr and .mhd with their raw data file beside them', async () => {
  await withTempDir(async (dir) => {
    const values = new Uint16Array(3 * 4 * 5).map((_, i) => i * 1000 + 7);
    await writeFile(join(dir, 'vol.raw'), new Uint8Array(values.buffer));
    await writeFile(
      join(dir, 'vol.nhdr'),
      'NRRD0004\ntype: unsigned short\ndimension: 3\nspace: left-posterior-superior\nsizes: 3 4 5\n' +
        'space directions: (0,2,0) (0,0,3) (1.5,0,0)\nendian: little\nencoding: raw\nspace origin: (1,2,3)\ndata file: vol.raw\n',
    );
    // MetaIO's TransformMatrix lists the axis direction vectors one after the other (the columns of D).
    await writeFile(
      join(dir, 'vol.mhd'),
      'ObjectType = Image\nNDims = 3\nBinaryData = True\nBinaryDataByteOrderMSB = False\nTransformMatrix = 0 1 0 0 0 1 1 0 0\n' +
        'Offset = 1 2 3\nElementSpacing = 2 3 1.5\nDimSize = 3 4 5\nElementType = MET_USHORT\nElementDataFile = vol.raw\n',
    );
    for (const name of ['vol.nhdr', 'vol.mhd']) {
      const image = await readImage(join(dir, name));
      assert.deepEqual(image.size, [3, 4, 5], name);
      close(image.spacingMm, [2, 3, 1.5], 1e-12, `${name} spacing`);
      close(image.originLps, [1, 2, 3], 1e-12, `${name} origin`);
      // Axis 0 runs along +y, axis 1 along +z, axis 2 along +x (columns of the direction matrix).
      close(image.directionLps, [0, 0, 1, 1, 0, 0, 0, 1, 0], 1e-12, `${name} direction`);
      close(indexToLps(image, [1, 1, 1]), [1 + 1.5, 2 + 2, 3 + 3], 1e-12, `${name} voxel (1,1,1)`);
      assert.deepEqual(image.data, values, `${name} voxels`);
      assert.equal(image.format, name.endsWith('.nhdr') ? 'nrrd' : 'metaimage');
    }
  });
});

test('real DIR-Lab copd1 lung mask: size, geometry of the NIfTI sform, voxel count, and 300 landmarks inside', { skip: needsSharedData() }, async () => {
  const file = sharedPath('lung', 'dirlab-copd', 'copd1_exp_lungmask.nii.gz');
  const image = await readImage(file);
  assert.deepEqual(image.size, [192, 192, 208]);
  assert.equal(image.format, 'nifti');
  assert.equal(image.componentType, 'uint8');
  // Independent reference: the raw header and voxels, decoded here by hand.
  const raw = gunzipSync(readFileSync(file));
  const voxOffset = raw.readFloatLE(108);
  let expectedCount = 0;
  for (let i = voxOffset; i < raw.length; i++) if (raw[i] !== 0) expectedCount++;
  let count = 0;
  for (const v of image.data) if (v !== 0) count++;
  assert.equal(count, expectedCount);
  const volumeLitres = (count * image.spacingMm[0] * image.spacingMm[1] * image.spacingMm[2]) / 1e6;
  assert.ok(volumeLitres > 1.5 && volumeLitres < 8, `lung volume ${volumeLitres} L`);
  // The sform (RAS) of the header, converted to LPS, gives the same voxel centres.
  const srow = [0, 1, 2].map((r) => [0, 1, 2, 3].map((c) => raw.readFloatLE(280 + 16 * r + 4 * c)));
  for (const ijk of [[0, 0, 0], [191, 0, 0], [0, 191, 207], [100, 50, 150]] as V3[]) {
    const ras = [0, 1, 2].map((r) => srow[r][0] * ijk[0] + srow[r][1] * ijk[1] + srow[r][2] * ijk[2] + srow[r][3]) as V3;
    close(indexToLps(image, ijk), convertPoint(ras, 'RAS', 'LPS'), 1e-3, `voxel ${ijk.join(',')}`);
  }
  // The data README: the expiration landmarks (RAS mm) fall inside this mask (99–100 %).
  const rows = readFileSync(sharedPath('lung', 'dirlab-copd', 'copd1_300_landmarks_mm.csv'), 'utf8').trim().split('\n').slice(1);
  assert.equal(rows.length, 300);
  const [nx, ny] = image.size;
  let inside = 0;
  for (const row of rows) {
    const v = row.split(',').map(Number);
    const ijk = lpsToContinuousIndex(image, convertPoint([v[3], v[4], v[5]], 'RAS', 'LPS')).map(Math.round);
    if (ijk.every((x, a) => x >= 0 && x < image.size[a]) && image.data[ijk[0] + nx * (ijk[1] + ny * ijk[2])] !== 0) inside++;
  }
  assert.ok(inside >= 297, `${inside} of 300 landmarks inside the mask`);
});

test('real MNE sample T1.mgz and aseg.mgz: 86³ voxels of 3 mm, geometry from the MGH header, aseg labels', { skip: needsSharedData() }, async () => {
  for (const name of ['T1.mgz', 'aseg.mgz']) {
    const file = sharedPath('brain', 'mne-sample', name);
    const image = await readImage(file);
    assert.equal(image.format, 'mgh');
    assert.deepEqual(image.size, [86, 86, 86]);
    close(image.spacingMm, [3, 3, 3], 1e-9, `${name} spacing`);
    // Independent reference (FreeSurfer MGH format): vox2ras = Mdc·diag(s) with the centre voxel at c_ras.
    const h = gunzipSync(readFileSync(file));
    const dims = [0, 1, 2].map((a) => h.readInt32BE(4 + 4 * a));
    const s = [0, 1, 2].map((a) => h.readFloatBE(30 + 4 * a));
    const mdc = [0, 1, 2].map((axis) => [0, 1, 2].map((r) => h.readFloatBE(42 + 12 * axis + 4 * r))); // mdc[axis][ras]
    const cRas = [0, 1, 2].map((r) => h.readFloatBE(78 + 4 * r));
    const ras = (ijk: number[]): V3 =>
      [0, 1, 2].map((r) => cRas[r] + [0, 1, 2].reduce((acc, a) => acc + mdc[a][r] * s[a] * (ijk[a] - dims[a] / 2), 0)) as V3;
    for (const ijk of [[0, 0, 0], [85, 0, 0], [10, 20, 30], [85, 85, 85]] as V3[]) {
      close(indexToLps(image, ijk), convertPoint(ras(ijk), 'RAS', 'LPS'), 1e-3, `${name} voxel ${ijk.join(',')}`);
    }
    if (name === 'aseg.mgz') {
      const labels = new Set(image.data);
      for (const label of [0, 2, 17, 41, 53]) assert.ok(labels.has(label), `aseg label ${label}`); // cortex WM, hippocampi
      assert.equal(labels.size, 46);
    }
  }
  // The same file named in capitals (ITK's MGH reader knows the suffix in lower case only): the same image.
  await withTempDir(async (dir) => {
    const caps = join(dir, 'T1.MGZ');
    await writeFile(caps, readFileSync(sharedPath('brain', 'mne-sample', 'T1.mgz')));
    const [a, b] = await Promise.all([readImage(caps), readImage(sharedPath('brain', 'mne-sample', 'T1.mgz'))]);
    assertSameImage(a, b, 'T1.MGZ');
  });
});

test('real TotalSegmentator example_seg.nii.gz: 122×101×30 voxels of 3 mm, 41 organ labels', { skip: needsSharedData() }, async () => {
  const image = await readImage(sharedPath('volumes', 'totalsegmentator', 'example_seg.nii.gz'));
  assert.deepEqual(image.size, [122, 101, 30]);
  close(image.spacingMm, [3, 3, 3], 1e-6, 'spacing');
  const labels = new Set(image.data);
  labels.delete(0);
  assert.equal(labels.size, 41);
});

test('64-bit integer NIfTI (nibabel’s default for label maps) becomes Int32Array, or Float64Array past 2³¹', async () => {
  await withTempDir(async (dir) => {
    const identity: [number[], number[], number[]] = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]];
    for (const [name, values, type] of [
      ['small.nii', [0n, 5n, -3n, 4n, 7n, 8n, 9n, 10n], Int32Array],
      ['large.nii', [0n, 5n, -3n, 2n ** 40n, 7n, 8n, 9n, 10n], Float64Array],
    ] as const) {
      const file = join(dir, name);
      const data = new Uint8Array(BigInt64Array.from(values).buffer);
      await writeFile(file, niftiBytes({ dims: [2, 2, 2], pixdim: [1, 1, 1], datatype: 1024, bitpix: 64, srow: identity, data }));
      const image = await readImage(file);
      assert.equal(image.componentType, 'int64');
      assert.equal(image.data.constructor, type);
      assert.deepEqual(Array.from(image.data), values.map(Number));
    }
  });
});

/** A NIfTI-2 file (540-byte header) of int16 voxels v(i, j, k) = i + 10 j + 100 k with an oblique sform, written by hand. */
function nifti2Bytes(size: V3, sform: number[][], little: boolean): Uint8Array {
  const n = size[0] * size[1] * size[2];
  const bytes = new Uint8Array(544 + 2 * n);
  const v = new DataView(bytes.buffer);
  v.setInt32(0, 540, little);
  bytes.set([0x6e, 0x2b, 0x32, 0x00, 0x0d, 0x0a, 0x1a, 0x0a], 4); // "n+2\0\r\n\032\n"
  v.setInt16(12, 4, little); // DT_INT16
  v.setInt16(14, 16, little);
  [3, ...size, 1, 1, 1, 1].forEach((d, k) => v.setBigInt64(16 + 8 * k, BigInt(d), little));
  [1, 1.5, 2, 2.5, 0, 0, 0, 0].forEach((p, k) => v.setFloat64(104 + 8 * k, p, little));
  v.setBigInt64(168, 544n, little);
  v.setFloat64(176, 1, little); // scl_slope
  v.setInt32(348, 2, little); // sform_code: aligned
  sform.forEach((row, r) => row.forEach((x, c) => v.setFloat64(400 + 32 * r + 8 * c, x, little)));
  v.setInt32(500, 2, little); // xyzt_units: mm
  for (let k = 0; k < size[2]; k++) for (let j = 0; j < size[1]; j++) for (let i = 0; i < size[0]; i++) v.setInt16(544 + 2 * (i + size[0] * (j + size[1] * k)), i + 10 * j + 100 * k, little);
  return bytes;
}

test('NIfTI-2 (either byte order, gzipped or not), which itk-wasm refuses, is read as the same image: voxels and sform geometry', async () => {
  const size: V3 = [5, 4, 3];
  // RAS sform: a rotation about z by 90° with spacings 1.5, 2, 2.5 and an origin.
  const sform = [
    [0, -2, 0, 12.5],
    [1.5, 0, 0, -30],
    [0, 0, 2.5, 40],
  ];
  const { gzipSync } = await import('node:zlib');
  await withTempDir(async (dir) => {
    for (const [name, little] of [['le.nii', true], ['be.nii', false], ['le.nii.gz', true]] as const) {
      const bytes = nifti2Bytes(size, sform, little);
      await writeFile(join(dir, name), name.endsWith('.gz') ? gzipSync(bytes) : bytes);
      const image = await readImage(join(dir, name));
      assert.deepEqual(image.size, size, name);
      for (const ijk of [[0, 0, 0], [4, 0, 0], [1, 3, 2], [4, 3, 2]] as V3[]) {
        const ras = sform.map((row) => row[0] * ijk[0] + row[1] * ijk[1] + row[2] * ijk[2] + row[3]) as V3;
        close(indexToLps(image, ijk), convertPoint(ras, 'RAS', 'LPS'), 1e-4, `${name} voxel ${ijk.join(',')}`);
        assert.equal(image.data[ijk[0] + size[0] * (ijk[1] + size[1] * ijk[2])], ijk[0] + 10 * ijk[1] + 100 * ijk[2], `${name} value at ${ijk.join(',')}`);
      }
    }
  });
});

test('gzip data under a plain .nii name (a renamed .nii.gz), which ITK reads only as .gz, is read by its content', async () => {
  const original = testImage('float');
  await withTempDir(async (dir) => {
    await writeImage(join(dir, 'image.nii.gz'), original);
    await writeFile(join(dir, 'renamed.nii'), await readFile(join(dir, 'image.nii.gz')));
    assertSameImage(await readImage(join(dir, 'renamed.nii')), original, 'gzip under .nii');
    // Broken content under that name is still refused, naming the file.
    await writeFile(join(dir, 'broken.nii'), (await readFile(join(dir, 'image.nii.gz'))).subarray(0, 40));
    await assert.rejects(readImage(join(dir, 'broken.nii')), (e: Error) => e.message.includes('broken.nii'));
    assert.deepEqual((await readdir(dir)).sort(), ['broken.nii', 'image.nii.gz', 'renamed.nii']);
  });
});
