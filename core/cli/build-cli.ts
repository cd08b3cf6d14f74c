/**
 * Bundles the `monge` command with esbuild into dist/cli, for the container image (Dockerfile) and any install that
 * should run without the TypeScript sources or tsx:
 *   monge.mjs               the command (core/cli/main.ts);
 *   batch-worker.mjs        a `monge batch` worker process (core/batch/worker.ts);
 *   train-sample-worker.mjs the thread drawing `monge train`'s synthetic pairs (core/registration/net/sample-worker.ts);
 *   cpu-worker.mjs, field-sample-worker.mjs, kernels.wasm  as in the Electron bundle (core/runtime/bundle.ts).
 * dist/cli needs package.json and assets/ one folder up and the production dependencies in node_modules.
 *
 * Run: npm run build:cli [-- outDir]
 */
import { build } from 'esbuild';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CORE_WORKER_ENTRIES, ESM_BUNDLE_OPTIONS, REPO_ROOT, copyRuntimeBinaries } from '../runtime/bundle.ts';

/** The folder built, and the repository files the bundles were made from (the Dockerfile's build stage has core/ only). */
export interface CliBuild {
  dir: string;
  sources: string[];
}

export async function buildCli(outDir = join(REPO_ROOT, 'dist', 'cli')): Promise<CliBuild> {
  const result = await build({
    ...ESM_BUNDLE_OPTIONS,
    entryPoints: {
      monge: 'core/cli/main.ts',
      'batch-worker': 'core/batch/worker.ts',
      'train-sample-worker': 'core/registration/net/sample-worker.ts',
      ...CORE_WORKER_ENTRIES,
    },
    outdir: outDir,
    metafile: true,
  });
  await copyRuntimeBinaries(outDir);
  return { dir: outDir, sources: Object.keys(result.metafile.inputs).filter((p) => !p.startsWith('node_modules/')) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { dir } = await buildCli(process.argv[2] ? resolve(process.argv[2]) : undefined);
  process.stderr.write(`monge command and its workers built in ${dir}\n`);
}
