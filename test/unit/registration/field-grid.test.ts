/**
 * The field grid is decided before the pipeline runs: a grid above MAX_FIELD_VOXELS asked for by a field spacing is
 * refused at once with a spacing that fits (it used to fail after the whole pipeline, as an internal error: "Invalid
 * typed array length"), and a fixed image whose own grid is that large gets its box at a coarser spacing, with a note.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { gridVoxelCount } from '../../../core/field/grid.ts';
import { register } from '../../../core/registration/index.ts';
import { FieldGridError, fieldGridOf, MAX_FIELD_VOXELS } from '../../../core/registration/pipeline/field-grid.ts';
import type { PreparedInput } from '../../../core/registration/pipeline/inputs.ts';
import { writeSyntheticPairs } from '../../integration/batch/support.ts';
import { tempDir } from '../../support/temp-dir.ts';

const IDENTITY = Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);

/** A fixed volume input with the geometry of a `size` grid at `spacingMm` (fieldGridOf reads only the geometry). */
function fixedImage(size: [number, number, number], spacingMm: number): PreparedInput {
  const image = { size, spacingMm: [spacingMm, spacingMm, spacingMm] as [number, number, number], originLps: [-100, -80, -300] as [number, number, number], directionLps: IDENTITY, components: 1, data: new Uint8Array(0), componentType: 'uint8', pixelType: 'Scalar', metadata: {}, format: 'nifti' as const, warnings: [] };
  return { path: 'fixed.nii.gz', kind: 'image', sha256: '', warnings: [], image, shape: { kind: 'points', pointsLps: Float64Array.of(0, 0, 0, 10, 10, 10), arrays: [], sourceFrame: 'LPS' } };
}

test('a fixed image grid within the limit is used as it is; a field spacing regrids its box', () => {
  const fixed = fixedImage([512, 512, 300], 0.7); // 79 M voxels: a CT's own grid
  const own = fieldGridOf(fixed, undefined, 2, 10);
  assert.equal(own.source, 'fixed image grid');
  assert.deepEqual(own.grid.size, [512, 512, 300]);
  assert.equal(own.note, undefined);
  const regridded = fieldGridOf(fixed, 2, 2, 10);
  assert.equal(regridded.source, 'fixed image box');
  assert.deepEqual(regridded.grid.size, [180, 180, 106]); // (n − 1) · 0.7 / 2 + 1, rounded
  // A spacing coarser than the image: the one voxel left sits at the image's middle, not at its first corner.
  const one = fieldGridOf(fixed, 1e6, 2, 10).grid;
  assert.deepEqual(one.size, [1, 1, 1]);
  assert.deepEqual(one.originLps, [-100 + 511 * 0.35, -80 + 511 * 0.35, -300 + 299 * 0.35]);
});

test('a fixed image grid above the limit is regridded on its box at the finest spacing that fits, with a note', () => {
  const fixed = fixedImage([512, 512, 800], 0.6); // 210 M voxels
  const fg = fieldGridOf(fixed, undefined, 2, 10);
  assert.equal(fg.source, 'fixed image box');
  const h = fg.grid.spacingMm[0];
  assert.ok(gridVoxelCount(fg.grid) <= MAX_FIELD_VOXELS);
  // The box of 306.6 × 306.6 × 479.4 mm holds 100 M voxels at (306.6² · 479.4 / 1e8)^(1/3) ≈ 0.77 mm.
  assert.ok(h >= 0.77 && h <= 0.8, `spacing ${h}`);
  // The same box, centred: its middle is the image's, and its first voxel within half a new voxel of the image's.
  const middle = (g: { originLps: readonly number[]; size: readonly number[]; spacingMm: readonly number[] }) => [0, 1, 2].map((a) => g.originLps[a] + ((g.size[a] - 1) * g.spacingMm[a]) / 2);
  middle(fg.grid).forEach((c, a) => assert.ok(Math.abs(c - middle(fixed.image!)[a]) < 1e-9, `axis ${a}: ${c}`));
  fg.grid.originLps.forEach((o, a) => assert.ok(Math.abs(o - [-100, -80, -300][a]) <= h / 2, `origin ${a}: ${o}`));
  assert.match(fg.note ?? '', /512 × 512 × 800 = 210 M voxels .* written on its box at 0\.\d+ mm/);
});

test('a field spacing whose grid is above the limit is refused, naming a spacing that fits', () => {
  const fixed = fixedImage([192, 192, 208], 1.7);
  assert.throws(() => fieldGridOf(fixed, 0.3, 2, 10), (e: unknown) => {
    assert.ok(e instanceof FieldGridError);
    const fits = Number(/give a field spacing of ([\d.]+) mm or more/.exec(e.message)?.[1]);
    assert.ok(gridVoxelCount(fieldGridOf(fixed, fits, 2, 10).grid) <= MAX_FIELD_VOXELS, `${fits} mm fits`);
    assert.throws(() => fieldGridOf(fixed, 0.97 * fits, 2, 10), FieldGridError, 'and is close to the finest that does');
    return true;
  });
});

test('register refuses a too-fine field spacing before the pipeline runs and leaves no output folder', async (t) => {
  const dir = await tempDir(t, 'field-grid');
  await writeSyntheticPairs(dir, 1); // m0.vtk onto f0.vtk: ellipsoids of a few hundred vertices
  await mkdir(join(dir, 'runs'));
  const stages = new Set<string>();
  await assert.rejects(
    register({ moving: join(dir, 'm0.vtk'), fixed: join(dir, 'f0.vtk'), outDir: join(dir, 'runs', 'out'), fieldSpacingMm: 0.05 }, { onProgress: (r) => stages.add(r.stage) }),
    (e: unknown) => e instanceof FieldGridError && /at 0\.05 mm would have \d+ × \d+ × \d+ = \d+ M voxels/.test(e.message),
  );
  assert.deepEqual([...stages], ['reading inputs'], 'no step ran');
  assert.deepEqual(await readdir(join(dir, 'runs')), [], 'no OUTDIR, no partial folder');
});
