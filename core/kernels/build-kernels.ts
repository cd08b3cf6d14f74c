/**
 * Builds core/kernels/wasm/kernels.wasm from the AssemblyScript sources in core/kernels/wasm/ (`npm run
 * build:kernels`). The binary is committed so that `npm install` and the tests need no build step; the test
 * test/unit/kernels/wasm-build.test.ts rebuilds it here and checks the committed file is byte-identical.
 *
 * Flags: SIMD (f32x4 kernels), threads (the memory is a shared WebAssembly.Memory imported from the host, so
 * every worker thread's instance sees the same inputs), the stub runtime (the kernels never allocate), -O3.
 * asc runs in a child `node` process: loaded through tsx, its multi-megabyte bundles take three times longer.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { KERNELS_MAX_PAGES, KERNELS_WASM_URL } from './wasm-binary.ts';

/** The entry source, relative to the repository root (asc runs there, so the output never depends on paths). */
export const KERNELS_ENTRY = 'core/kernels/wasm/kernels.ts';

/** asc arguments, after the entry file and output. */
export const ASC_FLAGS: readonly string[] = [
  '--optimizeLevel', '3',
  '--shrinkLevel', '0',
  '--noAssert',
  '--runtime', 'stub',
  '--enable', 'simd',
  '--enable', 'threads',
  '--importMemory',
  '--sharedMemory',
  '--noExportMemory',
  '--initialMemory', '1',
  '--maximumMemory', String(KERNELS_MAX_PAGES),
  // AS112: v128 parameters of internal (non-exported) helpers; harmless, they never cross into JS.
  '--disableWarning', '112',
];

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Compiles the kernels and returns the binary (nothing in the repository is written). */
export async function buildKernels(): Promise<Uint8Array> {
  const asc = fileURLToPath(import.meta.resolve('assemblyscript/bin/asc.js'));
  const dir = await mkdtemp(join(tmpdir(), 'monge-kernels-'));
  try {
    const out = join(dir, 'kernels.wasm');
    try {
      await promisify(execFile)(process.execPath, [asc, KERNELS_ENTRY, '--outFile', out, ...ASC_FLAGS], { cwd: REPO_ROOT });
    } catch (e) {
      const detail = e as { stderr?: string; stdout?: string; message: string };
      throw new Error(`asc failed: ${detail.message}\n${detail.stdout ?? ''}${detail.stderr ?? ''}`);
    }
    return new Uint8Array(await readFile(out));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const binary = await buildKernels();
  await writeFileAtomic(fileURLToPath(KERNELS_WASM_URL), binary);
  process.stdout.write(`wrote ${fileURLToPath(KERNELS_WASM_URL)} (${binary.length} bytes)\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
