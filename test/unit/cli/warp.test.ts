/**
 * `monge warp`: a registration applied to other files, checked against an analytic map. The field is the exact ITK
 * field T(y) = φ⁻¹(y) − y of an affine φ (moving → fixed) on an oblique grid, which trilinear interpolation
 * reproduces exactly, so points must land on φ(x) to the inversion's tolerance, and an image whose grey values are
 * a linear function f must come back as f ∘ φ⁻¹. Then a real registration's folder: warping its moving shape and
 * landmarks through the written field reproduces register's own warped.vtk and landmarks_warped.csv.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeDisplacementFieldImage } from '../../../core/field/export-displacement-field.ts';
import { GridDisplacement } from '../../../core/field/grid-displacement.ts';
import { gridPointsLps } from '../../../core/field/grid.ts';
import type { ImageLps } from '../../../core/image/index.ts';
import { readImage } from '../../../core/io/images/read-image.ts';
import { writeImage } from '../../../core/io/images/write-image.ts';
import { readShape, writeShape } from '../../../core/io/index.ts';
import { affineFieldFolder, FIELD_GRID, fieldGridCentre, maxPointError, PHI, phi } from '../../support/affine-field.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { runMonge, writeSyntheticPairs } from '../../integration/batch/support.ts';
import { imageFrom, type Vec3 } from '../shape/synthetic.ts';
import { ellipsoidMesh } from '../synth/shapes.ts';

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

test('warp: points and meshes go to φ(x), back with --inverse; points outside the field are counted and left', async (t) => {
  const dir = await tempDir(t, 'warp');
  const folder = await affineFieldFolder(dir);
  // Moving points whose images lie well inside the grid, and one far outside it.
  const centre = fieldGridCentre();
  const fixedPts = [...Array.from({ length: 20 }, (_, k) => [centre[0] + 12 * Math.cos(k), centre[1] + 10 * Math.sin(1.3 * k), centre[2] + 8 * Math.cos(0.7 * k)]), [400, 400, 400]];
  // x = φ⁻¹(y), which the affine map gives exactly.
  const movingLps = Float64Array.from((await PHI.evaluateInverse(Float64Array.from(fixedPts.flat()))).displacementsLps.map((u, i) => fixedPts.flat()[i] + u));
  // x of the far point: outside the field T is 0, so warp leaves it where it is.
  movingLps.set([400, 400, 400], 60);
  const csv = ['name,x,y,z', ...Array.from({ length: 21 }, (_, k) => `p${k},${movingLps[3 * k]},${movingLps[3 * k + 1]},${movingLps[3 * k + 2]}`)].join('\n') + '\n';
  await writeFile(join(dir, 'moving.csv'), csv);
  const before = sha(join(dir, 'moving.csv'));

  const r = await runMonge(['warp', join(dir, 'moving.csv'), '--field', folder, '-o', join(dir, 'fixed.csv'), '--json']);
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as { kind: string; direction: string; count: number; outsideField: number; field: string; unconverged: number };
  assert.deepEqual([summary.kind, summary.direction, summary.count, summary.outsideField, summary.unconverged], ['points', 'moving-to-fixed', 21, 1, 0]);
  assert.equal(summary.field, join(folder, 'field.nii.gz'));
  assert.match(r.stderr, /1 of 21 points lie outside the field's grid/);
  assert.equal(sha(join(dir, 'moving.csv')), before, 'input unchanged');
  const warped = await readShape(join(dir, 'fixed.csv'));
  assert.deepEqual(warped.labels, Array.from({ length: 21 }, (_, k) => `p${k}`), 'a point file keeps its labels');
  assert.equal(warped.arrays.length, 0, 'and gains no columns');
  const expected = Float64Array.from([...fixedPts.slice(0, 20).flat(), 400, 400, 400]);
  const err = maxPointError(warped.pointsLps, expected);
  t.diagnostic(`moving → fixed: ${err.toExponential(2)} mm from φ(x)`);
  assert.ok(err < 1e-3, `${err} mm`);

  // --inverse: fixed → moving is the field's own lookup, exact for an affine field.
  const back = await runMonge(['warp', join(dir, 'fixed.csv'), '--field', join(folder, 'field.nii.gz'), '--inverse', '-o', join(dir, 'back.csv')]);
  assert.equal(back.code, 0, back.stderr);
  const errBack = maxPointError((await readShape(join(dir, 'back.csv'))).pointsLps, movingLps);
  assert.ok(errBack < 1e-3, `${errBack} mm`);

  // A mesh gains the displacement array φ(x) − x, in the output's frame.
  const mesh = ellipsoidMesh(10, 8, 6, [centre[0] - 3, centre[1] + 2, centre[2]], 8, 12);
  await writeShape(join(dir, 'moving.vtk'), { kind: 'mesh', pointsLps: mesh.pointsLps, triangles: mesh.triangles, arrays: [], sourceFrame: 'LPS' });
  const m = await runMonge(['warp', join(dir, 'moving.vtk'), '--field', folder, '-o', join(dir, 'warped.vtk')]);
  assert.equal(m.code, 0, m.stderr);
  const wm = await readShape(join(dir, 'warped.vtk'));
  const phiMesh = Float64Array.from(Array.from({ length: mesh.pointsLps.length / 3 }, (_, i) => phi(mesh.pointsLps.subarray(3 * i, 3 * i + 3))).flat());
  assert.ok(maxPointError(wm.pointsLps, phiMesh) < 1e-3);
  assert.deepEqual(Array.from(wm.triangles ?? []), Array.from(mesh.triangles));
  const disp = wm.arrays.find((a) => a.name === 'displacement');
  assert.ok(disp, 'displacement array');
  assert.ok(maxPointError(disp.values, phiMesh.map((v, i) => v - mesh.pointsLps[i])) < 1e-3);
});

test('warp: a CSV keeps its lines, columns, text and frame line, only its point set moved (--prefix: P_x, P_y, P_z)', async (t) => {
  const dir = await tempDir(t, 'warp-csv');
  const folder = await affineFieldFolder(dir);
  const centre = fieldGridCentre();
  const fixedPts = Array.from({ length: 6 }, (_, k) => [centre[0] + 9 * Math.cos(k), centre[1] + 7 * Math.sin(k), centre[2] + 5 * Math.cos(2 * k)]);
  const movingLps = (await PHI.evaluateInverse(Float64Array.from(fixedPts.flat()))).displacementsLps.map((u, i) => fixedPts.flat()[i] + u);
  const ras = (p: ArrayLike<number>, k: number) => [-p[3 * k], -p[3 * k + 1], p[3 * k + 2]];
  // The DIR-Lab layout: two point sets side by side, a trailing note on the header, and text the reader skips.
  const rows = movingLps.length / 3;
  const lines = [
    '# SPACE=RAS',
    '# written by hand',
    'id,insp_x_mm,insp_y_mm,insp_z_mm,exp_x_mm,exp_y_mm,exp_z_mm,note  (mm = index * spacing)',
    ...Array.from({ length: rows }, (_, k) => `${k + 1},1.5,2.5,${k},${ras(movingLps, k).join(',')},"left, upper lobe"`),
  ];
  await writeFile(join(dir, 'lm.csv'), lines.join('\n') + '\n');
  const r = await runMonge(['warp', join(dir, 'lm.csv'), '--prefix', 'exp', '--field', folder, '-o', join(dir, 'lm_warped.csv')]);
  assert.equal(r.code, 0, r.stderr);
  const out = readFileSync(join(dir, 'lm_warped.csv'), 'utf8').trimEnd().split('\n');
  assert.deepEqual(out.slice(0, 3), lines.slice(0, 3), 'frame line, comment and header as they were');
  assert.equal(out.length, lines.length);
  for (let k = 0; k < rows; k++) {
    const cells = out[3 + k].split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/);
    assert.deepEqual([...cells.slice(0, 4), cells[7]], [`${k + 1}`, '1.5', '2.5', `${k}`, '"left, upper lobe"'], `row ${k}: other columns kept`);
    const expected = ras(Float64Array.from(fixedPts.flat()), k);
    for (let a = 0; a < 3; a++) assert.ok(Math.abs(Number(cells[4 + a]) - expected[a]) < 1e-3, `row ${k}, exp axis ${a}: ${cells[4 + a]} vs ${expected[a]}`);
  }
  const back = await readShape(join(dir, 'lm_warped.csv'), { prefix: 'exp' });
  assert.ok(maxPointError(back.pointsLps, Float64Array.from(fixedPts.flat())) < 1e-3, 'read back with no frame given: not mirrored');

  // A plain CSV whose frame the user states (--landmarks-frame ras) stays plain: it is read back as it was read.
  await writeFile(join(dir, 'plain.csv'), ['x,y,z', ...Array.from({ length: rows }, (_, k) => ras(movingLps, k).join(','))].join('\n') + '\n');
  const p = await runMonge(['warp', join(dir, 'plain.csv'), '--landmarks-frame', 'ras', '--field', folder, '-o', join(dir, 'plain_warped.csv')]);
  assert.equal(p.code, 0, p.stderr);
  assert.equal(readFileSync(join(dir, 'plain_warped.csv'), 'utf8').split('\n')[0], 'x,y,z');
  assert.ok(maxPointError((await readShape(join(dir, 'plain_warped.csv'), { assumeFrame: 'RAS' })).pointsLps, Float64Array.from(fixedPts.flat())) < 1e-3);
  // Written in another frame than it was read in, it declares that frame.
  const l = await runMonge(['warp', join(dir, 'plain.csv'), '--landmarks-frame', 'ras', '--frame', 'lps', '--field', folder, '-o', join(dir, 'plain_lps.csv')]);
  assert.equal(l.code, 0, l.stderr);
  assert.ok(maxPointError((await readShape(join(dir, 'plain_lps.csv'))).pointsLps, Float64Array.from(fixedPts.flat())) < 1e-3);
});

test('warp: images are resampled as f ∘ φ⁻¹ (trilinear for grey values, nearest for labels), on the field grid or --reference', async (t) => {
  const dir = await tempDir(t, 'warp');
  const folder = await affineFieldFolder(dir);
  const centre = fieldGridCentre();
  // A grey image f(x) = 2 x_L − x_P + 0.5 x_S + 100 on a moving grid that covers φ⁻¹ of the whole field grid.
  const f = (p: ArrayLike<number>) => 2 * p[0] - p[1] + 0.5 * p[2] + 100;
  const grey = imageFrom([70, 70, 60], [1.5, 1.5, 1.5], Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), centre, f, Float32Array);
  await writeImage(join(dir, 'grey.nii.gz'), grey);
  const r = await runMonge(['warp', join(dir, 'grey.nii.gz'), '--field', folder, '-o', join(dir, 'grey-fixed.nii.gz'), '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { interpolation: string }).interpolation, 'linear');
  const out = await readImage(join(dir, 'grey-fixed.nii.gz'));
  assert.deepEqual(out.size, FIELD_GRID.size);
  const ys = gridPointsLps(out);
  const pre = (await PHI.evaluateInverse(ys)).displacementsLps;
  let worst = 0;
  for (let v = 0; v < out.data.length; v++) worst = Math.max(worst, Math.abs(out.data[v] - f([ys[3 * v] + pre[3 * v], ys[3 * v + 1] + pre[3 * v + 1], ys[3 * v + 2] + pre[3 * v + 2]])));
  t.diagnostic(`grey image: largest |out − f∘φ⁻¹| ${worst.toExponential(2)}`);
  assert.ok(worst < 1e-3, `${worst}`);

  // The same ramp stored as uint8 (an 8-bit grey image: integers, ≤ 256 values) is still grey: trilinear.
  const grey8 = imageFrom([70, 70, 60], [1.5, 1.5, 1.5], Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), centre, (p) => Math.max(0, Math.min(255, Math.round(f(p) - f(centre) + 128))), Uint8Array);
  assert.ok(new Set(grey8.data).size <= 256);
  await writeImage(join(dir, 'grey8.nii.gz'), grey8);
  const r8 = await runMonge(['warp', join(dir, 'grey8.nii.gz'), '--field', folder, '-o', join(dir, 'grey8-fixed.nii.gz'), '--json']);
  assert.equal(r8.code, 0, r8.stderr);
  assert.equal((JSON.parse(r8.stdout) as { interpolation: string }).interpolation, 'linear');

  // A label map: auto picks nearest, labels stay labels, and each label's centroid moves by φ.
  const labels = imageFrom([70, 70, 60], [1.5, 1.5, 1.5], Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), centre, (p) => (Math.hypot(p[0] - centre[0] - 8, p[1] - centre[1], p[2] - centre[2]) < 7 ? 2 : Math.hypot(p[0] - centre[0] + 8, p[1] - centre[1], p[2] - centre[2]) < 6 ? 5 : 0));
  await writeImage(join(dir, 'labels.nii.gz'), labels);
  const reference = imageFrom([50, 50, 40], [1, 1, 1], Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), phi(centre) as Vec3, () => 0);
  await writeImage(join(dir, 'reference.nii.gz'), reference);
  const l = await runMonge(['warp', join(dir, 'labels.nii.gz'), '--field', folder, '--reference', join(dir, 'reference.nii.gz'), '-o', join(dir, 'labels-fixed.nrrd'), '--json']);
  assert.equal(l.code, 0, l.stderr);
  assert.equal((JSON.parse(l.stdout) as { interpolation: string }).interpolation, 'nearest');
  const lf = await readImage(join(dir, 'labels-fixed.nrrd'));
  assert.deepEqual(lf.size, reference.size);
  for (let a = 0; a < 3; a++) assert.ok(Math.abs(lf.spacingMm[a] - reference.spacingMm[a]) < 1e-6 && Math.abs(lf.originLps[a] - reference.originLps[a]) < 1e-4, 'the reference grid');
  assert.deepEqual([...new Set(lf.data)].sort(), [0, 2, 5]);
  const centroid = (image: ImageLps, label: number) => {
    const p = gridPointsLps(image);
    const c = [0, 0, 0];
    let n = 0;
    for (let v = 0; v < image.data.length; v++) {
      if (image.data[v] !== label) continue;
      n++;
      for (let a = 0; a < 3; a++) c[a] += p[3 * v + a];
    }
    return c.map((x) => x / n);
  };
  for (const label of [2, 5]) {
    const moved = phi(centroid(labels, label));
    const got = centroid(lf, label);
    assert.ok(Math.hypot(moved[0] - got[0], moved[1] - got[1], moved[2] - got[2]) < 0.5, `label ${label}: ${got} vs ${moved}`);
  }

  // --inverse brings the warped labels back onto the moving grid (given as --reference): almost every voxel agrees.
  const back = await runMonge(['warp', join(dir, 'labels-fixed.nrrd'), '--field', folder, '--inverse', '--reference', join(dir, 'labels.nii.gz'), '-o', join(dir, 'labels-back.nii.gz')]);
  assert.equal(back.code, 0, back.stderr);
  const lb = await readImage(join(dir, 'labels-back.nii.gz'));
  let inside = 0;
  let agree = 0;
  for (let v = 0; v < lb.data.length; v++) {
    if (labels.data[v] === 0 && lb.data[v] === 0) continue;
    inside++;
    if (labels.data[v] === lb.data[v]) agree++;
  }
  assert.ok(agree / inside > 0.9, `${agree} / ${inside}`);
});

test('warp: bad fields and mismatched outputs fail clearly and write nothing', async (t) => {
  const dir = await tempDir(t, 'warp');
  const folder = await affineFieldFolder(dir);
  await writeFile(join(dir, 'p.csv'), 'x,y,z\n0,0,0\n');
  const mask = imageFrom([8, 8, 8], [1, 1, 1], Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), [0, 0, 0], () => 1);
  await writeImage(join(dir, 'mask.nii.gz'), mask);
  const before = await readdir(dir);

  const empty = join(dir, 'empty');
  await mkdir(empty);
  const noField = await runMonge(['warp', join(dir, 'p.csv'), '--field', empty, '-o', join(dir, 'o.csv')]);
  assert.equal(noField.code, 3);
  assert.match(noField.stderr, /empty: holds no field\.nii\.gz/);
  const scalar = await runMonge(['warp', join(dir, 'p.csv'), '--field', join(dir, 'mask.nii.gz'), '-o', join(dir, 'o.csv')]);
  assert.equal(scalar.code, 3);
  assert.match(scalar.stderr, /mask\.nii\.gz: is not a displacement field: 1 component/);
  const missing = await runMonge(['warp', join(dir, 'nope.csv'), '--field', folder, '-o', join(dir, 'o.csv')]);
  assert.equal(missing.code, 3);
  assert.match(missing.stderr, /nope\.csv/);

  for (const args of [
    ['warp', join(dir, 'p.csv'), '-o', join(dir, 'o.csv')],
    ['warp', join(dir, 'p.csv'), '--field', folder, '-o', join(dir, 'o.nii.gz')],
    ['warp', join(dir, 'mask.nii.gz'), '--field', folder, '-o', join(dir, 'o.vtk')],
    ['warp', join(dir, 'mask.nii.gz'), '--field', folder, '--inverse', '-o', join(dir, 'o.nii.gz')],
    ['warp', join(dir, 'mask.nii.gz'), '--field', folder, '--interpolation', 'cubic', '-o', join(dir, 'o.nii.gz')],
    // DIR-Lab text needs the CT's spacing, which warp is not given: refused before the work, saying what to do.
    ['warp', join(dir, 'p.csv'), '--field', folder, '-o', join(dir, 'o_300_xyz_r1.txt')],
  ]) {
    const r = await runMonge(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
  }
  await writeFile(join(dir, 'lm_300_eBH_xyz_r1.txt'), '10\t20\t30\n');
  const dirLabIn = await runMonge(['warp', join(dir, 'lm_300_eBH_xyz_r1.txt'), '--field', folder, '-o', join(dir, 'o.csv')]);
  assert.equal(dirLabIn.code, 3);
  assert.match(dirLabIn.stderr, /xyz_r1\.txt: .*convert the file to mm first: monge convert F\.txt F\.csv --spacing X,Y,Z/);
  await rm(join(dir, 'lm_300_eBH_xyz_r1.txt'));
  assert.deepEqual((await readdir(dir)).sort(), [...before, 'empty'].sort(), 'no output, no temporary file');

  // A field with one NaN vector (a foreign tool's failure) is refused, naming the voxel, not applied as 0 there.
  // (NRRD: ITK's NIfTI reader, like ANTs', hands NaN voxels back as 0, so a NIfTI field cannot show them.)
  const good = await readImage(join(folder, 'field.nii.gz'));
  const nanData = Float32Array.from(good.data);
  const [nx, ny] = good.size;
  nanData[3 * (2 + nx * (3 + ny * 4)) + 1] = Number.NaN;
  await writeImage(join(dir, 'nan.nrrd'), { ...good, data: nanData });
  const nan = await runMonge(['warp', join(dir, 'p.csv'), '--field', join(dir, 'nan.nrrd'), '-o', join(dir, 'o.csv')]);
  assert.equal(nan.code, 3);
  assert.match(nan.stderr, /nan\.nrrd: holds a non-finite vector \(NaN or infinite\) at voxel \(2, 3, 4\)/);
  // A run's inverse field says so in its header, and is not taken for T; T itself is.
  await writeDisplacementFieldImage(join(dir, 'inverse_field.nrrd'), good, { inverse: true });
  await writeDisplacementFieldImage(join(dir, 'field.nrrd'), good);
  const inverse = await runMonge(['warp', join(dir, 'p.csv'), '--field', join(dir, 'inverse_field.nrrd'), '-o', join(dir, 'o.csv')]);
  assert.equal(inverse.code, 3);
  assert.match(inverse.stderr, /inverse_field\.nrrd: is the inverse field of a `monge register` run/);
  assert.ok(!existsSync(join(dir, 'o.csv')));
  const forward = await runMonge(['warp', join(dir, 'p.csv'), '--field', join(dir, 'field.nrrd'), '-o', join(dir, 'o.csv')]);
  assert.equal(forward.code, 0, forward.stderr);
  // NIfTI (the default field format) says it in its 80-byte descrip, which FSL's fslhd and nibabel show too.
  await writeDisplacementFieldImage(join(dir, 'inverse_field.nii.gz'), good, { inverse: true });
  const descrip = (await readImage(join(dir, 'inverse_field.nii.gz'))).metadata.descrip;
  assert.equal(descrip, 'monge inverse field: moving point + vector = fixed point (LPS mm)');
  const inverseNifti = await runMonge(['warp', join(dir, 'p.csv'), '--field', join(dir, 'inverse_field.nii.gz'), '-o', join(dir, 'o2.csv')]);
  assert.equal(inverseNifti.code, 3);
  assert.match(inverseNifti.stderr, /inverse_field\.nii\.gz: is the inverse field of a `monge register` run/);
  assert.ok(!existsSync(join(dir, 'o2.csv')));
  assert.equal((await readImage(join(folder, 'field.nii.gz'))).metadata.descrip, 'monge field, ITK convention: fixed point + vector = moving point (LPS mm)');
  // An image the field does not belong to (a scan a metre away): the output is all 0, and warp says so.
  await writeImage(join(dir, 'far.nii.gz'), { ...mask, originLps: [1000, 1000, 1000] });
  const far = await runMonge(['warp', join(dir, 'far.nii.gz'), '--field', folder, '-o', join(dir, 'far-w.nii.gz')]);
  assert.equal(far.code, 0, far.stderr);
  assert.match(far.stderr, /warning: every one of the \d+ output voxels maps outside the input image, so the output is all 0/);
  assert.ok((await readImage(join(dir, 'far-w.nii.gz'))).data.every((v) => v === 0));
  const near = await runMonge(['warp', join(dir, 'mask.nii.gz'), '--field', folder, '-o', join(dir, 'near-w.nii.gz')]);
  assert.equal(near.code, 0, near.stderr);
  assert.doesNotMatch(near.stderr, /maps outside the input image/);
});

test('warp through a register folder reproduces its warped shape and landmarks (field vs point warp ≤ 0.1 mm); its inverse field', async (t) => {
  const dir = await tempDir(t, 'warp');
  await writeSyntheticPairs(dir, 1);
  const out = join(dir, 'registered');
  const reg = await runMonge(['register', join(dir, 'm0.vtk'), join(dir, 'f0.vtk'), '-o', out, '--preset', 'lung', '--steps', 'prealign,finetune', '--field-spacing', '2', '--inverse-field', '--moving-landmarks', join(dir, 'lm0.csv'), '--fixed-landmarks', join(dir, 'lf0.csv')]);
  assert.equal(reg.code, 0, reg.stderr);
  const w = await runMonge(['warp', join(dir, 'm0.vtk'), '--field', out, '-o', join(dir, 'w.vtk')]);
  assert.equal(w.code, 0, w.stderr);
  const ours = await readShape(join(dir, 'w.vtk'));
  const theirs = await readShape(join(out, 'warped.vtk'));
  const meshErr = maxPointError(ours.pointsLps, theirs.pointsLps);
  const lm = await runMonge(['warp', join(dir, 'lm0.csv'), '--field', out, '-o', join(dir, 'lw.csv')]);
  assert.equal(lm.code, 0, lm.stderr);
  const lmErr = maxPointError((await readShape(join(dir, 'lw.csv'))).pointsLps, (await readShape(join(out, 'landmarks_warped.csv'))).pointsLps);
  t.diagnostic(`through field.nii.gz vs register's own warp: mesh ${meshErr.toFixed(4)} mm, landmarks ${lmErr.toFixed(4)} mm`);
  assert.ok(meshErr <= 0.1 && lmErr <= 0.1, `${meshErr} / ${lmErr} mm`);

  // --inverse-field: φ − id on a grid around the moving shape; looked up at the moving vertices it gives register's
  // warped shape, and the forward field takes the result back (ITK's two conventions, one for each direction).
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { inverseField: { file: string; grid: { source: string } } };
  assert.deepEqual([report.inverseField.file, report.inverseField.grid.source], ['inverse_field.nii.gz', 'moving shape box']);
  const inverseField = await readImage(join(out, 'inverse_field.nii.gz'));
  const field = await readImage(join(out, 'field.nii.gz'));
  const moving = (await readShape(join(dir, 'm0.vtk'))).pointsLps;
  const forward = new GridDisplacement(inverseField).sample(moving);
  const mapped = moving.map((v, i) => v + forward[i]);
  const inverseErr = maxPointError(mapped, theirs.pointsLps);
  const back = new GridDisplacement(field).sample(mapped);
  const roundTrip = maxPointError(mapped.map((v, i) => v + back[i]), moving);
  t.diagnostic(`inverse field vs register's warp ${inverseErr.toFixed(4)} mm; round trip through both fields ${roundTrip.toFixed(4)} mm`);
  assert.ok(inverseErr <= 0.1 && roundTrip <= 0.1, `${inverseErr} / ${roundTrip} mm`);

  // A fixed-space label image taken into the moving space: through the inverse field on its own grid by default, and
  // the same labels as the field inverted voxel by voxel on that grid.
  const c = [0, 1, 2].map((a) => theirs.pointsLps.filter((_, i) => i % 3 === a).reduce((s, v) => s + v, 0) / (theirs.pointsLps.length / 3));
  const ball = imageFrom([60, 44, 34], [2, 2, 2], Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), c as Vec3, (p) => (Math.hypot(p[0] - c[0], p[1] - c[1], p[2] - c[2]) < 25 ? 1 : 0));
  await writeImage(join(dir, 'ball.nii.gz'), ball);
  const viaInverse = await runMonge(['warp', join(dir, 'ball.nii.gz'), '--field', out, '--inverse', '-o', join(dir, 'ball-moving.nii.gz'), '--json']);
  assert.equal(viaInverse.code, 0, viaInverse.stderr);
  const summary = JSON.parse(viaInverse.stdout) as { field: string; unconverged: number };
  assert.deepEqual([summary.field, summary.unconverged], [join(out, 'inverse_field.nii.gz'), 0]);
  const viaPoints = await runMonge(['warp', join(dir, 'ball.nii.gz'), '--field', join(out, 'field.nii.gz'), '--inverse', '--reference', join(out, 'inverse_field.nii.gz'), '-o', join(dir, 'ball-moving-2.nii.gz')]);
  assert.equal(viaPoints.code, 0, viaPoints.stderr);
  const [a, b] = await Promise.all([readImage(join(dir, 'ball-moving.nii.gz')), readImage(join(dir, 'ball-moving-2.nii.gz'))]);
  assert.deepEqual(a.size, inverseField.size);
  let differ = 0;
  let ones = 0;
  for (let v = 0; v < a.data.length; v++) {
    if (a.data[v] !== b.data[v]) differ++;
    if (a.data[v] === 1) ones++;
  }
  assert.ok(ones > 1000 && differ / ones < 0.01, `${differ} voxels differ of ${ones} inside`);
});

test('register --apply writes other files through the field as monge warp does, checked before the pipeline runs', async (t) => {
  const dir = await tempDir(t, 'warp');
  await writeSyntheticPairs(dir, 1);
  const labels = imageFrom([50, 40, 34], [2.5, 2.5, 2.5], Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), [0, 0, 0], (p) => (Math.hypot(p[0] / 50, p[1] / 34, p[2] / 26) < 1 ? (p[0] > 0 ? 2 : 1) : 0));
  await writeImage(join(dir, 'lobes.nii.gz'), labels);
  const out = join(dir, 'registered');
  const common = [join(dir, 'm0.vtk'), join(dir, 'f0.vtk'), '--preset', 'lung', '--steps', 'prealign,finetune', '--field-spacing', '3'];
  // A missing file to apply fails at once, naming it, and leaves no folder.
  const missing = await runMonge(['register', ...common, '-o', out, '--apply', join(dir, 'lobes.nii.gz'), '--apply', join(dir, 'nope.vtk')]);
  assert.equal(missing.code, 3);
  assert.match(missing.stderr, /nope\.vtk: no such file or folder/);
  assert.doesNotMatch(missing.stderr, /prealign/);
  assert.deepEqual((await readdir(dir)).filter((n) => n.startsWith('registered')), []);

  const reg = await runMonge(['register', ...common, '-o', out, '--apply', join(dir, 'lobes.nii.gz'), '--apply', join(dir, 'lm0.csv'), '--json']);
  assert.equal(reg.code, 0, reg.stderr);
  assert.deepEqual((await readdir(join(out, 'applied'))).sort(), ['lm0_in_fixed.csv', 'lobes_in_fixed.nii.gz']);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { applied: { output: string; kind: string; interpolation?: string }[] };
  assert.deepEqual(report.applied.map((a) => [a.output, a.kind, a.interpolation]), [['applied/lobes_in_fixed.nii.gz', 'image', 'nearest'], ['applied/lm0_in_fixed.csv', 'points', undefined]]);
  // The same bytes as monge warp through the published folder.
  for (const [input, name] of [['lobes.nii.gz', 'lobes_in_fixed.nii.gz'], ['lm0.csv', 'lm0_in_fixed.csv']]) {
    const w = await runMonge(['warp', join(dir, input), '--field', out, '-o', join(dir, name)]);
    assert.equal(w.code, 0, w.stderr);
    assert.equal(sha(join(dir, name)), sha(join(out, 'applied', name)), name);
  }

  // A file that is there but cannot be read fails before the pipeline too.
  await writeFile(join(dir, 'broken.vtk'), '# vtk DataFile Version 3.0\nbroken\nASCII\nDATASET POLYDATA\nPOINTS 4 float\n1 2\n');
  const broken = await runMonge(['register', ...common, '-o', join(dir, 'registered-broken'), '--apply', join(dir, 'broken.vtk')]);
  assert.equal(broken.code, 3);
  assert.match(broken.stderr, /broken\.vtk/);
  assert.doesNotMatch(broken.stderr, /prealign/);
  assert.deepEqual((await readdir(dir)).filter((n) => n.startsWith('registered-broken')), []);

  // A plain CSV in RAS is read in --landmarks-frame's frame, as monge warp --landmarks-frame reads it: the same points
  // moved, written back in RAS (left plain, as it came), and no point reported beyond the field.
  const lps = await readShape(join(dir, 'lm0.csv'));
  const rasRows = Array.from({ length: lps.pointsLps.length / 3 }, (_, k) => `${-lps.pointsLps[3 * k]},${-lps.pointsLps[3 * k + 1]},${lps.pointsLps[3 * k + 2]}`);
  await writeFile(join(dir, 'lm0_ras.csv'), ['x,y,z', ...rasRows].join('\n') + '\n');
  const ras = await runMonge(['register', ...common, '-o', join(dir, 'registered-ras'), '--landmarks-frame', 'ras', '--apply', join(dir, 'lm0_ras.csv'), '--json']);
  assert.equal(ras.code, 0, ras.stderr);
  assert.doesNotMatch(ras.stderr, /outside the field's grid/);
  const carried = await readShape(join(dir, 'registered-ras', 'applied', 'lm0_ras_in_fixed.csv'), { assumeFrame: 'RAS' });
  assert.ok(maxPointError(carried.pointsLps, (await readShape(join(out, 'applied', 'lm0_in_fixed.csv'))).pointsLps) < 1e-9, 'the same points as from the LPS file');
  const w = await runMonge(['warp', join(dir, 'lm0_ras.csv'), '--landmarks-frame', 'ras', '--field', join(dir, 'registered-ras'), '-o', join(dir, 'lm0_ras_w.csv')]);
  assert.equal(w.code, 0, w.stderr);
  assert.equal(sha(join(dir, 'lm0_ras_w.csv')), sha(join(dir, 'registered-ras', 'applied', 'lm0_ras_in_fixed.csv')));

  // A CSV holding two point sets side by side (as DIR-Lab's mm CSV): --apply-prefix chooses the columns, as
  // monge warp --prefix does; without it the file is refused before the pipeline, naming the option.
  const rows = Array.from({ length: lps.pointsLps.length / 3 }, (_, k) => `${k},${lps.pointsLps[3 * k] + 1},0,0,${lps.pointsLps.slice(3 * k, 3 * k + 3).join(',')}`);
  await writeFile(join(dir, 'two.csv'), ['id,a_x,a_y,a_z,b_x,b_y,b_z', ...rows].join('\n') + '\n');
  const ambiguous = await runMonge(['register', ...common, '-o', join(dir, 'registered-two'), '--apply', join(dir, 'two.csv')]);
  assert.equal(ambiguous.code, 3);
  assert.match(ambiguous.stderr, /two\.csv.*--apply-prefix/);
  assert.doesNotMatch(ambiguous.stderr, /prealign/);
  const two = await runMonge(['register', ...common, '-o', join(dir, 'registered-two'), '--apply', join(dir, 'two.csv'), '--apply-prefix', 'b']);
  assert.equal(two.code, 0, two.stderr);
  const wTwo = await runMonge(['warp', join(dir, 'two.csv'), '--prefix', 'b', '--field', out, '-o', join(dir, 'two_w.csv')]);
  assert.equal(wTwo.code, 0, wTwo.stderr);
  assert.equal(sha(join(dir, 'two_w.csv')), sha(join(dir, 'registered-two', 'applied', 'two_in_fixed.csv')));
  const carriedB = await readShape(join(dir, 'registered-two', 'applied', 'two_in_fixed.csv'), { prefix: 'b' });
  assert.ok(maxPointError(carriedB.pointsLps, (await readShape(join(out, 'applied', 'lm0_in_fixed.csv'))).pointsLps) < 1e-9, 'the b columns are carried');
});
