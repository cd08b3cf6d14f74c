import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { indexToLps } from '../../../core/image/index.ts';
import { InputError } from '../../../core/io/errors.ts';
import { readImage } from '../../../core/io/images/read-image.ts';
import { dicomSliceBytes, writeDicomSeries, type DicomSeriesSpec } from '../../support/dicom-series.ts';

type V3 = [number, number, number];

const dir = await mkdtemp(join(tmpdir(), 'monge-dicom-'));
test.after(() => rm(dir, { recursive: true, force: true }));

// An oblique series: rows along (cos 30°, sin 30°, 0), columns tilted 20° out of the axial plane.
const a = Math.PI / 6;
const b = Math.PI / 9;
const row: V3 = [Math.cos(a), Math.sin(a), 0];
const column: V3 = [-Math.sin(a) * Math.cos(b), Math.cos(a) * Math.cos(b), Math.sin(b)];
const normal: V3 = [
  row[1] * column[2] - row[2] * column[1],
  row[2] * column[0] - row[0] * column[2],
  row[0] * column[1] - row[1] * column[0],
];
const first: V3 = [10, -20, 30];
const sliceGapMm = 2.5;
const spec: DicomSeriesSpec = {
  rows: 5,
  columns: 6,
  pixelSpacingMm: [0.7, 0.9],
  rowDirectionLps: row,
  columnDirectionLps: column,
  positionsLps: [0, 1, 2, 3].map((k) => first.map((p, i) => p + k * sliceGapMm * normal[i]) as V3),
  value: (s, r, c) => s * 100 + r * 6 + c - 50,
};

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

test('a DICOM series folder reads as one 3-D volume, slices sorted by position, with its oblique geometry', async () => {
  const folder = join(dir, 'series');
  await mkdir(folder);
  await writeDicomSeries(folder, spec, [2, 0, 3, 1]); // file names deliberately out of slice order
  await writeFile(join(folder, 'README.txt'), 'not a DICOM file, ignored');
  const image = await readImage(folder);
  assert.equal(image.format, 'dicom');
  assert.equal(image.componentType, 'int16');
  // Index axis 0 runs along a row (columns of the slice), axis 1 down the columns, axis 2 across slices.
  assert.deepEqual(image.size, [6, 5, 4]);
  close(image.spacingMm, [0.9, 0.7, sliceGapMm], 1e-5, 'spacing');
  close(image.originLps, first, 1e-5, 'origin');
  for (let c = 0; c < 3; c++) {
    const expected = [row, column, normal][c];
    close([image.directionLps[c], image.directionLps[3 + c], image.directionLps[6 + c]], expected, 1e-5, `direction axis ${c}`);
  }
  // Voxel (c, r, s) holds slice s's pixel (r, c), at ImagePositionPatient_s + c·Δc·row + r·Δr·column.
  for (const [c, r, s] of [[0, 0, 0], [5, 4, 3], [2, 3, 1]]) {
    assert.equal(image.data[c + 6 * (r + 5 * s)], spec.value(s, r, c));
    const expected = spec.positionsLps[s].map((p, i) => p + c * 0.9 * row[i] + r * 0.7 * column[i]);
    close(indexToLps(image, [c, r, s]), expected, 1e-4, `voxel ${c},${r},${s}`);
  }
});

test('a folder holding two DICOM series is refused as "unsupported"', async () => {
  const folder = join(dir, 'two-series');
  await mkdir(folder);
  for (let s = 0; s < 3; s++) await writeFile(join(folder, `a${s}`), dicomSliceBytes(spec, s, '1.2.826.0.1.3680043.9.7777.21'));
  for (let s = 0; s < 2; s++) await writeFile(join(folder, `b${s}`), dicomSliceBytes(spec, s, '1.2.826.0.1.3680043.9.7777.22'));
  await assert.rejects(readImage(folder), (e: unknown) => {
    assert.ok(e instanceof InputError);
    assert.equal(e.problem, 'unsupported');
    assert.match(e.message, /5 DICOM files but only 3/);
    return true;
  });
});

test('a series with a missing slice (positions 0, 2.5, 5, 10, 12.5 mm along the normal) is refused, naming the folder and the gap', async () => {
  const folder = join(dir, 'gap');
  await mkdir(folder);
  const gapSpec: DicomSeriesSpec = {
    ...spec,
    positionsLps: [0, 1, 2, 4, 5].map((k) => first.map((p, i) => p + k * sliceGapMm * normal[i]) as V3),
    value: (s, r, c) => s * 100 + r * 6 + c,
  };
  await writeDicomSeries(folder, gapSpec, [4, 2, 0, 3, 1]); // names out of order: the slices are ordered by position
  await assert.rejects(readImage(folder), (e: unknown) => {
    assert.ok(e instanceof InputError && e.problem === 'unsupported', String(e));
    assert.ok(e.message.startsWith(`${folder}: `), e.message);
    assert.match(e.message, /not evenly spaced: a gap of 5 mm between slices 3 and 4 .*where the others are 2\.5 mm apart: a slice is missing\?/);
    assert.match(e.message, /all 5 slices evenly \(3\.125 mm\)/);
    return true;
  });
});

test('a gantry-tilted series (each slice shifted 0.6 mm in-plane along the columns) is refused, naming the folder; 0.005 mm passes', async () => {
  const tilted = (shiftMm: number): DicomSeriesSpec => ({
    ...spec,
    positionsLps: [0, 1, 2, 3].map((k) => first.map((p, i) => p + k * sliceGapMm * normal[i] + k * shiftMm * column[i]) as V3),
  });
  const folder = join(dir, 'tilted');
  await mkdir(folder);
  await writeDicomSeries(folder, tilted(0.6), [3, 1, 0, 2]);
  await assert.rejects(readImage(folder), (e: unknown) => {
    assert.ok(e instanceof InputError && e.problem === 'unsupported', String(e));
    assert.ok(e.message.startsWith(`${folder}: `), e.message);
    // Slice 1 along the normal is file IM0002, slice 2 is IM0001 (the file order above).
    assert.match(e.message, /not stacked along their normal \(a gantry-tilted acquisition\?\): slice 2 \(IM0001\) is offset 0\.6 mm within the slice plane from slice 1 \(IM0002\), 2\.5 mm away/);
    assert.match(e.message, /sheared; resample .*dcm2niix/);
    return true;
  });
  const nearly = join(dir, 'nearly-straight');
  await mkdir(nearly);
  await writeDicomSeries(nearly, tilted(0.005));
  assert.deepEqual((await readImage(nearly)).size, [6, 5, 4]);
});

test('a series with a slice cut short is refused as "truncated", naming the file and the bytes it lacks', async () => {
  const folder = join(dir, 'cut-short');
  await mkdir(folder);
  const files = await writeDicomSeries(folder, spec);
  const whole = dicomSliceBytes(spec, 2);
  await writeFile(files[2], whole.subarray(0, whole.length - 10)); // pixel data: 5 × 6 × 2 = 60 bytes, 50 left
  await assert.rejects(readImage(folder), (e: unknown) => {
    assert.ok(e instanceof InputError && e.problem === 'truncated', String(e));
    assert.equal(e.file, files[2]);
    assert.match(e.message, new RegExp(`^${files[2]}: a slice of the DICOM series in ${folder} is cut short: its pixel data holds 50 bytes where its Rows × Columns × bytes per pixel make 60`));
    return true;
  });
});

test('a slice whose PixelSpacing differs from the rest of the series is refused, naming the file', async () => {
  const folder = join(dir, 'odd-spacing');
  await mkdir(folder);
  const files = await writeDicomSeries(folder, spec);
  await writeFile(files[1], dicomSliceBytes({ ...spec, pixelSpacingMm: [0.8, 0.9] }, 1));
  await assert.rejects(readImage(folder), (e: unknown) => {
    assert.ok(e instanceof InputError && e.problem === 'unsupported', String(e));
    assert.equal(e.file, files[1]);
    assert.match(e.message, new RegExp(`^${files[1]}: its PixelSpacing \\(0\\.8 × 0\\.9 mm\\) differs from the 0\\.7 × 0\\.9 mm of 3 other slice\\(s\\) of the DICOM series in ${folder}`));
    return true;
  });
});

test('a slice whose ImageOrientationPatient is turned 10° in its plane is refused, naming the file; cosines 5e-5 apart pass', async () => {
  // Slice 2 turned by 10° about the slice normal (Rodrigues' rotation of the row and column directions), at the
  // position it would have in the series: only its orientation differs.
  const turn = (v: V3, degrees: number): V3 => {
    const t = (degrees * Math.PI) / 180;
    const k = normal;
    const kxv: V3 = [k[1] * v[2] - k[2] * v[1], k[2] * v[0] - k[0] * v[2], k[0] * v[1] - k[1] * v[0]];
    const kv = k[0] * v[0] + k[1] * v[1] + k[2] * v[2];
    return v.map((x, i) => x * Math.cos(t) + kxv[i] * Math.sin(t) + k[i] * kv * (1 - Math.cos(t))) as V3;
  };
  const folder = join(dir, 'turned');
  await mkdir(folder);
  const files = await writeDicomSeries(folder, spec);
  const turnedRow = turn(row, 10);
  const turnedColumn = turn(column, 10);
  await writeFile(files[2], dicomSliceBytes({ ...spec, rowDirectionLps: turnedRow, columnDirectionLps: turnedColumn }, 2));
  // The cosines as the file stores them (DS, 6 decimals): the message quotes them.
  const ds = (v: number[]) => v.map((x) => String(Number(x.toFixed(6)))).join(' ');
  await assert.rejects(readImage(folder), (e: unknown) => {
    assert.ok(e instanceof InputError && e.problem === 'unsupported', String(e));
    assert.equal(e.file, files[2]);
    const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    assert.match(
      e.message,
      new RegExp(
        `^${escaped(files[2])}: its ImageOrientationPatient \\(${escaped(ds([...turnedRow, ...turnedColumn]))}\\) is turned 10° from the ` +
          `\\(${escaped(ds([...row, ...column]))}\\) of 3 other slice\\(s\\) of the DICOM series in ${escaped(folder)}`,
      ),
    );
    assert.match(e.message, /ITK reads every slice of a series in one orientation/);
    return true;
  });
  // Cosines 5e-5 off in one slice (GE data vary by ~1e-7; dcm2niix's tolerance is 1e-4) are the same orientation.
  const nearly = join(dir, 'nearly-same-orientation');
  await mkdir(nearly);
  const nearlyFiles = await writeDicomSeries(nearly, spec);
  await writeFile(nearlyFiles[1], dicomSliceBytes({ ...spec, rowDirectionLps: [row[0] + 5e-5, row[1], row[2]] }, 1));
  assert.deepEqual((await readImage(nearly)).size, [6, 5, 4]);
});
