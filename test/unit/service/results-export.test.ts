import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lpsToContinuousIndex } from '../../../core/image/index.ts';
import { readImage } from '../../../core/io/images/read-image.ts';
import { writeImage } from '../../../core/io/images/write-image.ts';
import { readShape, writeShape } from '../../../core/io/index.ts';
import { landmarkErrors } from '../../../core/metrics/landmark-error.ts';
import { exportResult } from '../../../main/service/export.ts';
import { RESULTS_FOLDER_ERROR } from '../../../main/service/api.ts';
import { isResultsFolder, readResultsFolder } from '../../../main/service/results-folder.ts';
import { MongeService } from '../../../main/service/service.ts';
import { encodeMessage } from '../../../main/service/wire-codec.ts';
import { needsSharedData } from '../../support/data.ts';
import { LUNG, writeBrainResults, writeLungResults, type LungFixture } from '../../e2e/support/results-fixture.ts';
import { tempDir } from '../../support/temp-dir.ts';

const skip = needsSharedData();
let root = '';
let lung: LungFixture;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'monge-results-'));
  if (!skip) lung = await writeLungResults(join(root, 'lung', 'out'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

test('results folder (lung, volume inputs): shapes, arrays, steps, landmarks, metrics and warped slices', { skip }, async () => {
  const r = await readResultsFolder(lung.dir);
  assert.deepEqual(r.warnings, []);
  assert.equal(r.warped.pointsLps.length, lung.warped.pointsLps.length);
  assert.deepEqual(r.warped.arrays.map((a) => a.name), ['displacement', 'confidence', 'surface_distance']);
  const displacement = r.warped.arrays[0];
  assert.equal(displacement.spatialVector, true);
  assert.deepEqual(displacement.values, lung.warped.arrays[0].values);
  // Distances of the warped shape to the fixed surface are ≥ 0 and below those of the unregistered moving shape.
  const mean = (v: Float32Array) => v.reduce((s, x) => s + x, 0) / v.length;
  const after = r.warped.arrays[2].values;
  const beforeDistances = r.moving?.arrays.find((a) => a.name === 'surface_distance')?.values;
  assert.ok(beforeDistances && mean(after) < mean(beforeDistances), `mean distance ${mean(after)} after vs ${beforeDistances && mean(beforeDistances)} before`);
  assert.deepEqual(r.steps.map((s) => s.step), ['prealign', 'net', 'finetune']);
  assert.equal(r.fieldFormat, 'nii.gz');
  assert.ok(r.files.includes('steps/net.vtk'));

  // Landmarks: 300 pairs; errors are the distances between warped and fixed ones.
  const fixedLm = r.landmarks.fixed?.pointsLps;
  const warpedLm = r.landmarks.warped?.pointsLps;
  assert.equal(fixedLm?.length, 900);
  assert.ok(fixedLm && warpedLm && r.landmarks.errorsMm);
  const warpedFile = await readShape(join(lung.dir, 'landmarks_warped.csv'));
  const fixedFile = await readShape(join(lung.dir, '..', 'inputs', 'fixed_landmarks.csv'));
  assert.deepEqual(r.landmarks.errorsMm, Float32Array.from(landmarkErrors(warpedFile.pointsLps, fixedFile.pointsLps)));

  // Metrics: the published copd1 initial TRE (Castillo et al. 2013: 26.33 mm) in the "before" column.
  const report = r.report;
  assert.ok(report);
  assert.deepEqual(report.columns, ['before', 'prealign', 'net', 'finetune']);
  const row = (key: string) => report.metrics.find((m) => m.key === key);
  assert.equal(row('tre.mean')?.unit, 'mm');
  assert.equal(row('tre.mean')?.label, 'TRE mean');
  assert.equal(Number(row('tre.mean')?.values[0]?.toFixed(2)), 26.33);
  assert.equal(row('tre.mean')?.values[3], lung.treAfterMm);
  assert.equal(row('jacobian.min')?.values[3], lung.jacobianMin);
  assert.equal(row('jacobian.foldingFraction')?.unit, '%');
  assert.deepEqual(row('time')?.values, [null, 0.8, 1.6, 4.2]);
  assert.equal(report.engine, 'cpu, 2 threads, wasm-simd');
  assert.equal(report.preset, 'lung');

  // Slices: the moving mask resampled through the field. Where the result is exactly 1 (or 0), the nearest moving
  // voxel at x + u(x), with u the analytic field, is 1 (or 0).
  assert.ok(r.slices?.warpedThroughField);
  const moving = await readImage(LUNG.movingMask);
  let checked = 0;
  for (const slice of r.slices.moving) {
    for (let i = 0; i < slice.values.length; i += 37) {
      const value = slice.values[i];
      if (value !== 0 && value !== 1) continue;
      const c = i % slice.width;
      const rr = Math.floor(i / slice.width);
      const p = [0, 1, 2].map((a) => slice.originLps[a] + c * slice.uStepLps[a] + rr * slice.vStepLps[a]);
      const u = lung.fieldAt(p);
      const ijk = lpsToContinuousIndex(moving, [p[0] + u[0], p[1] + u[1], p[2] + u[2]]).map(Math.round);
      if (ijk.some((x, a) => x < 0 || x >= moving.size[a])) continue;
      assert.equal(moving.data[(ijk[2] * moving.size[1] + ijk[1]) * moving.size[0] + ijk[0]], value);
      checked++;
    }
  }
  assert.ok(checked > 500, `${checked} pixels checked`);
});

test('results folder (brain, mesh inputs named by the report): the warped shape is the pial surface', { skip }, async () => {
  const { dir } = await writeBrainResults(join(root, 'brain'));
  const r = await readResultsFolder(dir);
  assert.deepEqual(r.warnings, []);
  assert.equal(r.moving?.pointsLps.length, 3 * 10242);
  assert.equal(r.fixed?.pointsLps.length, 3 * 10242);
  assert.deepEqual(r.steps.map((s) => s.step), ['prealign', 'finetune']);
  // White → pial displacement: mean 2.5 mm, max 6.9 mm (the shared data's README).
  const d = r.warped.arrays.find((a) => a.name === 'displacement');
  assert.ok(d);
  let sum = 0;
  for (let i = 0; i < d.values.length; i += 3) sum += Math.hypot(d.values[i], d.values[i + 1], d.values[i + 2]);
  assert.ok(Math.abs(sum / (d.values.length / 3) - 2.5) < 0.05, `mean ${sum / (d.values.length / 3)}`);
  assert.ok(Math.abs(d.range[1] - 6.9) < 0.05, `max ${d.range[1]}`);
  const distance = r.warped.arrays.find((a) => a.name === 'surface_distance');
  assert.ok(distance && distance.range[1] < 1e-3, 'the warped shape lies on the fixed one');
  assert.deepEqual(r.report?.columns, ['before', 'prealign', 'finetune', 'after']);
  // One triangulation (fsaverage5's) for the moving, step and warped shapes: one array object, sent once.
  assert.ok(r.moving && r.steps.every((s) => s.shape.triangles === r.warped.triangles) && r.moving.triangles === r.warped.triangles);
  assert.equal(r.warped.triangles.length, 3 * 20480);
  const unique = new Set([r.warped, r.moving, r.fixed, ...r.steps.map((s) => s.shape)].flatMap((s) => (s ? [s.pointsLps, s.triangles, ...s.arrays.map((a) => a.values)] : [])));
  const uniqueBytes = [...unique].reduce((sum, a) => sum + a.byteLength, 0);
  const frame = encodeMessage(r).length;
  assert.ok(frame >= uniqueBytes && frame < uniqueBytes + 200_000, `${frame} bytes for ${uniqueBytes} of distinct arrays`);
});

test('results folder: its report.json or warped shape opens the folder; opened as a shape, the folder is refused by name for the app to show it as results', { skip }, async () => {
  const { dir } = await writeBrainResults(join(root, 'brain-by-file'));
  const byReport = await readResultsFolder(join(dir, 'report.json'), { slices: false });
  assert.equal(byReport.dir, dir);
  assert.equal(byReport.warped.pointsLps.length, 3 * 10242);
  assert.equal((await readResultsFolder(join(dir, 'warped.gii'), { slices: false })).dir, dir);
  await assert.rejects(readResultsFolder(join(dir, 'steps', 'prealign.vtk')), /prealign\.vtk: is a file; open the output folder/);

  assert.equal(await isResultsFolder(dir), true);
  assert.equal(await isResultsFolder(join(dir, 'report.json')), false, 'a file is no folder');
  assert.equal(await isResultsFolder(join(dir, 'steps')), false, 'a folder of step shapes only');
  const service = new MongeService({ host: 'web' });
  await assert.rejects(service.openFile({ path: dir }), (error: Error & { file?: string }) => {
    assert.equal(error.name, RESULTS_FOLDER_ERROR);
    assert.equal(error.file, dir);
    assert.match(error.message, /is a Monge results folder, not a shape: open it with Open results/);
    return true;
  });
});

test('results folder: a missing folder or a folder without a warped shape is a clear error', async () => {
  await assert.rejects(readResultsFolder(join(root, 'nope')), /nope: no such folder/);
  const empty = join(root, 'empty');
  await mkdir(empty, { recursive: true });
  await writeFile(join(empty, 'report.json'), '{}');
  await assert.rejects(readResultsFolder(empty), /empty: has no warped shape \(warped\.<ext>\): not a `monge register` output folder/);
});

test('results folder: a report.json that is a named pipe or nests without end is a warning, never a hang or a stack overflow', { timeout: 30_000 }, async () => {
  const dir = join(root, 'odd-report');
  await mkdir(dir, { recursive: true });
  const tetrahedron = { kind: 'mesh' as const, pointsLps: Float64Array.from([0, 0, 0, 10, 0, 0, 0, 10, 0, 0, 0, 10]), triangles: Uint32Array.from([0, 2, 1, 0, 1, 3, 0, 3, 2, 1, 2, 3]), arrays: [], sourceFrame: 'LPS' as const };
  await writeShape(join(dir, 'warped.vtk'), tetrahedron);
  const report = join(dir, 'report.json');
  await writeFile(report, '['.repeat(20_000) + ']'.repeat(20_000));
  const deep = await readResultsFolder(dir, { slices: false });
  assert.ok(deep.warnings.some((w) => /^report\.json could not be read: it nests deeper than 64 levels/.test(w)), deep.warnings.join('; '));
  await rm(report);
  execFileSync('mkfifo', [report]);
  const piped = await readResultsFolder(dir, { slices: false });
  assert.ok(piped.warnings.some((w) => /report\.json: is not a regular file \(a pipe/.test(w)), piped.warnings.join('; '));
  assert.equal(piped.warped.pointsLps.length, 12);
  await assert.rejects(exportResult({ kind: 'report', resultsDir: dir }), /report\.json: is not a regular file/);
});

test('export: the field in its three formats, the warped mesh and landmarks, the report, a screenshot', { skip }, async () => {
  const out = join(root, 'exports');
  await mkdir(out, { recursive: true });
  // Field as stored: the same bytes; as NRRD and MetaImage: converted, with the same voxels and geometry.
  const asIs = await exportResult({ kind: 'field', resultsDir: lung.dir, format: 'nii.gz' });
  assert.equal(asIs.fileName, 'field.nii.gz');
  assert.deepEqual(asIs.bytes, new Uint8Array(await readFile(join(lung.dir, 'field.nii.gz'))));
  for (const format of ['nrrd', 'mha']) {
    const written = await exportResult({ kind: 'field', resultsDir: lung.dir, destination: join(out, `u.${format}`) });
    assert.equal(written.path, join(out, `u.${format}`));
    const image = await readImage(join(out, `u.${format}`));
    assert.equal(image.components, 3);
    assert.deepEqual(image.size, lung.field.size);
    assert.deepEqual(Float32Array.from(image.data), lung.field.data);
    for (let a = 0; a < 3; a++) assert.ok(Math.abs(image.spacingMm[a] - lung.field.spacingMm[a]) < 1e-4);
  }
  // Warped mesh as VTP: same points and arrays.
  await exportResult({ kind: 'warped-mesh', resultsDir: lung.dir, destination: join(out, 'warped.vtp') });
  const mesh = await readShape(join(out, 'warped.vtp'));
  assert.equal(mesh.pointsLps.length, lung.warped.pointsLps.length);
  for (let i = 0; i < mesh.pointsLps.length; i += 97) assert.ok(Math.abs(mesh.pointsLps[i] - lung.warped.pointsLps[i]) < 1e-4);
  assert.deepEqual(Float32Array.from(mesh.arrays.find((a) => a.name === 'displacement')?.values ?? []), lung.warped.arrays[0].values);
  // Warped landmarks as Slicer markups.
  await exportResult({ kind: 'warped-landmarks', resultsDir: lung.dir, destination: join(out, 'lm.fcsv') });
  const lm = await readShape(join(out, 'lm.fcsv'));
  const csv = await readShape(join(lung.dir, 'landmarks_warped.csv'));
  assert.equal(lm.pointsLps.length, 900);
  for (let i = 0; i < 900; i++) assert.ok(Math.abs(lm.pointsLps[i] - csv.pointsLps[i]) < 1e-3);
  // Report: the same bytes.
  const report = await exportResult({ kind: 'report', resultsDir: lung.dir });
  assert.deepEqual(report.bytes, new Uint8Array(await readFile(join(lung.dir, 'report.json'))));
  // Screenshot: only PNG bytes are accepted.
  const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
  await exportResult({ kind: 'screenshot', bytes: png, destination: join(out, 'shot.png') });
  assert.deepEqual(new Uint8Array(await readFile(join(out, 'shot.png'))), png);
  await assert.rejects(exportResult({ kind: 'screenshot', bytes: Uint8Array.from([1, 2, 3]) }), /not a PNG/);
  // Mismatched names and formats are refused.
  await assert.rejects(exportResult({ kind: 'field', resultsDir: lung.dir, format: 'vtk' }), /cannot be exported as \.vtk/);
  await assert.rejects(exportResult({ kind: 'warped-mesh', resultsDir: lung.dir, format: 'ply', destination: join(out, 'x.vtk') }), /must end in \.ply/);
  await assert.rejects(exportResult({ kind: 'warped-landmarks', resultsDir: join(root, 'brain') }), /holds no warped landmarks/);
});

test('export: a damaged field is refused by name in its own format too, and nothing is written', async (t) => {
  const dir = await tempDir(t, 'monge-export-damaged');
  const image = { size: [4, 4, 4] as [number, number, number], spacingMm: [2, 2, 2] as [number, number, number], originLps: [0, 0, 0] as [number, number, number], directionLps: Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1), components: 3, data: Float32Array.from({ length: 192 }, (_, i) => Math.sin(i)) };
  await writeImage(join(dir, 'field.nrrd'), image);
  const whole = await readFile(join(dir, 'field.nrrd'));
  await writeFile(join(dir, 'field.nrrd'), whole.subarray(0, whole.length - 100));
  for (const name of ['f.nrrd', 'f.mha']) {
    await assert.rejects(exportResult({ kind: 'field', resultsDir: dir, destination: join(dir, name) }), /field\.nrrd/);
  }
  assert.deepEqual((await readdir(dir)).sort(), ['field.nrrd']);
});

test('export: a run with Slicer markups landmarks exports its own landmarks_warped.fcsv (ids kept), never over it', async (t) => {
  const dir = await tempDir(t, 'monge-export-markups');
  await writeFile(join(dir, 'landmarks_warped.csv'), 'x,y,z\n1,2,3\n4,5,6\n');
  const fcsv = '# Markups fiducial file version = 4.11\n# CoordinateSystem = LPS\n# columns = id,x,y,z,ow,ox,oy,oz,vis,sel,lock,label,desc,associatedNodeID\nF_7,1,2,3,0,0,0,1,1,1,0,carina,,\nF_9,4,5,6,0,0,0,1,1,1,0,apex,,\n';
  await writeFile(join(dir, 'landmarks_warped.fcsv'), fcsv);
  await exportResult({ kind: 'warped-landmarks', resultsDir: dir, destination: join(dir, 'lm.fcsv') });
  assert.equal(await readFile(join(dir, 'lm.fcsv'), 'utf8'), fcsv);
  // Another markups format is made from the CSV, as for any run.
  await exportResult({ kind: 'warped-landmarks', resultsDir: dir, destination: join(dir, 'lm.mrk.json') });
  assert.deepEqual(Array.from((await readShape(join(dir, 'lm.mrk.json'))).pointsLps), [1, 2, 3, 4, 5, 6]);
  await assert.rejects(exportResult({ kind: 'warped-landmarks', resultsDir: dir, destination: join(dir, 'landmarks_warped.fcsv') }), /landmarks_warped\.fcsv is the input/);
  assert.equal(await readFile(join(dir, 'landmarks_warped.fcsv'), 'utf8'), fcsv);
});

test('export: warped landmarks of a RAS run in the DIR-Lab two-set layout become Slicer markups read in the run frame and prefix', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'monge-export-ras-'));
  try {
    // What register writes for DIR-Lab's CSV given with --landmarks-frame ras --moving-landmarks-prefix exp: the
    // file's layout, plain (no frame line), the exp_* columns moved into the fixed space; report.json says how to read it.
    const rows = [
      [1, 2, 3, 10.5, -20, 30],
      [4, 5, 6, 40, 50.25, -60],
    ];
    await writeFile(join(dir, 'landmarks_warped.csv'), ['insp_x_mm,insp_y_mm,insp_z_mm,exp_x_mm,exp_y_mm,exp_z_mm', ...rows.map((r) => r.join(','))].join('\n') + '\n');
    await writeFile(join(dir, 'report.json'), JSON.stringify({ settings: { landmarksFrame: 'RAS' }, inputs: { movingLandmarks: { path: 'lm.csv', prefix: 'exp' } } }));
    await exportResult({ kind: 'warped-landmarks', resultsDir: dir, destination: join(dir, 'lm.fcsv') });
    const lm = await readShape(join(dir, 'lm.fcsv'));
    assert.deepEqual(Array.from(lm.pointsLps), rows.flatMap((r) => [-r[3], -r[4], r[5]]).map((v) => v + 0), 'the exp_* points, RAS → LPS');
    // An export never writes over the files of the registration it reads (here as a CSV, over the CSV itself).
    const before = await readFile(join(dir, 'landmarks_warped.csv'), 'utf8');
    await assert.rejects(exportResult({ kind: 'warped-landmarks', resultsDir: dir, destination: join(dir, 'landmarks_warped.csv') }), /landmarks_warped\.csv is the input/);
    await assert.rejects(exportResult({ kind: 'report', resultsDir: dir, destination: join(dir, 'missing', 'r.json') }), /missing does not exist/);
    assert.equal(await readFile(join(dir, 'landmarks_warped.csv'), 'utf8'), before);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
