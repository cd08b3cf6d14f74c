// The committed core/kernels/wasm/kernels.wasm is exactly what `npm run build:kernels` produces from the
// AssemblyScript sources with the assemblyscript package installed here: the build step runs from npm
// packages alone, and the binary cannot drift from its sources.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { buildKernels } from '../../../core/kernels/build-kernels.ts';
import { KERNELS_WASM_URL } from '../../../core/kernels/wasm-binary.ts';
import { wasmApi } from '../../../core/kernels/wasm-api.ts';

test('rebuilding the kernels reproduces the committed kernels.wasm byte for byte', async () => {
  const [built, committed] = await Promise.all([buildKernels(), readFile(fileURLToPath(KERNELS_WASM_URL))]);
  assert.ok(wasmApi.validate(built), 'the rebuilt binary is valid WebAssembly');
  assert.ok(built.length > 4000, `binary of ${built.length} bytes`);
  assert.ok(
    Buffer.from(built).equals(committed),
    `kernels.wasm is stale (${committed.length} bytes committed, ${built.length} built): run \`npm run build:kernels\``,
  );
});
