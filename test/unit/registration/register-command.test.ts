import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerCommand } from '../../../core/cli/commands/register.ts';
import { EXIT } from '../../../core/cli/exit-codes.ts';
import { gridPointsLps } from '../../../core/field/grid.ts';
import { readImage } from '../../../core/io/images/read-image.ts';
import { writeImage } from '../../../core/io/images/write-image.ts';
import { readShape, writeShape } from '../../../core/io/index.ts';
import { UsageError } from '../../../core/options/index.ts';
import { scaleWarning, type PreparedInput } from '../../../core/registration/pipeline/inputs.ts';
import { applyBreathing, syntheticLungMask } from '../../../core/samples/index.ts';
import { boundsOf, extractSurface, mulberry32, type Shape } from '../../../core/shape/index.ts';
import { imageFrom } from '../shape/synthetic.ts';
import { blockAverage } from '../../../core/registration/clouds/mask-volume.ts';
import { closestPointOnTriangle } from '../../../core/metrics/closest-point-triangle.ts';
import { InputError } from '../../../core/io/errors.ts';
import { tempDir } from '../../support/temp-dir.ts';

/** A light synthetic lung surface (block-averaged mask) and its breathing image. */
function meshPair(): { moving: Shape; fixed: Shape } {
  const moving = extractSurface(blockAverage(syntheticLungMask(), 2), { threshold: 0.5, smoothIterations: 3 });
  return { moving, fixed: { ...moving, pointsLps: applyBreathing(moving.pointsLps), normalsLps: undefined, mass: undefined } };
}

/** An ITK affine transform file (AffineTransform_double_3_3) as its map, p ↦ M·(p − c) + c + t, read here by hand. */
function itkAffineOf(text: string): (p: ArrayLike<number>) => [number, number, number] {
  const values = (key: string) => text.split('\n').find((l) => l.startsWith(`${key}:`))!.slice(key.length + 1).trim().split(/\s+/).map(Number);
  assert.match(text, /^#Insight Transform File V1\.0\n/);
  assert.match(text, /\nTransform: AffineTransform_double_3_3\n/);
  const p = values('Parameters');
  const c = values('FixedParameters');
  assert.deepEqual([p.length, c.length], [12, 3]);
  return (x) => [0, 1, 2].map((r) => p[3 * r] * (x[0] - c[0]) + p[3 * r + 1] * (x[1] - c[1]) + p[3 * r + 2] * (x[2] - c[2]) + c[r] + p[9 + r]) as [number, number, number];
}

/**
 * The least-squares affine map x ↦ A·x + b taking points `from` onto `to` (interleaved xyz): the normal equations
 * of each output coordinate, solved by Gaussian elimination with partial pivoting. Returns A (3×3 row-major), b
 * and the largest residual.
 */
function fitAffine(from: Float64Array, to: Float64Array): { a: number[]; b: number[]; worstMm: number } {
  const normal = Array.from({ length: 4 }, () => new Array<number>(7).fill(0));
  for (let i = 0; i < from.length; i += 3) {
    const x = [from[i], from[i + 1], from[i + 2], 1];
    for (let r = 0; r < 4; r++) {
      for (let c = 0; c < 4; c++) normal[r][c] += x[r] * x[c];
      for (let k = 0; k < 3; k++) normal[r][4 + k] += x[r] * to[i + k];
    }
  }
  for (let col = 0; col < 4; col++) {
    let pivot = col;
    for (let r = col + 1; r < 4; r++) if (Math.abs(normal[r][col]) > Math.abs(normal[pivot][col])) pivot = r;
    [normal[col], normal[pivot]] = [normal[pivot], normal[col]];
    for (let r = 0; r < 4; r++) {
      if (r === col) continue;
      const f = normal[r][col] / normal[col][col];
      for (let c = col; c < 7; c++) normal[r][c] -= f * normal[col][c];
    }
  }
  // Row r of the reduced system holds the coefficient of input coordinate r (the 4th: the offset) for each output k.
  const coef = (r: number, k: number) => normal[r][4 + k] / normal[r][r];
  const a = [0, 1, 2].flatMap((k) => [coef(0, k), coef(1, k), coef(2, k)]);
  const b = [0, 1, 2].map((k) => coef(3, k));
  let worstMm = 0;
  for (let i = 0; i < from.length; i += 3) {
    const y = [0, 1, 2].map((k) => a[3 * k] * from[i] + a[3 * k + 1] * from[i + 1] + a[3 * k + 2] * from[i + 2] + b[k]);
    worstMm = Math.max(worstMm, Math.hypot(y[0] - to[i], y[1] - to[i + 1], y[2] - to[i + 2]));
  }
  return { a, b, worstMm };
}

/** Runs the command with stdout captured. */
async function run(argv: string[]): Promise<{ code: number; stdout: string }> {
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
    return true;
  }) as typeof process.stdout.write;
  try {
    const code = await registerCommand.run(argv);
    return { code, stdout: chunks.join('') };
  } finally {
    process.stdout.write = write;
  }
}

test('monge register: meshes in, the output folder and a JSON summary out', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'monge-register-cli-'));
  try {
    const { moving, fixed } = meshPair();
    await writeShape(join(dir, 'moving.vtk'), moving);
    await writeShape(join(dir, 'fixed.ply'), fixed);
    const out = join(dir, 'out');
    const { code, stdout } = await run([join(dir, 'moving.vtk'), join(dir, 'fixed.ply'), '-o', out, '--preset', 'lung', '--steps', 'prealign', '--field-format', 'mha', '--field-spacing', '6', '--json']);
    assert.equal(code, EXIT.ok);
    const summary = JSON.parse(stdout);
    assert.equal(summary.preset, 'lung');
    assert.deepEqual(summary.steps.map((s: { name: string }) => s.name), ['prealign']);
    assert.ok(summary.metrics.after.surfaceDistance.chamferMm < summary.metrics.before.surfaceDistance.chamferMm);
    // Same vertices on both sides: the vertex error against the known motion is reported.
    assert.ok(summary.metrics.after.vertexError.mean < 0.5 * summary.metrics.before.vertexError.mean);
    const files = await readdir(out);
    for (const f of ['warped.vtk', 'field.mha', 'transform.tfm', 'jacobian.nii.gz', 'report.json']) assert.ok(files.includes(f), f);
    assert.ok(!files.includes('moving_surface.vtk'), 'no extracted surfaces for mesh inputs');
    // The warped mesh carries Slicer's ModelToModelDistance arrays: at every vertex the distance to the fixed surface
    // (here against a brute-force search over every fixed triangle), and the same signed.
    const warped = await readShape(join(out, 'warped.vtk'));
    const absolute = warped.arrays.find((a) => a.name === 'Absolute')?.values;
    const signed = warped.arrays.find((a) => a.name === 'Signed')?.values;
    assert.ok(absolute && signed && absolute.length === warped.pointsLps.length / 3);
    const closest = new Float64Array(3);
    const tri = fixed.triangles!;
    for (let v = 0; v < absolute.length; v += 37) {
      const [x, y, z] = warped.pointsLps.subarray(3 * v, 3 * v + 3);
      let best = Infinity;
      for (let t = 0; t < tri.length; t += 3) {
        closestPointOnTriangle(x, y, z, fixed.pointsLps, tri[t], tri[t + 1], tri[t + 2], closest);
        best = Math.min(best, Math.hypot(closest[0] - x, closest[1] - y, closest[2] - z));
      }
      assert.ok(Math.abs(absolute[v] - best) < 1e-3 && Math.abs(Math.abs(signed[v]) - absolute[v]) < 1e-6, `vertex ${v}: ${absolute[v]} / ${signed[v]} vs ${best} mm`);
    }
    // A pre-alignment alone is one affine map φ(x) = A·x + b: warped.vtk is the moving vertices moved by it (the fit
    // of one to the other leaves nothing), and the other outputs follow from A and b alone.
    const movingBack = await readShape(join(dir, 'moving.vtk'));
    const fit = fitAffine(movingBack.pointsLps, warped.pointsLps);
    assert.ok(fit.worstMm < 1e-6, `warped.vtk is an affine image of moving.vtk to ${fit.worstMm} mm`);
    const a = fit.a;
    const detA = a[0] * (a[4] * a[8] - a[5] * a[7]) - a[1] * (a[3] * a[8] - a[5] * a[6]) + a[2] * (a[3] * a[7] - a[4] * a[6]);
    assert.ok(Math.abs(detA - 1) > 0.02, `the breathing motion changes volume (det A = ${detA}), so a Jacobian of 1 would not pass`);
    // transform.tfm (ITK's direction: fixed → moving) takes each warped vertex back onto its moving vertex.
    const toMoving = itkAffineOf(await readFile(join(out, 'transform.tfm'), 'utf8'));
    let worstBack = 0;
    for (let i = 0; i < warped.pointsLps.length; i += 3) {
      const x = toMoving(warped.pointsLps.subarray(i, i + 3));
      worstBack = Math.max(worstBack, Math.hypot(x[0] - movingBack.pointsLps[i], x[1] - movingBack.pointsLps[i + 1], x[2] - movingBack.pointsLps[i + 2]));
    }
    assert.ok(worstBack < 1e-6, `transform.tfm maps warped.vtk onto moving.vtk to ${worstBack} mm`);
    // field.mha, y + T(y) at every voxel centre, is the same map (float32 values); jacobian.nii.gz is det ∇φ = det A
    // at every voxel.
    const field = await readImage(join(out, 'field.mha'));
    const centres = gridPointsLps(field);
    let worstField = 0;
    for (let q = 0; q < centres.length; q += 3) {
      const x = toMoving(centres.subarray(q, q + 3));
      worstField = Math.max(worstField, Math.hypot(centres[q] + field.data[q] - x[0], centres[q + 1] + field.data[q + 1] - x[1], centres[q + 2] + field.data[q + 2] - x[2]));
    }
    assert.ok(worstField < 1e-4, `field.mha agrees with transform.tfm to ${worstField} mm`);
    const jacobian = await readImage(join(out, 'jacobian.nii.gz'));
    assert.deepEqual(jacobian.size, field.size);
    let worstDet = 0;
    for (const v of jacobian.data) worstDet = Math.max(worstDet, Math.abs(v - detA));
    assert.ok(worstDet < 1e-5, `jacobian.nii.gz is det A = ${detA} to ${worstDet}`);
    // Usage errors: an OUTDIR in the way, unknown steps, missing -o, half the landmarks.
    await assert.rejects(run([join(dir, 'moving.vtk'), join(dir, 'fixed.ply'), '-o', out, '--steps', 'prealign']), UsageError);
    await assert.rejects(run([join(dir, 'moving.vtk'), join(dir, 'fixed.ply'), '-o', join(dir, 'x'), '--steps', 'prealign,warp']), /unknown step 'warp'/);
    await assert.rejects(run([join(dir, 'moving.vtk'), join(dir, 'fixed.ply')]), /-o OUTDIR is required/);
    await assert.rejects(run([join(dir, 'moving.vtk'), join(dir, 'fixed.ply'), '-o', join(dir, 'y'), '--moving-landmarks', 'a.csv']), /both --moving-landmarks/);
    await assert.rejects(run([join(dir, 'moving.vtk'), join(dir, 'fixed.ply'), '-o', join(dir, 'z'), '--field-format', 'png']), /--field-format/);
    // A model folder the user names must hold a model: a typo is bad input, not a step skipped in silence.
    for (const [model, why] of [[join(dir, 'typo'), /no such model folder/], [join(dir, 'moving.vtk'), /is a file/], [dir, /holds no manifest\.json/]] as const) {
      await assert.rejects(run([join(dir, 'moving.vtk'), join(dir, 'fixed.ply'), '-o', join(dir, 'n'), '--steps', 'prealign,net', '--net-model', model]), (e: unknown) => e instanceof InputError && why.test(e.message));
    }
    assert.ok(!(await readdir(dir)).some((n) => n === 'n' || n.startsWith('.n.')), 'no output folder, partial or not');
    // --overwrite replaces the folder.
    await mkdir(join(out, 'stale'));
    await writeFile(join(out, 'stale', 'file'), 'old');
    // A --label given with two meshes selects nothing: it is reported as ignored (the first run had no such warning).
    const again = await run([join(dir, 'moving.vtk'), join(dir, 'fixed.ply'), '-o', out, '--preset', 'lung', '--steps', 'prealign', '--field-spacing', '6', '--overwrite', '--label', '3', '--json']);
    assert.equal(again.code, EXIT.ok);
    assert.ok(!(await readdir(out)).includes('stale'));
    assert.ok(!(summary.warnings as string[]).some((w) => /selection was ignored/.test(w)));
    assert.ok((JSON.parse(again.stdout).warnings as string[]).some((w) => /label 3 selection was ignored: neither input is a volume/.test(w)));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('shapes at wildly different scales get a warning with a suggestion', () => {
  const shape = (scale: number): PreparedInput => ({
    path: `shape-${scale}.vtk`,
    kind: 'mesh',
    sha256: '',
    warnings: [],
    shape: { kind: 'points', pointsLps: Float64Array.of(0, 0, 0, 100, 50, 30, -40, 80, 10).map((v) => v * scale), arrays: [], sourceFrame: 'LPS' },
  });
  const metres = scaleWarning(shape(0.001), shape(1), 'lung');
  assert.ok(metres && /1\.00e\+3|1000/.test(metres) && /metres/.test(metres) && /rescale the moving one to mm/.test(metres), metres);
  assert.match(metres, /try --preset generic, which is scale-free/);
  const big = scaleWarning(shape(20), shape(1), 'brain');
  assert.ok(big && /larger/.test(big) && /millimetres/.test(big), big);
  assert.equal(scaleWarning(shape(1.3), shape(1), 'lung'), undefined, 'a 30 % size difference is anatomy, not units');
  // A mesh's stray vertex that no triangle uses, 16× further out, is no part of the shape's size.
  const mesh = (stray: number): PreparedInput => ({
    path: 'mesh.obj',
    kind: 'mesh',
    sha256: '',
    warnings: [],
    shape: { kind: 'mesh', pointsLps: Float64Array.of(0, 0, 0, 100, 50, 30, -40, 80, 10, stray, stray, stray), triangles: Uint32Array.of(0, 1, 2), arrays: [], sourceFrame: 'LPS' },
  });
  assert.equal(scaleWarning(mesh(2000), shape(1), 'lung'), undefined);
  // With the generic preset already in use, it is not suggested.
  const generic = scaleWarning(shape(0.001), shape(1), 'generic');
  assert.ok(generic && /rescale the moving one to mm\.$/.test(generic), generic);
});

test('monge register --label registers one structure of a label map; --threshold one of a grey image', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'monge-register-label-'));
  try {
    // Two structures per volume: label 1, a small ball, and label 2, a larger one, shifted by 4 mm in the fixed volume.
    // Grey values: 100 inside label 2, 50 inside label 1.
    const volume = (shift: number, grey: boolean) =>
      imageFrom([40, 30, 30], [2, 2, 2], Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), [0, 0, 0], (p) => {
        if (Math.hypot(p[0] - 15 - shift, p[1], p[2]) < 14) return grey ? 100 : 2;
        if (Math.hypot(p[0] + 22, p[1], p[2]) < 8) return grey ? 50 : 1;
        return 0;
      });
    await writeImage(join(dir, 'moving.nii.gz'), volume(0, false));
    await writeImage(join(dir, 'fixed.nii.gz'), volume(4, false));
    const fast = ['--steps', 'prealign', '--field-spacing', '6', '--json'];
    const label = await run([join(dir, 'moving.nii.gz'), join(dir, 'fixed.nii.gz'), '-o', join(dir, 'label2'), '--label', '2', ...fast]);
    assert.equal(label.code, EXIT.ok);
    // The registered surfaces are label 2's only: the ball of radius 14 mm centred at x = 15 (moving) and 19 (fixed).
    for (const [name, centre] of [['moving_surface.vtk', 15], ['fixed_surface.vtk', 19]] as const) {
      const b = boundsOf((await readShape(join(dir, 'label2', name))).pointsLps);
      assert.ok(Math.abs((b[0] + b[1]) / 2 - centre) < 1.5 && Math.abs(b[1] - b[0] - 28) < 4, `${name}: x ${b[0].toFixed(1)}…${b[1].toFixed(1)}`);
    }
    const summary = JSON.parse(label.stdout) as { metrics: { after: { surfaceDistance: { chamferMm: number } } } };
    assert.ok(summary.metrics.after.surfaceDistance.chamferMm < 1, 'the shifted ball is recovered');
    const report = JSON.parse(await readFile(join(dir, 'label2', 'report.json'), 'utf8')) as { settings: { volumeSelection: string } };
    assert.equal(report.settings.volumeSelection, 'label 2');

    await writeImage(join(dir, 'moving-grey.nii.gz'), volume(0, true));
    await writeImage(join(dir, 'fixed-grey.nii.gz'), volume(4, true));
    const grey = await run([join(dir, 'moving-grey.nii.gz'), join(dir, 'fixed-grey.nii.gz'), '-o', join(dir, 'above75'), '--threshold', '75', ...fast]);
    assert.equal(grey.code, EXIT.ok);
    const g = boundsOf((await readShape(join(dir, 'above75', 'fixed_surface.vtk'))).pointsLps);
    assert.ok(Math.abs((g[0] + g[1]) / 2 - 19) < 1.5, 'only the bright ball');

    // No voxel selected: the file is named, exit 3, no output folder. Both options: a usage error.
    await assert.rejects(run([join(dir, 'moving.nii.gz'), join(dir, 'fixed.nii.gz'), '-o', join(dir, 'none'), '--label', '7', ...fast]), /moving\.nii\.gz: no voxel is selected \(label 7\)/);
    await assert.rejects(run([join(dir, 'moving.nii.gz'), join(dir, 'fixed.nii.gz'), '-o', join(dir, 'none'), '--label', '1', '--threshold', '3']), UsageError);
    await assert.rejects(run([join(dir, 'moving.nii.gz'), join(dir, 'fixed.nii.gz'), '-o', join(dir, 'none'), '--label', '1.5']), UsageError);
    assert.equal((await readdir(dir)).includes('none'), false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a grey image without a threshold or label is refused, naming the file; with --threshold it registers', { timeout: 120_000 }, async (t) => {
  const dir = await tempDir(t, 'register-grey');
  // A CT-like volume: a bright ball (about 100) in a dark background (about 0), both noisy, integer grey values. Its
  // voxels > 0 would be the ball plus half the background's noise.
  const rand = mulberry32(11);
  const volume = (shift: number) =>
    imageFrom([40, 30, 30], [2, 2, 2], Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), [0, 0, 0], (p) => Math.round((Math.hypot(p[0] - shift, p[1], p[2]) < 14 ? 100 : 0) + 30 * (rand() - 0.5)), Float32Array);
  await writeImage(join(dir, 'moving.nii.gz'), volume(0));
  await writeImage(join(dir, 'fixed.nii.gz'), volume(4));
  const fast = ['--steps', 'prealign', '--field-spacing', '6', '--json'];
  await assert.rejects(
    run([join(dir, 'moving.nii.gz'), join(dir, 'fixed.nii.gz'), '-o', join(dir, 'none'), ...fast]),
    (e: unknown) => e instanceof InputError && /moving\.nii\.gz: is a grey-level image \(values -1[0-5] … 11[0-5]\), not a mask or label map/.test(e.message) && /threshold/.test(e.message),
  );
  assert.equal((await readdir(dir)).includes('none'), false, 'no output folder');
  const ok = await run([join(dir, 'moving.nii.gz'), join(dir, 'fixed.nii.gz'), '-o', join(dir, 'ball'), '--threshold', '50', ...fast]);
  assert.equal(ok.code, EXIT.ok);
  const b = boundsOf((await readShape(join(dir, 'ball', 'fixed_surface.vtk'))).pointsLps);
  assert.ok(Math.abs((b[0] + b[1]) / 2 - 4) < 1.5 && Math.abs(b[1] - b[0] - 28) < 4, `the fixed ball: x ${b[0].toFixed(1)}…${b[1].toFixed(1)}`);
});
