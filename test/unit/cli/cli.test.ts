/**
 * The `monge` command end to end, as a pipeline author runs it: a child process, JSON on stdout, messages on
 * stderr, exit codes 0 / 2 / 3, no partial outputs, inputs untouched.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchCommand } from '../../../core/cli/commands/batch.ts';
import { registerCommand } from '../../../core/cli/commands/register.ts';
import { indexToLps, type ImageLps } from '../../../core/image/index.ts';
import { writeImage } from '../../../core/io/images/write-image.ts';
import { readImage } from '../../../core/io/images/read-image.ts';
import { readMesh, writeMesh } from '../../../core/io/meshes/index.ts';
import { NEGATED_REGISTRATION_OPTIONS, REGISTRATION_OPTIONS } from '../../../core/options/index.ts';
import { connectedComponents, enclosedVolume, isClosed, mulberry32 } from '../../../core/shape/index.ts';
import { needsSharedData, sharedPath } from '../../support/data.ts';
import { monge, MONGE_BIN as BIN } from '../../support/monge-cli.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { reportError } from '../../../core/cli/main.ts';
import { icosphere } from '../metrics/meshes.ts';
import { imageFrom } from '../shape/synthetic.ts';
import { writeTranslatedPair } from './translated-pair.ts';

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');


/** An 8³ mask holding a 4³ cube in its middle. */
function cubeMask8(): ImageLps {
  return unitCube(8, Uint8Array.from({ length: 512 }, (_, i) => (i % 8 > 1 && i % 8 < 6 && (i >> 3) % 8 > 1 && (i >> 3) % 8 < 6 && i >> 6 > 1 && i >> 6 < 6 ? 1 : 0)));
}

/** An n³ image of 1 mm voxels at the origin, axes along LPS: the geometry these tests need none other of. */
function unitCube(n: number, data: Uint8Array | Float32Array, components = 1): ImageLps {
  return { size: [n, n, n], spacingMm: [1, 1, 1], originLps: [0, 0, 0], directionLps: Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1), components, data };
}

test('--help lists the commands and exits 0; no command is a usage error', () => {
  const help = monge('--help');
  assert.equal(help.code, 0);
  for (const c of ['info', 'convert', 'surface', 'landmarks-error']) assert.match(help.stdout, new RegExp(`\\b${c}\\b`));
  assert.equal(monge().code, 2);
  assert.equal(monge('frobnicate').code, 2);
  const sub = monge('surface', '--help');
  assert.equal(sub.code, 0);
  assert.match(sub.stdout, /--target-vertices/);
});

test('usage errors exit 2 and name the problem', () => {
  const r = monge('info', 'a', '--no-such-option');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no-such-option/);
  assert.equal(monge('info').code, 2);
  assert.equal(monge('landmarks-error', 'a.csv', 'b.csv', '--frame-a', 'xyz').code, 2);
});

test('an empty or blank number (--label \'\', --threshold \' \') is a usage error naming the option, not 0', async (t) => {
  const dir = await tempDir(t, 'cli');
  const mask = join(dir, 'labels.nii.gz');
  // Label 0 (the background) fills the image but a 2-voxel cube: taken as 0, --label '' made a surface of the background.
  await writeImage(mask, unitCube(6, Uint8Array.from({ length: 216 }, (_, i) => (i % 6 >= 2 && i % 6 < 4 && Math.floor(i / 6) % 6 >= 2 && Math.floor(i / 6) % 6 < 4 && Math.floor(i / 36) >= 2 && Math.floor(i / 36) < 4 ? 3 : 0))));
  for (const [option, value] of [['--label', ''], ['--threshold', ''], ['--threshold', '  '], ['--target-vertices', '']]) {
    const r = monge('surface', mask, '-o', join(dir, 's.vtk'), option, value);
    assert.equal(r.code, 2, `${option} '${value}': ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^monge surface: ${option}: the value is empty; give a number\n`));
  }
  const register = monge('register', mask, mask, '-o', join(dir, 'out'), '--label', '');
  assert.equal(register.code, 2, register.stderr);
  assert.match(register.stderr, /--label: the value is empty; give a number/);
  assert.deepEqual(readdirSync(dir), ['labels.nii.gz']);
});

test('bad input exits 3, names the file, and writes nothing', async (t) => {
  const dir = await tempDir(t, 'cli');
  const missing = monge('info', join(dir, 'nope.vtk'));
  assert.equal(missing.code, 3);
  assert.match(missing.stderr, /nope\.vtk/);

  const corrupt = join(dir, 'corrupt.stl');
  writeFileSync(corrupt, 'solid x\n facet normal 0 0 1\n outer loop\n vertex 0 0 nan\n');
  const before = sha(corrupt);
  const r = monge('convert', corrupt, join(dir, 'out.vtk'));
  assert.equal(r.code, 3);
  assert.match(r.stderr, /corrupt\.stl/);
  assert.equal(sha(corrupt), before, 'input unchanged');
  assert.deepEqual(readdirSync(dir).sort(), ['corrupt.stl'], 'no output, no temporary file left');

  const dirAsFile = monge('info', dir);
  assert.equal(dirAsFile.code, 3, dirAsFile.stderr);
});

test('an output that is an input, a folder, in a missing folder, or of a suffix not written for its kind: exit 2 before any work', async (t) => {
  const dir = await tempDir(t, 'cli-out');
  const csv = join(dir, 'in.csv');
  writeFileSync(csv, 'x,y,z\n1,2,3\n4,5,6\n7,8,10\n');
  const before = sha(csv);
  const ball = join(dir, 'ball.nii.gz');
  await writeImage(ball, imageFrom([12, 12, 12], [2, 2, 2], Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), [0, 0, 0], (p) => (Math.hypot(...p) < 8 ? 1 : 0)));
  const cases: [string[], RegExp][] = [
    [['convert', csv, csv], /in\.csv is the input .*never overwrites/],
    [['convert', csv, join(dir, '.', 'in.csv'), '--frame', 'ras'], /never overwrites/],
    [['convert', csv, join(dir, 'missing', 'out.csv')], /the folder .*missing does not exist/],
    [['convert', csv, dir], /is a folder/],
    [['convert', ball, join(dir, 'ball.mgz')], /an image is written as \.nii\.gz, \.nii, \.nrrd, \.mha/],
    [['surface', ball, '-o', join(dir, 'ball.nii')], /a mesh or point set is written as/],
    [['surface', ball, '-o', dir], /is a folder/],
    [['ot', csv, csv, '-o', csv], /never overwrites/],
    [['warp', ball, '--field', ball, '-o', join(dir, 'w.mgz')], /an image is written as/],
    [['warp', csv, '--field', ball, '-o', csv], /never overwrites/],
  ];
  for (const [args, message] of cases) {
    const r = monge(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, 'no stack trace');
  }
  assert.equal(sha(csv), before, 'the input is unchanged');
  assert.deepEqual(readdirSync(dir).sort(), ['ball.nii.gz', 'in.csv'], 'nothing written');
});

test('info prints the origin and axes (LPS) of an image; info and ot refuse a mesh with no points, naming it', async (t) => {
  const dir = await tempDir(t, 'cli-info');
  // Axes i → −x, j → +z, k → +y (LPS), centred on (10, −20, 30).
  const image = imageFrom([4, 3, 2], [1, 2, 3], Float64Array.from([-1, 0, 0, 0, 0, 1, 0, 1, 0]), [10, -20, 30], (p) => (p[0] > 8 ? 1 : 0));
  await writeImage(join(dir, 'oblique.nrrd'), image);
  const info = monge('info', join(dir, 'oblique.nrrd'));
  assert.equal(info.code, 0, info.stderr);
  assert.deepEqual(Array.from(image.originLps), [11.5, -21.5, 28]);
  assert.match(info.stdout, /origin {3}\(11\.500, -21\.500, 28\.000\) mm \(LPS\)/);
  assert.match(info.stdout, /axes {5}i \(-1\.0000, 0\.0000, 0\.0000\) {2}j \(0\.0000, 0\.0000, 1\.0000\) {2}k \(0\.0000, 1\.0000, 0\.0000\)/);
  const empty = join(dir, 'empty.vtk');
  writeFileSync(empty, '# vtk DataFile Version 3.0\nx\nASCII\nDATASET POLYDATA\nPOINTS 0 float\n');
  const e = monge('info', empty);
  assert.equal(e.code, 3, e.stderr);
  assert.match(e.stderr, /empty\.vtk: holds no points/);
  assert.doesNotMatch(e.stderr, /internal error/);
  const ot = monge('ot', empty, join(dir, 'oblique.nrrd'), '-o', join(dir, 'm.csv'));
  assert.equal(ot.code, 3, ot.stderr);
  assert.match(ot.stderr, /empty\.vtk: holds no points/);
  assert.doesNotMatch(ot.stderr, /internal error/);
});

test('info reports the frame a NRRD header declares (space: RAS as RAS), with the geometry in LPS as before', async (t) => {
  const dir = await tempDir(t, 'cli-nrrd-space');
  const nrrd = (space: string | undefined): Buffer => {
    const header = ['NRRD0004', 'type: uint8', 'dimension: 3', ...(space ? [`space: ${space}`] : ['space dimension: 3'])];
    header.push('sizes: 2 2 2', 'space directions: (1.5,0,0) (0,1.25,0) (0,0,2)', 'kinds: domain domain domain', 'encoding: raw', 'space origin: (10,20,30)', '');
    return Buffer.concat([Buffer.from(header.join('\n') + '\n', 'latin1'), Buffer.from([0, 1, 1, 0, 1, 0, 0, 1])]);
  };
  for (const [space, frame, origin] of [
    ['RAS', 'RAS', [-10, -20, 30]],
    ['right-anterior-superior', 'RAS', [-10, -20, 30]],
    ['left-posterior-superior', 'LPS', [10, 20, 30]],
    [undefined, 'LPS', [10, 20, 30]],
  ] as const) {
    const file = join(dir, `${space ?? 'none'}.nrrd`);
    writeFileSync(file, nrrd(space));
    const r = monge('info', '--json', file);
    assert.equal(r.code, 0, r.stderr);
    const info = JSON.parse(r.stdout) as { frame: string; image: { origin_lps: number[] } };
    assert.equal(info.frame, frame, `space: ${space}`);
    assert.deepEqual(info.image.origin_lps, origin, `space: ${space}: the geometry is ITK's, converted to LPS`);
  }
});

test('info and convert read one point set of a two-set CSV with --prefix, and say so when it is missing', async (t) => {
  const dir = await tempDir(t, 'cli-prefix');
  const csv = join(dir, 'pairs.csv');
  writeFileSync(csv, 'insp_x_mm,insp_y_mm,insp_z_mm,exp_x_mm,exp_y_mm,exp_z_mm\n1,2,3,10,20,30\n4,5,6,40,50,60\n');
  const without = monge('info', csv);
  assert.equal(without.code, 3);
  assert.match(without.stderr, /point sets 'insp', 'exp'.*--prefix insp/);
  const info = monge('info', csv, '--prefix', 'exp', '--json');
  assert.equal(info.code, 0, info.stderr);
  assert.deepEqual((JSON.parse(info.stdout) as { bounds_mm: number[] }).bounds_mm, [10, 40, 20, 50, 30, 60]);
  const out = join(dir, 'exp.fcsv');
  assert.equal(monge('convert', csv, out, '--prefix', 'exp').code, 0);
  const err = monge('landmarks-error', out, csv, '--prefix-b', 'exp', '--json');
  assert.equal(err.code, 0, err.stderr);
  assert.equal((JSON.parse(err.stdout) as { max: number }).max, 0);
});

test('surface -o OUT.txt (DIR-Lab text, which needs the CT spacing) is refused before the work, as warp refuses it', async (t) => {
  const dir = await tempDir(t, 'cli');
  const mask = join(dir, 'mask.nii.gz');
  await writeImage(mask, cubeMask8());
  const r = monge('surface', mask, '-o', join(dir, 'points.txt'));
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /points\.txt: DIR-Lab landmark text needs the CT's voxel spacing; write \.csv and convert it/);
  assert.doesNotMatch(r.stderr, /spacingMm/);
  assert.deepEqual(readdirSync(dir), ['mask.nii.gz']);
});

test('surface of an empty mask exits 3 with a clear reason and no output', async (t) => {
  const dir = await tempDir(t, 'cli');
  const mask = join(dir, 'empty.nii.gz');
  await writeImage(mask, unitCube(8, new Uint8Array(512)));
  const r = monge('surface', mask, '-o', join(dir, 's.vtk'));
  assert.equal(r.code, 3);
  assert.match(r.stderr, /empty\.nii\.gz.*no foreground/);
  assert.deepEqual(readdirSync(dir), ['empty.nii.gz']);
});

test('surface and ot refuse a 3-component image (a displacement field) with exit 3, naming the file, as register does', async (t) => {
  const dir = await tempDir(t, 'cli');
  const field = join(dir, 'field.nii.gz');
  const data = new Float32Array(3 * 512);
  for (let i = 0; i < data.length; i++) data[i] = (i % 7) - 2; // values a mask would have: 0 … 4
  await writeImage(field, unitCube(8, data, 3));
  for (const [args, words] of [
    [['surface', field, '-o', join(dir, 's.vtk')], 'a mask or label map has 1'],
    [['surface', field, '-o', join(dir, 's.vtk'), '--threshold', '1'], 'a label or threshold selects voxels of a scalar volume'],
    [['ot', field, field, '-o', join(dir, 'm.csv')], 'a mask or label map has 1'],
  ] as const) {
    const r = monge(...args);
    assert.equal(r.code, 3, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim(), `monge ${args[0]}: error: ${field}: has 3 components per voxel; ${words}`);
  }
  assert.deepEqual(readdirSync(dir), ['field.nii.gz']);
});

// Root reads and writes whatever the mode says: the check needs an ordinary user.
const asRoot = process.getuid?.() === 0;
test('an unreadable input exits 3 naming it and "permission denied"; an unwritable output folder exits 2 naming it', { skip: asRoot && 'root may read and write anything' }, async (t) => {
  const dir = await tempDir(t, 'cli-perm');
  const mask = join(dir, 'mask.nii.gz');
  await writeImage(mask, cubeMask8());
  const points = join(dir, 'points.csv');
  writeFileSync(points, 'x,y,z\n1,2,3\n');
  const locked = join(dir, 'locked');
  mkdirSync(locked);
  const unreadable = join(dir, 'unreadable.nii.gz');
  copyFileSync(mask, unreadable);
  chmodSync(unreadable, 0o000);
  chmodSync(points, 0o000);
  chmodSync(locked, 0o555);
  for (const [args, file] of [
    [['surface', unreadable, '-o', join(dir, 's.vtk')], unreadable],
    [['info', points], points],
  ] as const) {
    const r = monge(...args);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stderr.trim(), `monge ${args[0]}: error: ${file}: permission denied: this user may not read this file (see its owner and mode, ls -l)`);
  }
  const out = join(locked, 's.vtk');
  const r = monge('surface', mask, '-o', out);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`^monge surface: ${out}: cannot write in the folder ${locked} \\(permission denied\\)`));
  assert.deepEqual(readdirSync(locked), []);
});

test('no room for the output (refused half-way: file too large) is the user’s to mend: exit 2 naming the cause, no stack trace, no partial output', { skip: process.platform === 'win32' ? 'no ulimit on Windows' : false }, async (t) => {
  const dir = await tempDir(t, 'cli-internal');
  const input = join(dir, 'sphere.vtk');
  // 10242 vertices, 20480 triangles: about 0.4 MB of binary VTK, written here without a limit.
  const sphere = icosphere(5, 50);
  await writeMesh(input, { kind: 'mesh', pointsLps: sphere.pointsLps, triangles: sphere.triangles, arrays: [], sourceFrame: 'LPS' });
  // Under a 64-block file-size limit (32 or 64 KiB) the converted copy cannot be written: the kernel refuses the
  // write part-way with EFBIG, which no input or option of the user's explains.
  const r = spawnSync('/bin/sh', ['-c', 'ulimit -f 64 && exec "$0" "$@"', process.execPath, BIN, 'convert', input, join(dir, 'copy.vtk')], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stderr, 'monge convert: cannot write the output: the file would exceed the largest file this process may write (ulimit -f, or the file system) (EFBIG); nothing was left half-written\n');
  assert.equal(r.stdout, '');
  assert.deepEqual(readdirSync(dir), ['sphere.vtk'], 'no copy.vtk and no temporary file');
});

test('an error that is neither usage, input nor room (a bug) exits 1 as an internal error with its stack; a full disk exits 2', (t) => {
  const written: string[] = [];
  t.mock.method(process.stderr, 'write', (chunk: string) => written.push(String(chunk)) > 0);
  assert.equal(reportError('convert', new TypeError('cannot read properties of undefined')), 1);
  assert.match(written[0], /^monge convert: internal error: TypeError: cannot read properties of undefined\n\s+at /);
  const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', path: '/data/out/field.nii.gz' });
  assert.equal(reportError('register', full), 2);
  assert.equal(written[1], 'monge register: cannot write the output: the disk is full (ENOSPC): /data/out/field.nii.gz; nothing was left half-written\n');
});

test('info --json on fsaverage5 pial: the documented keys and real counts', { skip: needsSharedData() }, () => {
  const r = monge('info', sharedPath('brain/fsaverage5/pial_left.gii.gz'), '--json');
  assert.equal(r.code, 0, r.stderr);
  const info = JSON.parse(r.stdout);
  for (const key of ['format', 'kind', 'points', 'cells', 'bounds_mm', 'frame', 'arrays']) assert.ok(key in info, key);
  assert.equal(info.format, 'gifti');
  assert.equal(info.kind, 'mesh');
  assert.equal(info.points, 10242);
  assert.equal(info.cells, 20480);
  assert.equal(info.frame, 'RAS');
  // GIfTI is RAS; bounds_mm are LPS, so x and y are mirrored: the left hemisphere (RAS x < 0) has LPS x > 0.
  assert.equal(info.bounds_mm.length, 6);
  assert.ok(info.bounds_mm[0] > -5 && info.bounds_mm[1] < 80, `LPS x range ${info.bounds_mm.slice(0, 2)}`);
});

test('info --json on a NIfTI mask reports an image with its geometry', { skip: needsSharedData() }, () => {
  const r = monge('info', sharedPath('lung/dirlab-copd/copd1_exp_lungmask.nii.gz'), '--json');
  assert.equal(r.code, 0, r.stderr);
  const info = JSON.parse(r.stdout);
  assert.equal(info.kind, 'image');
  assert.equal(info.format, 'nifti');
  assert.deepEqual(info.image.size, [192, 192, 208]);
  assert.equal(info.points, 192 * 192 * 208);
});

test('convert keeps points, triangles and frame through VTK, PLY and back to GIfTI', { skip: needsSharedData() }, async (t) => {
  const dir = await tempDir(t, 'cli');
  const src = sharedPath('brain/fsaverage5/white_left.gii.gz');
  const before = sha(src);
  for (const out of ['w.vtk', 'w.ply', 'w.gii']) assert.equal(monge('convert', src, join(dir, out)).code, 0);
  assert.equal(sha(src), before);
  const original = await readMesh(src);
  for (const out of ['w.vtk', 'w.ply', 'w.gii']) {
    const back = await readMesh(join(dir, out));
    assert.equal(back.sourceFrame, 'RAS', out);
    assert.deepEqual(back.triangles, original.triangles, out);
    let maxDiff = 0;
    for (let i = 0; i < back.pointsLps.length; i++) maxDiff = Math.max(maxDiff, Math.abs(back.pointsLps[i] - original.pointsLps[i]));
    assert.ok(maxDiff < 1e-5, `${out}: ${maxDiff}`);
  }
});

test('landmarks-error --json reproduces the DIR-Lab copd1 initial TRE from both file types', { skip: needsSharedData() }, () => {
  const dir = sharedPath('lung/dirlab-copd');
  const txt = monge(
    'landmarks-error',
    join(dir, 'copd1_300_iBH_xyz_r1.txt'),
    join(dir, 'copd1_300_eBH_xyz_r1.txt'),
    '--spacing-a', '0.625,0.625,2.5',
    '--spacing-b', '0.625,0.625,2.5',
    '--json',
  );
  assert.equal(txt.code, 0, txt.stderr);
  const a = JSON.parse(txt.stdout);
  assert.deepEqual(Object.keys(a).sort(), ['max', 'mean', 'median', 'n', 'p90', 'std']);
  assert.equal(a.n, 300);
  assert.ok(Math.abs(a.mean - 26.33) <= 0.02, `${a.mean}`);
  const csv = join(dir, 'copd1_300_landmarks_mm.csv');
  const b = JSON.parse(monge('landmarks-error', csv, csv, '--prefix-a', 'insp', '--prefix-b', 'exp', '--json').stdout);
  assert.ok(Math.abs(b.mean - a.mean) < 1e-3);
});

test('surface of the copd1 mask: closed, both lungs enclosed, bounds within one voxel of the foreground', { skip: needsSharedData() }, async (t) => {
  const dir = await tempDir(t, 'cli');
  const maskPath = sharedPath('lung/dirlab-copd/copd1_exp_lungmask.nii.gz');
  const out = join(dir, 's.vtk');
  const r = monge('surface', maskPath, '-o', out, '--json');
  assert.equal(r.code, 0, r.stderr);
  const surface = await readMesh(out);
  assert.ok(surface.triangles);
  assert.ok(isClosed(surface.triangles), 'watertight');
  // The two lungs of this mask touch (one 6-connected foreground component), so the surface is one closed piece;
  // that it holds both lungs shows in its enclosed volume, which must match the foreground volume.
  assert.equal(connectedComponents(surface.triangles, surface.pointsLps.length / 3).count, 1);

  // Independent reference: the LPS bounds of the foreground voxel centres, through the image geometry.
  const mask = await readImage(maskPath);
  const ref = [Infinity, -Infinity, Infinity, -Infinity, Infinity, -Infinity];
  const [nx, ny, nz] = mask.size;
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        if (!mask.data[i + nx * (j + ny * k)]) continue;
        const p = indexToLps(mask, [i, j, k]);
        for (let c = 0; c < 3; c++) {
          ref[2 * c] = Math.min(ref[2 * c], p[c]);
          ref[2 * c + 1] = Math.max(ref[2 * c + 1], p[c]);
        }
      }
  let foreground = 0;
  for (let v = 0; v < mask.data.length; v++) if (mask.data[v]) foreground++;
  const voxelVolume = mask.spacingMm[0] * mask.spacingMm[1] * mask.spacingMm[2];
  const volume = enclosedVolume(surface.pointsLps, surface.triangles);
  assert.ok(Math.abs(volume / (foreground * voxelVolume) - 1) < 0.03, `enclosed ${volume} mm³ vs foreground ${foreground * voxelVolume} mm³`);

  const got = JSON.parse(r.stdout).bounds_mm as number[];
  for (let c = 0; c < 6; c++) {
    const voxel = mask.spacingMm[c >> 1];
    assert.ok(Math.abs(got[c] - ref[c]) <= voxel, `bound ${c}: ${got[c]} vs foreground ${ref[c]} (voxel ${voxel} mm)`);
  }
});

test('ot: a translated cloud is matched onto its copy; CSV columns and JSON keys as documented', async (t) => {
  const dir = await tempDir(t, 'cli');
  const { moving, fixed } = writeTranslatedPair(dir, 300);
  const out = join(dir, 'm.csv');
  const r = monge('ot', moving, fixed, '-o', out, '--blur', '0.5', '--engine', 'js', '--json');
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  for (const key of ['cost', 'iterations', 'marginal_error', 'seconds', 'n', 'm', 'engine', 'threads']) assert.ok(key in summary, key);
  assert.equal(summary.n, 300);
  assert.equal(summary.engine, 'js');
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(lines[0], 'x,y,z,matched_x,matched_y,matched_z,confidence');
  let worst = 0;
  for (const line of lines.slice(1)) {
    const [x, y, z, mx, my, mz, w] = line.split(',').map(Number);
    worst = Math.max(worst, Math.hypot(mx - x - 3, my - y + 2, mz - z - 1));
    assert.ok(Math.abs(w - 1) < 1e-2);
  }
  assert.ok(worst < 0.05 * 0.5 * 10, `worst match deviation ${worst} mm`);
  // Shapes in millimetres: no warning about their unit.
  assert.doesNotMatch(r.stderr, /warning/);
});

test('ot warns on stderr when the shapes span a few units, as shapes in metres do, naming their size', async (t) => {
  const dir = await tempDir(t, 'cli');
  // The test above's cloud and its shifted copy, in metres: about 0.1 m across.
  const cloud = (shift: readonly number[]) => Array.from({ length: 300 }, (_, i) => [40 * Math.sin(i * 1.3) + shift[0], 30 * Math.cos(i * 0.7) + shift[1], 20 * Math.sin(i * 0.31 + 1) + shift[2]].map((mm) => mm / 1000));
  const a = cloud([0, 0, 0]);
  const b = cloud([3, -2, 1]);
  writeFileSync(join(dir, 'a.csv'), ['x,y,z', ...a.map((p) => p.join(','))].join('\n'));
  writeFileSync(join(dir, 'b.csv'), ['x,y,z', ...b.map((p) => p.join(','))].join('\n'));
  const r = monge('ot', join(dir, 'a.csv'), join(dir, 'b.csv'), '-o', join(dir, 'm.csv'), '--blur', '0.0005', '--engine', 'js', '--json');
  assert.equal(r.code, 0, r.stderr);
  const warning = /^monge ot: warning: the shapes span only ([0-9.e+-]+) units; Monge expects millimetres \(were the points given in metres or normalised\?\)\. Scale them to mm, or set --blur and --reach in the same unit\.$/m.exec(r.stderr);
  assert.ok(warning, r.stderr);
  // The size it names: the diagonal of the box around both clouds.
  const all = [...a, ...b];
  const extent = [0, 1, 2].map((k) => Math.max(...all.map((p) => p[k])) - Math.min(...all.map((p) => p[k])));
  const diagonal = Math.hypot(extent[0], extent[1], extent[2]);
  assert.ok(Math.abs(Number(warning[1]) - diagonal) < 0.005 * diagonal, `${warning[1]} units named, the box's diagonal is ${diagonal}`);
  assert.ok(diagonal < 0.2, 'metres');
});

test('ot refuses a grey image (its voxels > 0 are no shape) with exit 3, naming the file and monge surface --threshold; a mask is taken', async (t) => {
  const dir = await tempDir(t, 'cli');
  // A noisy bright ball (about 100) in a noisy background (about 0): integer grey values, as a CT's.
  const rand = mulberry32(5);
  // Voxel centres at (i − 11.5) × 2 mm: the ball of radius 16 mm is 8 voxels round the grid's centre.
  const ball = (grey: boolean) =>
    imageFrom([24, 24, 24], [2, 2, 2], Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), [0, 0, 0], (p) => {
      const inside = Math.hypot(p[0], p[1], p[2]) < 16;
      return grey ? Math.round((inside ? 100 : 0) + 30 * (rand() - 0.5)) : inside ? 1 : 0;
    }, Float32Array);
  await writeImage(join(dir, 'grey.nii.gz'), ball(true));
  await writeImage(join(dir, 'mask.nii.gz'), ball(false));
  const refused = monge('ot', join(dir, 'grey.nii.gz'), join(dir, 'mask.nii.gz'), '-o', join(dir, 'm.csv'));
  assert.equal(refused.code, 3, refused.stderr);
  assert.match(refused.stderr, /grey\.nii\.gz: is a grey-level image .* not a mask or label map.*monge surface --threshold T/);
  const taken = monge('ot', join(dir, 'mask.nii.gz'), join(dir, 'mask.nii.gz'), '-o', join(dir, 'm.csv'), '--engine', 'js');
  assert.equal(taken.code, 0, taken.stderr);
  assert.deepEqual(readdirSync(dir).sort(), ['grey.nii.gz', 'm.csv', 'mask.nii.gz']);
});

test('surface refuses a grey image without --threshold or --label (exit 3, register\'s words), and takes it with --threshold', async (t) => {
  const dir = await tempDir(t, 'cli');
  const rand = mulberry32(7);
  // A noisy bright ball (about 100, radius 16 mm) in a noisy background (about 0): voxels > 0 are half the background.
  const grey = join(dir, 'grey.nii.gz');
  await writeImage(
    grey,
    imageFrom([24, 24, 24], [2, 2, 2], Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), [0, 0, 0], (p) => Math.round((Math.hypot(p[0], p[1], p[2]) < 16 ? 100 : 0) + 30 * (rand() - 0.5)), Float32Array),
  );
  const refused = monge('surface', grey, '-o', join(dir, 's.vtk'));
  assert.equal(refused.code, 3, refused.stderr);
  assert.match(refused.stderr, /^monge surface: error: .*grey\.nii\.gz: is a grey-level image \(values -15 … 115\), not a mask or label map, so which voxels make the shape is not clear: choose a threshold/);
  assert.doesNotMatch(refused.stderr, /internal error|\n\s+at /);
  const register = monge('register', grey, grey, '-o', join(dir, 'out'), '--steps', 'prealign');
  assert.equal(register.code, 3, register.stderr);
  assert.equal(refused.stderr.replace('monge surface', ''), register.stderr.replace('monge register', ''), 'the same words as register');
  assert.deepEqual(readdirSync(dir), ['grey.nii.gz']);
  const taken = monge('surface', grey, '-o', join(dir, 's.vtk'), '--threshold', '50', '--json');
  assert.equal(taken.code, 0, taken.stderr);
  // The ball of radius 16 mm: its surface spans about ±16 mm on each axis (voxel centres at (i − 11.5) × 2 mm).
  for (const v of (JSON.parse(taken.stdout) as { bounds_mm: number[] }).bounds_mm) assert.ok(Math.abs(Math.abs(v) - 16) < 2.5, `bound ${v}`);
});

test('register --help and batch --help name every registration option they take', () => {
  for (const command of [registerCommand, batchCommand]) {
    for (const name of [...Object.keys(REGISTRATION_OPTIONS), ...Object.keys(NEGATED_REGISTRATION_OPTIONS)]) assert.match(command.help, new RegExp(`--${name}\\b`), `monge ${command.name} --help does not name --${name}`);
  }
});
