/**
 * How Monge's bundled layouts are built (esbuild): the Electron side (main/build-electron.ts → dist/main) and the
 * headless command (core/cli/build-cli.ts → dist/cli). Both put every entry flat in one folder two levels below the
 * root that holds package.json and assets/, with the worker entries and kernels.wasm beside them, which is what
 * core/runtime/app-files.ts resolves against. Build-time only: nothing at run time imports this module.
 */
import { copyFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Packages with native or wasm parts loaded from disk (itk-wasm, TensorFlow.js) and Electron stay external: they are
 * installed in node_modules beside the bundle.
 */
const EXTERNAL = ['electron', '@itk-wasm/*', '@tensorflow/*', 'itk-wasm'];

export const COMMON_BUNDLE_OPTIONS = { absWorkingDir: REPO_ROOT, bundle: true, platform: 'node' as const, target: 'node20', external: EXTERNAL, logLevel: 'warning' as const, sourcemap: true };

/** How every ESM entry is bundled (the tests bundle extra probes beside them the same way). */
export const ESM_BUNDLE_OPTIONS = {
  ...COMMON_BUNDLE_OPTIONS,
  format: 'esm' as const,
  outExtension: { '.js': '.mjs' },
  // Bundled CommonJS dependencies may call require(); give ES modules one.
  banner: { js: "import { createRequire as __mongeCreateRequire } from 'node:module'; const require = __mongeCreateRequire(import.meta.url);" },
};

/**
 * The worker threads of core/ that registration starts in either layout, by their bundled names (runtimeFile's first
 * argument): the CPU kernel engine's pool and the field sampler's slabs.
 */
export const CORE_WORKER_ENTRIES: Record<string, string> = {
  'cpu-worker': 'core/kernels/cpu-worker.ts',
  'field-sample-worker': 'core/field/sample-worker.ts',
};

/**
 * Copies the binaries the bundled entries load from their own folder: the WASM kernels (KERNELS_WASM_URL in
 * core/kernels/wasm-binary.ts). The committed file is named by its path, as the worker entries are, so that runtime,
 * which kernels imports, imports nothing of kernels.
 */
export async function copyRuntimeBinaries(outDir: string): Promise<void> {
  await copyFile(join(REPO_ROOT, 'core/kernels/wasm/kernels.wasm'), join(outDir, 'kernels.wasm'));
}
