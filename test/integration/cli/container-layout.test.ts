/**
 * The container image (Dockerfile) runs the bundled command (dist/cli, core/cli/build-cli.ts) beside the production
 * dependencies only: no TypeScript sources, no tsx, no development package. Every `monge` door that starts another
 * thread or process from a file — the kernel engine's threads and kernels.wasm, the field sampler's threads, `monge
 * batch`'s worker processes, `monge train`'s sample thread — must find its bundled entry there, and the network's
 * weights and package.json one folder up. The test reads the image's final stage from the Dockerfile (what it copies
 * from the repository, where the build stage's bundle goes, the entry point), lays that out, and runs the commands.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildCli } from '../../../core/cli/build-cli.ts';
import { PARALLEL_MIN_VOXELS } from '../../../core/field/sample-on-grid.ts';
import { writeImage } from '../../../core/io/images/write-image.ts';
import { defaultThreadCount } from '../../../core/runtime/index.ts';
import { REPO_ROOT } from '../../support/data.ts';
import { productionLayout } from '../../support/production-layout.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { imageFrom } from '../../unit/shape/synthetic.ts';
import { FAST_OPTIONS, MANIFEST_HEADER, startNode, writeSyntheticPairs, type MongeRun } from '../batch/support.ts';

interface ImageRecipe {
  /** Paths the build stage copies from the repository. */
  buildCopies: string[];
  /** Paths the final stage copies from the repository. */
  repositoryCopies: string[];
  /** Where the build stage's dist/cli goes, relative to the image's folder. */
  bundleDir: string;
  /** The entry point's script, relative to the image's folder. */
  entryScript: string;
}

/** The Dockerfile's final stage (after its last FROM), read as the test needs it. */
async function imageRecipe(): Promise<ImageRecipe> {
  const dockerfile = await readFile(join(REPO_ROOT, 'Dockerfile'), 'utf8');
  const froms = [...dockerfile.matchAll(/^FROM /gm)].map((m) => m.index);
  const buildStage = dockerfile.slice(froms[0], froms.at(-1));
  const stage = dockerfile.slice(froms.at(-1));
  const home = /^WORKDIR\s+(\S+)$/m.exec(stage)![1];
  const inImage = (path: string) => relative(home, path.startsWith('/') ? path : join(home, path));
  const copies = [...stage.matchAll(/^COPY\s+(.+)$/gm)].map((m) => m[1].trim().split(/\s+/));
  const fromBuild = copies.filter((c) => c[0].startsWith('--from='));
  assert.equal(fromBuild.length, 1, 'the image copies one folder from the build stage');
  assert.match(fromBuild[0][1], /\/dist\/cli$/, 'the build stage runs core/cli/build-cli.ts into dist/cli');
  assert.match(stage, /npm ci --omit=dev --omit=optional/);
  const entrypoint = JSON.parse(/^ENTRYPOINT\s+(\[.+\])$/m.exec(stage)![1]) as string[];
  assert.equal(entrypoint[0], 'node');
  return {
    buildCopies: [...buildStage.matchAll(/^COPY\s+(.+)$/gm)].flatMap((m) => m[1].trim().split(/\s+/).slice(0, -1)),
    repositoryCopies: copies.filter((c) => !c[0].startsWith('--')).flatMap((c) => c.slice(0, -1)),
    bundleDir: inImage(fromBuild[0][2]),
    entryScript: inImage(entrypoint[1]),
  };
}

test('the container image runs monge from its bundle: version, surface, register, batch, train', { timeout: 300_000 }, async (t) => {
  const dir = await tempDir(t, 'container');
  const image = join(dir, 'opt-monge');
  const recipe = await imageRecipe();
  await productionLayout(image, { optional: false });
  for (const path of recipe.repositoryCopies) if (!existsSync(join(image, path))) await cp(join(REPO_ROOT, path), join(image, path), { recursive: true });
  // The build stage copies core/ only: every source the bundles were made from must be there.
  const { sources } = await buildCli(join(image, recipe.bundleDir));
  assert.ok(sources.length > 50);
  assert.deepEqual(sources.filter((s) => !s.startsWith('core/')), [], 'the command bundles nothing from outside core/');
  assert.ok(recipe.buildCopies.includes('core'), `the build stage copies ${recipe.buildCopies.join(', ')}`);
  const data = join(dir, 'data');
  await mkdir(data);
  // Run from the data folder, as the image does (WORKDIR /data).
  const monge = (args: string[]): Promise<MongeRun> => startNode([join(image, recipe.entryScript), ...args], { cwd: data }).done;

  const version = await monge(['--version']);
  assert.equal(version.code, 0, version.stderr);
  assert.equal(version.stdout.trim(), JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')).version);

  // itk-wasm (an external package, found from the bundle) reads a NIfTI mask; the surface is written as VTK.
  const mask = imageFrom([24, 24, 24], [1, 1, 1], Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), [0, 0, 0], (p) => (Math.hypot(...p) <= 8 ? 1 : 0));
  await writeImage(join(data, 'mask.nii.gz'), mask);
  const surface = await monge(['surface', 'mask.nii.gz', '-o', 'mask.vtk']);
  assert.equal(surface.code, 0, surface.stderr);
  assert.ok((await stat(join(data, 'mask.vtk'))).size > 0);

  // Every step: the kernel engine's threads and kernels.wasm, the lung network's weights in assets/, a field of over a
  // million voxels sampled by field-sample-worker.mjs threads too, written by itk-wasm.
  const rows = await writeSyntheticPairs(data, 1);
  const run = await monge(['register', 'm0.vtk', 'f0.vtk', '-o', 'registered', '--preset', 'lung', '--field-spacing', '0.9', '--json']);
  assert.equal(run.code, 0, run.stderr);
  const summary = JSON.parse(run.stdout) as { steps: { name: string; status: string }[] };
  assert.deepEqual(summary.steps.map((s) => [s.name, s.status]), [['prealign', 'done'], ['net', 'done'], ['finetune', 'done']]);
  const report = JSON.parse(await readFile(join(data, 'registered', 'report.json'), 'utf8')) as {
    field: { grid: { size: number[] }; samplingThreads: number };
    engine: { engine: string; backend?: string };
  };
  assert.deepEqual([report.engine.engine, report.engine.backend], ['cpu', 'wasm-simd']);
  assert.ok(report.field.grid.size.reduce((a, b) => a * b) >= PARALLEL_MIN_VOXELS);
  assert.equal(report.field.samplingThreads, Math.min(defaultThreadCount(), 8));
  assert.ok((await stat(join(data, 'registered', 'field.nii.gz'))).size > 0);

  // `monge batch` forks batch-worker.mjs for its pairs.
  await writeFile(join(data, 'manifest.csv'), [MANIFEST_HEADER, ...rows].join('\n') + '\n');
  const batch = await monge(['batch', 'manifest.csv', '-o', 'batch', '--jobs', '1', ...FAST_OPTIONS]);
  assert.equal(batch.code, 0, batch.stderr);
  assert.match(await readFile(join(data, 'batch', 'summary.csv'), 'utf8'), /\n0,case0,ok,/);

  // `monge train` draws its pairs on train-sample-worker.mjs when the machine has a second core (a worker that cannot
  // start fails the command).
  const train = await monge(['train', '--preset', 'lung', '--data', 'm0.vtk', '--out', 'model', '--epochs', '1', '--pairs-per-epoch', '2', '--val-pairs', '1', '--batch', '2', '--json']);
  assert.equal(train.code, 0, train.stderr);
  assert.ok((await stat(join(data, 'model', 'weights.bin'))).size > 0);
});
