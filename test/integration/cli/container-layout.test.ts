/**
 * The container image (Dockerfile) holds only what its COPY lines name — package.json, tsconfig.json, bin/, core/,
 * assets/ — beside node_modules. `monge` must run from that: a CLI module that reached into main/, test/ or
 * renderer/, or a file the image lacks, would fail on a cluster, not here. The test rebuilds that layout from the
 * Dockerfile's own COPY lines (node_modules linked, as `npm ci` gives it) and runs `monge` commands there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, readFile, stat, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/data.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { imageFrom } from '../../unit/shape/synthetic.ts';
import { writeImage } from '../../../core/io/images/write-image.ts';
import { startNode, writeSyntheticPairs, type MongeRun } from '../batch/support.ts';

/** The sources of the Dockerfile's `COPY src... dest` lines (relative to the repository). */
async function copiedPaths(): Promise<string[]> {
  const dockerfile = await readFile(join(REPO_ROOT, 'Dockerfile'), 'utf8');
  const paths = [...dockerfile.matchAll(/^COPY\s+(.+)$/gm)].flatMap((m) => m[1].trim().split(/\s+/).slice(0, -1));
  assert.ok(paths.includes('core') && paths.includes('bin'), `COPY lines: ${paths.join(' ')}`);
  return paths;
}

/** Runs the image's `monge ARGS` from its folder. */
function runIn(image: string, args: string[]): Promise<MongeRun> {
  return startNode([join(image, 'bin', 'monge.mjs'), ...args], { cwd: image }).done;
}

test('monge runs from the container layout: version, a surface from a mask, a registration with every step', { timeout: 180_000 }, async (t) => {
  const dir = await tempDir(t, 'container');
  const image = join(dir, 'opt-monge');
  for (const path of await copiedPaths()) await cp(join(REPO_ROOT, path), join(image, path), { recursive: true });
  await symlink(join(REPO_ROOT, 'node_modules'), join(image, 'node_modules'), 'dir');

  const version = await runIn(image, ['--version']);
  assert.equal(version.code, 0, version.stderr);
  assert.match(version.stdout, new RegExp(JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')).version.replaceAll('.', '\\.')));

  // itk-wasm reads a NIfTI mask; the surface is written as VTK.
  const data = join(dir, 'data');
  await mkdir(data);
  const mask = imageFrom([24, 24, 24], [1, 1, 1], Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), [0, 0, 0], (p) => (Math.hypot(...p) <= 8 ? 1 : 0));
  await writeImage(join(data, 'mask.nii.gz'), mask);
  const surface = await runIn(image, ['surface', join(data, 'mask.nii.gz'), '-o', join(data, 'mask.vtk')]);
  assert.equal(surface.code, 0, surface.stderr);
  assert.ok((await stat(join(data, 'mask.vtk'))).size > 0);

  // The kernel engine's threads, the lung network's weights in assets/, the field written by itk-wasm.
  await writeSyntheticPairs(data, 1);
  const out = join(dir, 'registered');
  const run = await runIn(image, ['register', join(data, 'm0.vtk'), join(data, 'f0.vtk'), '-o', out, '--preset', 'lung', '--field-spacing', '8', '--json']);
  assert.equal(run.code, 0, run.stderr);
  const summary = JSON.parse(run.stdout) as { steps: { name: string; status: string }[] };
  assert.deepEqual(summary.steps.map((s) => [s.name, s.status]), [['prealign', 'done'], ['net', 'done'], ['finetune', 'done']]);
  assert.ok((await stat(join(out, 'field.nii.gz'))).size > 0);
});
