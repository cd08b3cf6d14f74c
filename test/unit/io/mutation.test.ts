/**
 * Mutation tests of every reader: hundreds of truncated, bit-flipped and garbage variants of real files. Each must
 * end in an InputError or a valid shape (finite coordinates, indices in range) — never another exception, a
 * hang or an out-of-memory. Sources are real data (the MNE sample head, fsaverage5, the copd1 vessels and
 * landmarks), written in each format by Monge's own writers where the shared data has no such file.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../../core/io/errors.ts';
import { readImage } from '../../../core/io/images/read-image.ts';
import { writeImage } from '../../../core/io/images/write-image.ts';
import { MESH_CODECS, readMesh, shapeToMeshData } from '../../../core/io/meshes/index.ts';
import type { MeshCodec, MeshData } from '../../../core/io/meshes/types.ts';
import { POINT_CODECS, readPoints, shapeToPointSet } from '../../../core/io/points/index.ts';
import type { PointSetData } from '../../../core/io/points/types.ts';
import { mutants } from '../../support/mutate.ts';
import { needsSharedData, sharedPath } from '../../support/data.ts';
import { tempDir } from '../../support/temp-dir.ts';

const MESH_MUTANTS = 300;
const POINT_MUTANTS = 300;
const IMAGE_MUTANTS = 60;
/** A parse of a small file taking longer than this counts as a hang. */
const HANG_MS = 3000;

function assertValidMesh(data: MeshData, what: string): void {
  for (let i = 0; i < data.points.length; i++) assert.ok(Number.isFinite(data.points[i]), `${what}: non-finite coordinate accepted`);
  const n = data.points.length / 3;
  if (data.triangles) for (let i = 0; i < data.triangles.length; i++) assert.ok(data.triangles[i] < n, `${what}: index out of range accepted`);
  for (const a of data.arrays) assert.equal(a.values.length, a.components * n, `${what}: array ${a.name} has the wrong length`);
}

function assertValidPoints(data: PointSetData, what: string): void {
  for (let i = 0; i < data.points.length; i++) assert.ok(Number.isFinite(data.points[i]), `${what}: non-finite coordinate accepted`);
}

/** Runs `parse` on every mutant; anything but success or an InputError fails the test. */
function fuzz<T>(name: string, original: Uint8Array, count: number, parse: (bytes: Uint8Array) => T, validate: (r: T, what: string) => void) {
  let rejected = 0;
  for (const m of mutants(original, count, original.length)) {
    const what = `${name}, ${m.description}`;
    const t0 = performance.now();
    try {
      validate(parse(m.bytes), what);
    } catch (e) {
      if (e instanceof assert.AssertionError) throw e;
      assert.ok(e instanceof InputError, `${what}: threw ${(e as Error)?.name}: ${(e as Error)?.message}`);
      assert.match((e as InputError).message, /^\S/, 'message names the file');
      rejected++;
    }
    assert.ok(performance.now() - t0 < HANG_MS, `${what}: took ${(performance.now() - t0).toFixed(0)} ms`);
  }
  assert.ok(rejected > count / 4, `${name}: only ${rejected} of ${count} variants rejected — the reader is not checking its input`);
}

test('mesh readers survive corrupted real files', { skip: needsSharedData(), timeout: 300_000 }, async () => {
  const head = await readMesh(sharedPath('brain/mne-sample/inner_skull.surf'));
  // Give the written files a point array too, so array parsing is fuzzed.
  const curvature = new Float32Array(head.pointsLps.length / 3).map((_, i) => Math.sin(i));
  const source = { ...head, arrays: [{ name: 'curv', components: 1, values: curvature }] };
  const inputs: { codec: MeshCodec; name: string; bytes: Uint8Array }[] = [
    { codec: MESH_CODECS.find((c) => c.format === 'freesurfer')!, name: 'inner_skull.surf', bytes: readFileSync(sharedPath('brain/mne-sample/inner_skull.surf')) },
    { codec: MESH_CODECS.find((c) => c.format === 'gifti')!, name: 'pial_left.gii.gz', bytes: readFileSync(sharedPath('brain/fsaverage5/pial_left.gii.gz')) },
  ];
  for (const codec of MESH_CODECS) {
    if (!codec.serialize || codec.format === 'freesurfer') continue;
    for (const binary of [true, false]) {
      const data = shapeToMeshData(source, 'LPS');
      inputs.push({ codec, name: `inner_skull${binary ? '' : '-ascii'}${codec.extensions[codec.extensions.length - 1]}`, bytes: codec.serialize(data, { frame: 'LPS', binary }) });
    }
  }
  const vessels = readFileSync(sharedPath('lung/vessels/copd1_source.vtk'));
  inputs.push({ codec: MESH_CODECS.find((c) => c.format === 'vtk')!, name: 'copd1_source.vtk', bytes: vessels });
  for (const formats of ['vtk', 'vtp', 'stl', 'obj', 'off', 'ply', 'gifti', 'freesurfer']) {
    assert.ok(inputs.some((i) => i.codec.format === formats), `no fuzz input for ${formats}`);
  }
  for (const { codec, name, bytes } of inputs) {
    const count = name === 'copd1_source.vtk' ? MESH_MUTANTS / 3 : MESH_MUTANTS;
    fuzz(name, bytes, count, (b) => codec.parse(b, name), assertValidMesh);
  }
});

test('point-set readers survive corrupted real files', { skip: needsSharedData(), timeout: 120_000 }, async () => {
  const dir = sharedPath('lung/dirlab-copd');
  const landmarks = await readPoints(join(dir, 'copd1_300_landmarks_mm.csv'), { prefix: 'insp', assumeFrame: 'RAS' });
  const inputs: { format: string; name: string; bytes: Uint8Array; options: { spacingMm?: [number, number, number]; prefix?: string } }[] = [
    { format: 'csv', name: 'copd1_300_landmarks_mm.csv', bytes: readFileSync(join(dir, 'copd1_300_landmarks_mm.csv')), options: { prefix: 'exp' } },
    { format: 'dirlab', name: 'copd1_300_eBH_xyz_r1.txt', bytes: readFileSync(join(dir, 'copd1_300_eBH_xyz_r1.txt')), options: { spacingMm: [0.625, 0.625, 2.5] } },
  ];
  const plain = { ...landmarks, arrays: [], labels: landmarks.pointsLps.length > 0 ? Array.from({ length: landmarks.pointsLps.length / 3 }, (_, i) => `L${i}`) : undefined };
  for (const codec of POINT_CODECS) {
    if (codec.format === 'dirlab') continue;
    const text = codec.serialize(shapeToPointSet(plain, 'RAS'), { frame: 'RAS' });
    inputs.push({ format: codec.format, name: `landmarks${codec.extensions[0]}`, bytes: new TextEncoder().encode(text), options: {} });
  }
  for (const { format, name, bytes, options } of inputs) {
    const codec = POINT_CODECS.find((c) => c.format === format)!;
    fuzz(name, bytes, POINT_MUTANTS, (b) => codec.parse(b, name, options), assertValidPoints);
  }
});

test('image readers survive corrupted real files', { skip: needsSharedData(), timeout: 300_000 }, async (t) => {
  const tmp = await tempDir(t, 'fuzz');
  const aseg = await readImage(sharedPath('brain/mne-sample/aseg.mgz'));
  const sources: string[] = [sharedPath('volumes/totalsegmentator/example_seg.nii.gz'), sharedPath('brain/mne-sample/aseg.mgz')];
  for (const ext of ['nrrd', 'mha']) {
    const file = join(tmp, `aseg.${ext}`);
    await writeImage(file, aseg);
    sources.push(file);
  }
  for (const source of sources) {
    const original = readFileSync(source);
    const name = source.slice(source.lastIndexOf('/') + 1);
    let rejected = 0;
    for (const m of mutants(original, IMAGE_MUTANTS, original.length)) {
      const file = join(tmp, `mutant-${name}`);
      await writeFile(file, m.bytes);
      try {
        const image = await readImage(file);
        assert.equal(image.data.length, image.size[0] * image.size[1] * image.size[2] * image.components, `${name}, ${m.description}`);
        for (const v of [...image.spacingMm, ...image.originLps]) assert.ok(Number.isFinite(v), `${name}, ${m.description}: non-finite geometry`);
      } catch (e) {
        if (e instanceof assert.AssertionError) throw e;
        assert.ok(e instanceof InputError, `${name}, ${m.description}: threw ${(e as Error)?.name}: ${(e as Error)?.message}`);
        rejected++;
      }
    }
    assert.ok(rejected > IMAGE_MUTANTS / 4, `${name}: only ${rejected} rejected`);
  }
  assert.equal(process.exitCode ?? 0, 0, 'itk-wasm failures must not leak into the exit code');
});
