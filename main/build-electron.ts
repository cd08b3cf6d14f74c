/**
 * Bundles the Electron side with esbuild into dist/main (what electron-builder.yml packages, next to
 * dist/renderer from renderer/build.ts):
 *   index.mjs          the main process (ESM), from main/index.ts;
 *   preload.cjs        the preload (CommonJS: a sandboxed preload may require only 'electron');
 *   job-worker.mjs     the job worker thread's entry, and <name>-job.mjs the job modules it loads (surface,
 *                      register, warp);
 *   cpu-worker.mjs     a thread of the CPU kernel engine's pool, and kernels.wasm (copied) that its threads run;
 *   field-sample-worker.mjs  a thread sampling a slab of a displacement field (core/field/sample-workers.ts).
 * Every entry sits in dist/main itself: code inlined into a bundle finds the other entries, kernels.wasm, and the
 * app root (package.json, assets/) relative to the entry's URL (core/runtime/app-files.ts). Packages with native or
 * wasm parts loaded from disk (itk-wasm, TensorFlow.js) and Electron stay external; they ship in node_modules
 * (unpacked from asar, see electron-builder.yml).
 *
 * Run: node --import tsx main/build-electron.ts [outDir]
 */
import { build } from 'esbuild';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMMON_BUNDLE_OPTIONS, CORE_WORKER_ENTRIES, ESM_BUNDLE_OPTIONS, REPO_ROOT, copyRuntimeBinaries } from '../core/runtime/bundle.ts';

export async function buildElectron(outDir = join(REPO_ROOT, 'dist', 'main')): Promise<string> {
  await build({
    ...ESM_BUNDLE_OPTIONS,
    entryPoints: {
      index: 'main/index.ts',
      'job-worker': 'main/service/job-worker.ts',
      'surface-job': 'main/service/jobs/surface-job.ts',
      'register-job': 'main/service/jobs/register-job.ts',
      'warp-job': 'main/service/jobs/warp-job.ts',
      ...CORE_WORKER_ENTRIES,
    },
    outdir: outDir,
  });
  await build({ ...COMMON_BUNDLE_OPTIONS, entryPoints: { preload: 'main/preload.ts' }, outdir: outDir, format: 'cjs', outExtension: { '.js': '.cjs' } });
  await copyRuntimeBinaries(outDir);
  return outDir;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = await buildElectron(process.argv[2] ? resolve(process.argv[2]) : undefined);
  process.stderr.write(`Electron main, preload and workers built in ${dir}\n`);
}
