/**
 * The app's door to the cohort residual prior: the service opens and checks a prior file (by host path or as an
 * upload, whose errors name the upload, not the session copy), a registration job applies it, and the results
 * folder shows the prior-corrected shape as a step.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../../core/io/errors.ts';
import { REGISTRATION_OUTPUTS } from '../../../core/registration/index.ts';
import { writeResidualPrior, type ShapeMomentsLps } from '../../../core/registration/prior/index.ts';
import type { JobEvent } from '../../../main/service/api.ts';
import { dispatch } from '../../../main/service/dispatcher.ts';
import { MongeService } from '../../../main/service/service.ts';
import { constantResidualPrior, lattice, writeBreathingCase } from '../registration/support.ts';

/** Two cases on a 3×3×3 lattice of [−1, 1]³ with a constant residual r (mm in the unit frame). */
const constantPrior = (r: [number, number, number]) => constantResidualPrior(r, lattice(3), { sigma: 1.5, shrink: 0.8, fade: 0 }, ['runs/case1', 'runs/case2']);

test('openPrior: a prior by path or upload comes back with its cases and settings; a bad one names the file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'monge-service-prior-'));
  const s = new MongeService({ host: 'web' });
  try {
    const path = join(dir, 'cohort.json');
    await writeResidualPrior(path, constantPrior([1, 0, 0]));
    const byPath = await s.openPrior({ path });
    assert.deepEqual(byPath, { path, name: 'cohort.json', cases: ['runs/case1', 'runs/case2'], landmarks: 54, sigma: 1.5, shrink: 0.8 });

    const upload = await s.openPrior({ name: 'my prior.json', bytes: new Uint8Array(await readFile(path)) });
    assert.equal(upload.name, 'my prior.json');
    assert.notEqual(upload.path, path, 'an upload is kept in the session folder');
    assert.deepEqual(await readFile(upload.path), await readFile(path));

    // A landmark file is not a prior; the message names the upload as the user knows it.
    const notPrior = new TextEncoder().encode('{"markups":[]}');
    await assert.rejects(s.openPrior({ name: 'points.json', bytes: notPrior }), (e: unknown) => {
      assert.ok(e instanceof InputError, String(e));
      assert.equal(e.file, 'points.json');
      assert.match(e.message, /^points\.json: is not a residual prior/);
      assert.doesNotMatch(e.message, /monge-session-/);
      return true;
    });
    await assert.rejects(s.openPrior({ path: join(dir, 'missing.json') }), (e: unknown) => e instanceof InputError && e.file === join(dir, 'missing.json'));

    // Through the dispatcher both hosts use: a file source is required, errors come back as data naming the file.
    assert.deepEqual(await dispatch(s, 'openPrior', [{ path }]), { ok: true, value: byPath });
    for (const args of [[], [{}], [{ path }, {}], [{ name: 'a.json', bytes: [1] }]]) {
      assert.equal((await dispatch(s, 'openPrior', args)).ok, false, JSON.stringify(args));
    }
    const failed = await dispatch(s, 'openPrior', [{ path: join(dir, 'missing.json') }]);
    assert.equal(failed.ok === false && failed.error.file, join(dir, 'missing.json'));
  } finally {
    await s.dispose();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a registration job with a prior: the results folder shows the prior-corrected shape as the last step', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'monge-service-prior-run-'));
  const s = new MongeService({ host: 'web', resultsRoot: dir });
  try {
    await writeBreathingCase(dir);
    const priorPath = join(dir, 'cohort.json');
    await writeResidualPrior(priorPath, constantPrior([1, 0, 0]));
    const prior = await s.openPrior({ path: priorPath });
    const outDir = join(dir, 'run');
    const ended = new Promise<JobEvent>((resolve) => s.onJobEvent((e) => ['done', 'failed', 'cancelled'].includes(e.type) && resolve(e)));
    await s.register({ moving: join(dir, 'moving.nii.gz'), fixed: join(dir, 'fixed.nii.gz'), preset: 'lung', steps: ['prealign'], fieldSpacingMm: 6, residualPrior: prior.path, outDir });
    const end = await ended;
    assert.equal(end.type, 'done', JSON.stringify(end));

    const results = await s.openResultsFolder(outDir);
    assert.deepEqual(results.steps.map((x) => x.step), ['prealign', 'prior']);
    assert.deepEqual(results.report?.columns, ['before', 'prealign', 'prior']);
    // The prior step's shape is the final warped shape; the pre-aligned one differs from it by the correction,
    // which is the cohort's constant residual (1, 0, 0) in the unit frame, × α 0.8, × this shape's spread in x.
    const report = JSON.parse(await readFile(join(outDir, REGISTRATION_OUTPUTS.report), 'utf8'));
    const sx = (report.inputs.fixedMomentsLps as ShapeMomentsLps).spreadMm[0];
    const [pre, post] = [results.steps[0].shape.pointsLps, results.steps[1].shape.pointsLps];
    assert.deepEqual(post, results.warped.pointsLps);
    let worst = 0;
    for (let i = 0; i < pre.length; i += 3) worst = Math.max(worst, Math.abs(post[i] - pre[i] - 0.8 * sx), Math.abs(post[i + 1] - pre[i + 1]), Math.abs(post[i + 2] - pre[i + 2]));
    assert.ok(worst < 0.05, `largest deviation from the constant correction: ${worst} mm`);
  } finally {
    await s.dispose();
    await rm(dir, { recursive: true, force: true });
  }
});
