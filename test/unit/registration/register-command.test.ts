import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerCommand } from '../../../core/cli/commands/register.ts';
import { UsageError } from '../../../core/cli/exit-codes.ts';
import { EXIT } from '../../../core/cli/exit-codes.ts';
import { writeImage } from '../../../core/io/images/write-image.ts';
import { readShape, writeShape } from '../../../core/io/index.ts';
import { scaleWarning, type PreparedInput } from '../../../core/registration/pipeline/inputs.ts';
import { applyBreathing, syntheticLungMask } from '../../../core/samples/synthetic-lung.ts';
import { extractSurface } from '../../../core/shape/extract-surface.ts';
import { boundsOf, type Shape } from '../../../core/shape/types.ts';
import { imageFrom } from '../shape/synthetic.ts';
import { blockAverage } from '../../../core/registration/clouds/mask-volume.ts';
import { closestPointOnTriangle } from '../../../core/metrics/closest-point-triangle.ts';
import { InputError } from '../../../core/io/errors.ts';
import { mulberry32 } from '../../../core/shape/prng.ts';
import { tempDir } from '../../support/temp-dir.ts';

/** A light synthetic lung surface (block-averaged mask) and its breathing image. */
function meshPair(): { moving: Shape; fixed: Shape } {
  const moving = extractSurface(blockAverage(syntheticLungMask(), 2), { threshold: 0.5, smoothIterations: 3 });
  return { moving, fixed: { ...moving, pointsLps: applyBreathing(moving.pointsLps), normalsLps: undefined, mass: undefined } };
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
