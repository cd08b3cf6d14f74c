/**
 * Ctrl-C and SIGTERM during a short command (here `monge convert` writing a large .nii.gz) end it at once, as Node's
 * default does, but without leaving the write's hidden temporary file beside the output: "stopped", the process ends
 * by the signal, and the folder holds only the input. Before, Node's default left `.out.XXXX.tmp.nii.gz`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeImage } from '../../../core/io/images/write-image.ts';
import { mulberry32 } from '../../../core/shape/index.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { waitFor } from '../../support/wait-for.ts';
import { startMonge } from '../batch/support.ts';

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} while monge convert writes leaves no temporary file`, { timeout: 120_000 }, async (t) => {
    const dir = await tempDir(t, 'interrupt-convert');
    // 200³ random float32 voxels (32 MB): itk-wasm takes about a second to gzip them, long enough to be caught writing.
    const rand = mulberry32(3);
    const data = new Float32Array(200 ** 3).map(() => rand());
    await writeImage(join(dir, 'big.nii'), { size: [200, 200, 200], spacingMm: [1, 1, 1], originLps: [0, 0, 0], directionLps: Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), components: 1, data });
    const { child, done } = startMonge(['convert', join(dir, 'big.nii'), join(dir, 'out.nii.gz')]);
    await waitFor(async () => (await readdir(dir)).some((e) => e.startsWith('.out.') && e.includes('.tmp')), child, 'its temporary file was seen', 5);
    child.kill(signal);
    const run = await done;
    assert.equal(run.signal, signal, `exit ${run.code} (signal ${run.signal}): ${run.stderr}`);
    assert.match(run.stderr, /monge convert: stopped/);
    assert.deepEqual(await readdir(dir), ['big.nii'], 'neither out.nii.gz nor its temporary file');
  });
}
