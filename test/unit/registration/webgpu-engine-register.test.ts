/**
 * A registration on the 'webgpu' engine gives the float64 reference's result: the synthetic breathing pair
 * (support.ts) through prealign + finetune on the 'webgpu' and 'js' engines, the warped landmarks compared point
 * by point and the TRE against the known motion. (Measured: 0.015 mm apart at most, where the 'cpu' engine's
 * float32 WASM lands up to 0.12 mm from the reference.) On a machine without a WebGPU adapter this is skipped unless MONGE_REQUIRE_WEBGPU=1
 * (.ci/run sets it and installs a software Vulkan adapter).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeWebGpu } from '../../../core/kernels/webgpu-device.ts';
import { REGISTRATION_OUTPUTS, runRegistration, type RegisterRequest, type RegistrationSummary } from '../../../core/registration/index.ts';
import { writeBreathingCase } from './support.ts';

const skip = (await probeWebGpu()) || process.env.MONGE_REQUIRE_WEBGPU === '1' ? false : 'no WebGPU adapter on this machine';

let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'monge-webgpu-register-'));
  if (!skip) await writeBreathingCase(dir);
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(engine: 'js' | 'webgpu'): Promise<{ summary: RegistrationSummary; warped: number[][] }> {
  const request: RegisterRequest = {
    moving: join(dir, 'moving.nii.gz'),
    fixed: join(dir, 'fixed.nii.gz'),
    outDir: join(dir, engine),
    movingLandmarks: join(dir, 'moving.csv'),
    fixedLandmarks: join(dir, 'fixed.csv'),
    preset: 'lung',
    steps: ['prealign', 'finetune'],
    fieldSpacingMm: 5,
    seed: 3,
    engine,
  };
  const { summary } = await runRegistration(request);
  const rows = (await readFile(join(dir, engine, REGISTRATION_OUTPUTS.landmarksWarped), 'utf8')).trim().split('\n').slice(1);
  return { summary, warped: rows.map((r) => r.split(',').map(Number)) };
}

test('prealign + finetune on the webgpu engine lands where the float64 reference does', { skip, timeout: 300_000 }, async () => {
  const ref = await run('js');
  const gpu = await run('webgpu');
  const engineOf = async (name: string): Promise<string> => JSON.parse(await readFile(join(dir, name, REGISTRATION_OUTPUTS.report), 'utf8')).engine.engine;
  assert.equal(await engineOf('webgpu'), 'webgpu');
  assert.equal(await engineOf('js'), 'js');
  assert.equal(gpu.warped.length, ref.warped.length);
  let worst = 0;
  gpu.warped.forEach((row, i) => {
    worst = Math.max(worst, Math.hypot(row[0] - ref.warped[i][0], row[1] - ref.warped[i][1], row[2] - ref.warped[i][2]));
  });
  // float32 against float64 reductions: far below the field spacing (5 mm), and below the cpu engine's 0.12 mm.
  assert.ok(worst < 0.05, `warped landmarks up to ${worst} mm apart`);
  const tre = (s: RegistrationSummary): number => s.metrics.after.tre!.mean;
  assert.ok(Math.abs(tre(gpu.summary) - tre(ref.summary)) < 0.01, `TRE ${tre(gpu.summary)} vs ${tre(ref.summary)} mm`);
  assert.ok(tre(gpu.summary) < 0.5 * gpu.summary.metrics.before.tre!.mean, 'the registration did its job');
});
