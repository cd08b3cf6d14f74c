/**
 * The cohort residual prior (core/registration/prior): its kernel average against closed forms (a constant
 * residual field, a single landmark, the fade far from the cohort), the rescaling between shapes of different size,
 * its file checks, and end to end: `monge train-prior` learns exactly truth − warped from a register output folder,
 * and `register --residual-prior` moves every warped landmark by the correction.
 */
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { trainPriorCommand } from '../../../core/cli/commands/train-prior.ts';
import { InputError } from '../../../core/io/errors.ts';
import { readPoints } from '../../../core/io/points/index.ts';
import { UsageError } from '../../../core/options/index.ts';
import { register, REGISTRATION_OUTPUTS, type RegisterRequest } from '../../../core/registration/index.ts';
import {
  priorCorrection,
  readResidualPrior,
  shapeMoments,
  trainResidualPrior,
  writeResidualPrior,
  type ShapeMomentsLps,
} from '../../../core/registration/prior/index.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { constantResidualPrior, lattice, writeBreathingCase } from './support.ts';

const unitMoments: ShapeMomentsLps = { centreLps: [0, 0, 0], spreadMm: [1, 1, 1] };

test('shape moments: weighted centroid and per-axis spread', () => {
  // Two points of mass 1 and 3 on the x axis: μ = 0.75·4 = 3, s = √(0.25·9 + 0.75·1) = √3.
  const m = shapeMoments(Float64Array.from([0, 0, 0, 4, 0, 0]), Float64Array.from([1, 3]));
  assert.ok(Math.abs(m.centreLps[0] - 3) < 1e-12);
  assert.ok(Math.abs(m.spreadMm[0] - Math.sqrt(3)) < 1e-12);
  // Flat axes get 1 mm, not 0 (no division by zero when normalising).
  assert.deepEqual([m.spreadMm[1], m.spreadMm[2]], [1, 1]);
});

test('residual prior: a constant residual field comes back as α·r, rescaled by the new shape’s spread', () => {
  const r = [2, -1, 0.5] as const;
  const prior = constantResidualPrior(r, lattice(5), { shrink: 0.5, fade: 0, sigma: 0.4 });
  // A new shape twice as wide in x, three times in z, shifted: the same normalised points get s ⊙ α r.
  const other: ShapeMomentsLps = { centreLps: [10, 20, 30], spreadMm: [2, 1, 3] };
  const query = Float64Array.from([10, 20, 30, 10.5, 20.3, 29]);
  const c = priorCorrection(prior, other, query);
  for (let i = 0; i < c.length; i++) assert.ok(Math.abs(c[i] - 0.5 * other.spreadMm[i % 3] * r[i % 3]) < 1e-12, `component ${i}: ${c[i]}`);
});

test('residual prior: one landmark gives α·r·K/(K + κ) (Nadaraya–Watson with the fade), and 0 beyond 6σ', () => {
  const prior = trainResidualPrior([{ name: 'one', fixedMoments: unitMoments, warpedLps: Float64Array.from([0, 0, 0]), truthLps: Float64Array.from([1, 0, 0]) }], { sigma: 0.5, shrink: 1, fade: 1 });
  const at = (d: number) => priorCorrection(prior, unitMoments, Float64Array.from([d, 0, 0]))[0];
  for (const d of [0, 0.3, 1]) {
    const k = Math.exp(-(d * d) / (2 * 0.25));
    assert.ok(Math.abs(at(d) - k / (k + 1)) < 1e-12, `d ${d}: ${at(d)}`);
  }
  assert.equal(at(3.1), 0);
});

test('residual prior without settings: the README\'s defaults σ 0.45, α 0.5, κ 1 are recorded and used', async (t) => {
  const r = [2, -1, 0.5];
  const prior = trainResidualPrior([{ name: 'one', fixedMoments: unitMoments, warpedLps: Float64Array.from([0, 0, 0]), truthLps: Float64Array.from(r) }]);
  // Recorded in the file, so a prior corrects the same way wherever it is read.
  const path = join(await tempDir(t, 'prior-defaults'), 'prior.json');
  await writeResidualPrior(path, prior);
  const file = JSON.parse(await readFile(path, 'utf8'));
  assert.deepEqual([file.sigma, file.shrink, file.fade], [0.45, 0.5, 1]);
  // One landmark with residual r at the origin: c(d) = α · r · K / (K + κ), K = exp(−d² / 2σ²), on a shape twice as
  // wide (s = 2 on every axis: c doubles, and d is measured in units of s).
  const wide: ShapeMomentsLps = { centreLps: [0, 0, 0], spreadMm: [2, 2, 2] };
  for (const d of [0, 0.3, 0.8]) {
    const k = Math.exp(-(d * d) / (2 * 0.45 * 0.45));
    const c = priorCorrection(prior, wide, Float64Array.from([2 * d, 0, 0]));
    for (let a = 0; a < 3; a++) assert.ok(Math.abs(c[a] - 0.5 * 2 * r[a] * (k / (k + 1))) < 1e-12, `d ${d}, axis ${a}: ${c[a]}`);
  }
});

test('residual prior: bad settings and unpaired landmarks are refused', () => {
  const c = { name: 'a', fixedMoments: unitMoments, warpedLps: Float64Array.from([0, 0, 0]), truthLps: Float64Array.from([1, 0, 0]) };
  assert.throws(() => trainResidualPrior([c], { shrink: 1.5 }), /shrinkage/);
  assert.throws(() => trainResidualPrior([c], { sigma: 0 }), /σ/);
  assert.throws(() => trainResidualPrior([]), /no case/);
  assert.throws(() => trainResidualPrior([{ ...c, truthLps: Float64Array.from([1, 0, 0, 2, 0, 0]) }]), /1 warped and 2 expert/);
});

test('residual prior file: round trip, and a damaged file names itself and its problem', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'monge-prior-file-'));
  try {
    const prior = constantResidualPrior([1, 1, 1], lattice(5), {});
    const path = join(dir, 'prior.json');
    await writeResidualPrior(path, prior);
    assert.deepEqual(await readResidualPrior(path), prior);
    const bad = async (content: string, problem: string) => {
      await writeFile(path, content);
      await assert.rejects(readResidualPrior(path), (e: unknown) => e instanceof InputError && e.file === path && e.problem === problem);
    };
    await bad('{ not json', 'malformed');
    await bad(JSON.stringify({ ...prior, format: 'other' }), 'malformed');
    await bad(JSON.stringify({ ...prior, version: 9 }), 'unsupported');
    await bad(JSON.stringify({ ...prior, residualsNormalised: prior.residualsNormalised.slice(3) }), 'count-mismatch');
    await bad(JSON.stringify({ ...prior, shrink: 0 }), 'malformed');
    // Numbers must be JSON numbers: a string fade was added as text and silently turned the correction off.
    await bad(JSON.stringify({ ...prior, fade: '1' }), 'malformed');
    await bad(JSON.stringify({ ...prior, fade: null }), 'malformed');
    await bad(JSON.stringify({ ...prior, sigma: [0.4] }), 'malformed');
    await assert.rejects(readResidualPrior(join(dir, 'missing.json')), (e: unknown) => e instanceof InputError && e.problem === 'not-found');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

describePipeline();

/** register → train-prior → register --residual-prior on the synthetic breathing pair (pre-alignment only: fast). */
function describePipeline(): void {
  let dir: string;
  let request: RegisterRequest;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'monge-prior-pipeline-'));
    await writeBreathingCase(dir);
    request = {
      moving: join(dir, 'moving.nii.gz'),
      fixed: join(dir, 'fixed.nii.gz'),
      outDir: join(dir, 'base'),
      movingLandmarks: join(dir, 'moving.csv'),
      fixedLandmarks: join(dir, 'fixed.csv'),
      preset: 'lung',
      steps: ['prealign'],
      fieldSpacingMm: 6,
    };
    await register(request);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('monge train-prior learns (truth − warped) / s at (warped − μ) / s from a register output folder', { timeout: 60_000 }, async () => {
    const out = join(dir, 'prior.json');
    assert.equal(await trainPriorCommand.run([join(dir, 'base'), '-o', out, '--sigma', '0.3', '--shrink', '0.8']), 0);
    const prior = await readResidualPrior(out);
    const report = JSON.parse(await readFile(join(dir, 'base', REGISTRATION_OUTPUTS.report), 'utf8'));
    const m = report.inputs.fixedMomentsLps as ShapeMomentsLps;
    const warped = (await readPoints(join(dir, 'base', REGISTRATION_OUTPUTS.landmarksWarped))).pointsLps;
    const truth = (await readPoints(join(dir, 'fixed.csv'))).pointsLps;
    assert.equal(prior.pointsNormalised.length, warped.length);
    assert.deepEqual([prior.sigma, prior.shrink], [0.3, 0.8]);
    // It records how its case was registered.
    assert.deepEqual(prior.learnedWith, { preset: 'lung', steps: ['prealign'] });
    for (let i = 0; i < warped.length; i++) {
      const a = i % 3;
      assert.ok(Math.abs(prior.pointsNormalised[i] - (warped[i] - m.centreLps[a]) / m.spreadMm[a]) < 1e-9);
      assert.ok(Math.abs(prior.residualsNormalised[i] - (truth[i] - warped[i]) / m.spreadMm[a]) < 1e-9);
    }
  });

  test('register --residual-prior moves every warped landmark by the prior’s correction, and reports it', { timeout: 60_000 }, async () => {
    const base = JSON.parse(await readFile(join(dir, 'base', REGISTRATION_OUTPUTS.report), 'utf8'));
    const m = base.inputs.fixedMomentsLps as ShapeMomentsLps;
    // A cohort whose residual is the same everywhere: the correction is that constant (fade 0), scaled by s.
    const r = [1.5, -0.5, 0.25] as const;
    const constant = constantResidualPrior(r, lattice(5, 2), { sigma: 1.5, shrink: 1, fade: 0 });
    const priorPath = join(dir, 'constant.json');
    await writeResidualPrior(priorPath, constant);
    const summary = await register({ ...request, outDir: join(dir, 'with-prior'), residualPrior: priorPath });
    const before = (await readPoints(join(dir, 'base', REGISTRATION_OUTPUTS.landmarksWarped))).pointsLps;
    const withPrior = (await readPoints(join(dir, 'with-prior', REGISTRATION_OUTPUTS.landmarksWarped))).pointsLps;
    const expected = priorCorrection(constant, m, before);
    for (let i = 0; i < before.length; i++) {
      assert.ok(Math.abs(expected[i] - m.spreadMm[i % 3] * r[i % 3]) < 0.02, `the lattice cohort's average at point ${Math.floor(i / 3)}: ${expected[i]}`);
      assert.ok(Math.abs(withPrior[i] - before[i] - expected[i]) < 0.02, `landmark ${Math.floor(i / 3)}, axis ${i % 3}: moved ${withPrior[i] - before[i]}, expected ${expected[i]}`);
    }
    const report = JSON.parse(await readFile(join(dir, 'with-prior', REGISTRATION_OUTPUTS.report), 'utf8'));
    assert.equal(report.settings.residualPrior, priorPath);
    assert.equal(report.inputs.residualPrior.sha256, createHash('sha256').update(await readFile(priorPath)).digest('hex'));
    assert.equal(report.steps.at(-1).name, 'prior');
    assert.deepEqual(report.metrics.after, report.metrics.prior);
    assert.ok(summary.files.includes(`${REGISTRATION_OUTPUTS.stepsDir}/prior.vtk`));
    // The summary (what `monge register` prints) names the prior; the constant correction's size is |s ⊙ r|.
    assert.equal(summary.prior?.cases, 1);
    assert.ok(Math.abs(summary.prior!.largestCorrectionMm - Math.hypot(...m.spreadMm.map((s, a) => s * r[a]))) < 1e-6);
    // A folder registered with a prior is not a training case.
    await assert.rejects(trainPriorCommand.run([join(dir, 'with-prior'), '-o', join(dir, 'again.json')]), (e: unknown) => e instanceof InputError && e.problem === 'unsupported');
  });

  test('a run given relative paths records absolute ones, so its folder trains a prior from any working directory', { timeout: 60_000 }, async () => {
    // Relative to this process's working directory (changing it would also move the workers' module resolution).
    const rel = (name: string): string => relative(process.cwd(), join(dir, name));
    await register({ ...request, moving: rel('moving.nii.gz'), fixed: rel('fixed.nii.gz'), movingLandmarks: rel('moving.csv'), fixedLandmarks: rel('fixed.csv'), outDir: rel('relative') });
    const report = JSON.parse(await readFile(join(dir, 'relative', REGISTRATION_OUTPUTS.report), 'utf8'));
    for (const [role, name] of [['moving', 'moving.nii.gz'], ['fixed', 'fixed.nii.gz'], ['movingLandmarks', 'moving.csv'], ['fixedLandmarks', 'fixed.csv']]) {
      assert.equal(report.inputs[role].path, join(dir, name), role);
    }
    assert.equal(await trainPriorCommand.run([join(dir, 'relative'), '-o', join(dir, 'from-relative.json')]), 0);
    assert.deepEqual((await readResidualPrior(join(dir, 'from-relative.json'))).residualsNormalised, (await readResidualPrior(join(dir, 'prior.json'))).residualsNormalised);
  });

  test('monge train-prior refuses to write over what it reads, a case given twice, and cases whose files no longer agree with their report', { timeout: 60_000 }, async () => {
    const base = join(dir, 'base');
    const reportBefore = await readFile(join(base, REGISTRATION_OUTPUTS.report), 'utf8');
    for (const out of [join(base, REGISTRATION_OUTPUTS.report), join(base, REGISTRATION_OUTPUTS.landmarksWarped), join(dir, 'fixed.csv')]) {
      await assert.rejects(trainPriorCommand.run([base, '-o', out]), (e: unknown) => e instanceof UsageError && /never overwrites its inputs/.test(e.message), out);
    }
    assert.equal(await readFile(join(base, REGISTRATION_OUTPUTS.report), 'utf8'), reportBefore);
    await assert.rejects(trainPriorCommand.run([base, join(dir, '.', 'base'), '-o', join(dir, 'twice.json')]), /is the case .* again; give each case once/);
    // A hand-edited frame that the two landmark readers would take differently, and a report that is not an object.
    const edited = join(dir, 'edited');
    await cp(base, edited, { recursive: true });
    const report = JSON.parse(reportBefore);
    await writeFile(join(edited, REGISTRATION_OUTPUTS.report), JSON.stringify({ ...report, settings: { ...report.settings, landmarksFrame: 'ras' } }));
    await assert.rejects(trainPriorCommand.run([edited, '-o', join(dir, 'edited.json')]), (e: unknown) => e instanceof InputError && /unknown landmarks frame "ras"/.test(e.message));
    await writeFile(join(edited, REGISTRATION_OUTPUTS.report), 'null');
    await assert.rejects(trainPriorCommand.run([edited, '-o', join(dir, 'edited.json')]), (e: unknown) => e instanceof InputError && e.problem === 'malformed');
    // The expert landmark file changed since the run (same length, one digit): its residuals would be wrong.
    const fixedCopy = join(dir, 'fixed-copy.csv');
    await cp(join(dir, 'fixed.csv'), fixedCopy);
    await writeFile(join(edited, REGISTRATION_OUTPUTS.report), JSON.stringify({ ...report, inputs: { ...report.inputs, fixedLandmarks: { ...report.inputs.fixedLandmarks, path: fixedCopy } } }));
    const text = await readFile(fixedCopy, 'utf8');
    const at = text.search(/[0-8](?=[^\n]*$)/m);
    await writeFile(fixedCopy, text.slice(0, at) + String(Number(text[at]) + 1) + text.slice(at + 1));
    await assert.rejects(trainPriorCommand.run([edited, '-o', join(dir, 'edited.json')]), (e: unknown) => e instanceof InputError && e.file === fixedCopy && /has changed since/.test(e.message));
    // The warped landmarks edited keeping their shape (two rows swapped): only the report's hash can tell.
    assert.match(report.landmarks.warpedSha256, /^[0-9a-f]{64}$/);
    await writeFile(join(edited, REGISTRATION_OUTPUTS.report), reportBefore);
    const warpedPath = join(edited, REGISTRATION_OUTPUTS.landmarksWarped);
    const lines = (await readFile(warpedPath, 'utf8')).split('\n');
    [lines[1], lines[2]] = [lines[2], lines[1]];
    await writeFile(warpedPath, lines.join('\n'));
    await assert.rejects(trainPriorCommand.run([edited, '-o', join(dir, 'edited.json')]), (e: unknown) => e instanceof InputError && e.file === warpedPath && /has been edited since/.test(e.message));
    await cp(join(base, REGISTRATION_OUTPUTS.landmarksWarped), warpedPath);
    // Cases registered differently (another preset) do not share one systematic error.
    await writeFile(join(edited, REGISTRATION_OUTPUTS.report), JSON.stringify({ ...report, settings: { ...report.settings, preset: 'generic' } }));
    await assert.rejects(trainPriorCommand.run([base, edited, '-o', join(dir, 'mixed.json')]), (e: unknown) => e instanceof UsageError && /registered differently .*preset lung, steps prealign.*preset generic, steps prealign/.test(e.message));
  });

  test('register warns when a prior learned from one kind of run corrects another', { timeout: 60_000 }, async () => {
    const priorPath = join(dir, 'learned.json');
    assert.equal(await trainPriorCommand.run([join(dir, 'base'), '-o', priorPath]), 0);
    // Without --sigma and --shrink, the README's defaults.
    const learned = JSON.parse(await readFile(priorPath, 'utf8'));
    assert.deepEqual([learned.sigma, learned.shrink, learned.fade], [0.45, 0.5, 1]);
    const same = await register({ ...request, outDir: join(dir, 'same-kind'), residualPrior: priorPath });
    assert.ok(!same.warnings.some((w) => /residual prior was learned/.test(w)), same.warnings.join('; '));
    const other = await register({ ...request, preset: 'generic', outDir: join(dir, 'other-kind'), residualPrior: priorPath });
    assert.ok(other.warnings.some((w) => /residual prior was learned from runs with preset lung, steps prealign; this run has preset generic, steps prealign/.test(w)), other.warnings.join('; '));
  });

  test('register --residual-prior with a damaged prior fails before any work and leaves no folder', { timeout: 60_000 }, async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '[]');
    const outDir = join(dir, 'never');
    await assert.rejects(register({ ...request, outDir, residualPrior: bad }), (e: unknown) => e instanceof InputError && e.file === bad);
    await assert.rejects(readFile(join(outDir, REGISTRATION_OUTPUTS.report)), { code: 'ENOENT' });
  });
}
