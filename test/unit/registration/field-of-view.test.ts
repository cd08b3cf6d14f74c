/**
 * A mask cut short by its scan's field of view: the faces of the grid it touches (counted by hand on boxes of known
 * size, named in anatomical terms through the image's direction matrix), the warning `monge register` gives for it,
 * and the app's results panel showing that warning from report.json.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { registerCommand } from '../../../core/cli/commands/register.ts';
import { EXIT } from '../../../core/cli/exit-codes.ts';
import type { ImageLps } from '../../../core/image/index.ts';
import { writeImage } from '../../../core/io/images/write-image.ts';
import { fieldOfViewWarning, MIN_CUT_AREA_MM2 } from '../../../core/registration/pipeline/field-of-view-warning.ts';
import { syntheticLungMask } from '../../../core/samples/index.ts';
import { anatomicalDirection, fieldOfViewCuts } from '../../../core/shape/index.ts';
import { readResultsFolder } from '../../../main/service/results-folder.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { imageFrom } from '../shape/synthetic.ts';

/** A 20 × 16 × 12 grid (spacing 1, 2, 3 mm) holding 1 where `inside(i, j, k)`. */
function boxImage(directionLps: Float64Array, inside: (i: number, j: number, k: number) => boolean): ImageLps {
  const size: [number, number, number] = [20, 16, 12];
  const data = new Uint8Array(size[0] * size[1] * size[2]);
  for (let k = 0; k < size[2]; k++) for (let j = 0; j < size[1]; j++) for (let i = 0; i < size[0]; i++) data[(k * size[1] + j) * size[0] + i] = inside(i, j, k) ? 1 : 0;
  return { size, spacingMm: [1, 2, 3], originLps: [10, -5, 40], directionLps, components: 1, data };
}

test('fieldOfViewCuts: the faces a mask touches, their voxels and area, named through the direction matrix', () => {
  // DIR-Lab's masks: index axes along −x, −y, −z in LPS (right, anterior, inferior).
  const flipped = Float64Array.from([-1, 0, 0, 0, -1, 0, 0, 0, -1]);
  // A box inside the grid touches nothing.
  assert.deepEqual(fieldOfViewCuts(boxImage(flipped, (i, j, k) => i >= 3 && i < 9 && j >= 2 && j < 10 && k >= 1 && k < 11)), []);
  // A box of 5 × 4 voxels in (i, j) running through the last slice (k = 11) and the first column (i = 0): the
  // k-high face holds 5 × 4 voxels of 1 × 2 mm², the i-low face 4 × 3 (j 4…7, k 9…11) of 2 × 3 mm².
  const cut = fieldOfViewCuts(boxImage(flipped, (i, j, k) => i < 5 && j >= 4 && j < 8 && k >= 9));
  assert.deepEqual(
    cut.map((c) => [c.axis, c.side, c.voxels, c.areaMm2, anatomicalDirection(c.normalLps)]),
    [
      [0, 'low', 12, 72, 'left'],
      [2, 'high', 20, 40, 'inferior'],
    ],
  );
  // The normals are unit vectors pointing away from the grid: the k axis runs to −z, so its high face faces −z.
  assert.deepEqual(cut[1].normalLps.map((v) => v + 0), [0, 0, -1]);
  // A grid turned by 30° about z: the i-low face's outward normal is −(cos 30°, sin 30°, 0), mostly right.
  const c = Math.cos(Math.PI / 6);
  const s = Math.sin(Math.PI / 6);
  const turned = fieldOfViewCuts(boxImage(Float64Array.from([c, -s, 0, s, c, 0, 0, 0, 1]), (i) => i === 0));
  const low = turned.find((t) => t.axis === 0 && t.side === 'low');
  assert.ok(low && Math.abs(low.normalLps[0] + c) < 1e-12 && Math.abs(low.normalLps[1] + s) < 1e-12, JSON.stringify(low));
  assert.equal(anatomicalDirection(low.normalLps), 'right');
  // Touching the i faces from j = 0 to 15 touches both j faces too; the other axes' faces count their own voxels.
  assert.deepEqual(turned.map((t) => [t.axis, t.side, t.voxels]), [[0, 'low', 16 * 12], [1, 'low', 12], [1, 'high', 12], [2, 'low', 16], [2, 'high', 16]]);
  assert.deepEqual(['superior', 'posterior', 'anterior'].map((_, n) => anatomicalDirection([[0, 0, 1], [0, 0.8, 0.6], [0.1, -0.9, 0.4]][n])), ['superior', 'posterior', 'anterior']);
});

test('a tip grazing the edge is no cut: the sample lung touches its top in one voxel and gets no warning', () => {
  const mask = syntheticLungMask();
  assert.deepEqual(fieldOfViewCuts(mask).map((c) => [c.axis, c.side, c.voxels, c.areaMm2]), [[2, 'high', 1, 6.25]]);
  const input = { path: 'sample.nii.gz', kind: 'image' as const, shape: { kind: 'points' as const, pointsLps: new Float64Array(3), arrays: [], sourceFrame: 'LPS' as const }, image: mask, sha256: '', warnings: [] };
  assert.equal(fieldOfViewWarning(input, 'moving'), undefined);
  // Cut 20 slices lower (50 mm), its top face holds far more than the least area that is warned about.
  const [nx, ny] = mask.size;
  const cut = { ...mask, size: [nx, ny, 85] as [number, number, number], data: mask.data.slice(0, nx * ny * 85) };
  const [top] = fieldOfViewCuts(cut);
  assert.ok(top.areaMm2 > 10 * MIN_CUT_AREA_MM2, `${top.areaMm2} mm²`);
  assert.match(fieldOfViewWarning({ ...input, image: cut }, 'moving') ?? '', /^the moving mask sample\.nii\.gz touches the edge of its image — superior \(\d+ voxels/);
});

test('monge register warns about a mask its scan cut short, and the results panel shows the warning', { timeout: 120_000 }, async (t) => {
  const dir = await tempDir(t, 'fov');
  // A ball of radius 14 mm; in the fixed volume it is shifted by 8 mm along +z, past the grid's top (z ≤ 20 mm).
  const ball = (shift: number) =>
    imageFrom([30, 30, 20], [2, 2, 2], Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), [0, 0, 0], (p) => (Math.hypot(p[0], p[1], p[2] - shift) < 14 ? 1 : 0));
  await writeImage(join(dir, 'moving.nii.gz'), ball(0));
  await writeImage(join(dir, 'fixed.nii.gz'), ball(8));
  const out = join(dir, 'out');
  // The JSON summary on stdout is not needed; the warnings go to stderr. Both are restored when the test ends.
  t.mock.method(process.stdout, 'write', () => true);
  const stderr = t.mock.method(process.stderr, 'write', () => true);
  const code = await registerCommand.run([join(dir, 'moving.nii.gz'), join(dir, 'fixed.nii.gz'), '-o', out, '--steps', 'prealign', '--field-spacing', '6', '--json']);
  const errors = stderr.mock.calls.map((c) => String(c.arguments[0])).join('');
  t.mock.restoreAll();
  assert.equal(code, EXIT.ok);
  // The ball's cross-section at the top face (voxel centres at z = 19 mm, 11 mm from its centre): radius
  // √(14² − 11²) = 8.7 mm, 236 mm², about 59 voxels of 2 × 2 mm; the moving ball (z ≤ 14 mm) touches nothing.
  const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as { warnings: string[] };
  const cut = report.warnings.filter((w) => /field of view/.test(w));
  assert.equal(cut.length, 1, report.warnings.join('\n'));
  const match = /^the fixed mask .*fixed\.nii\.gz touches the edge of its image — superior \((\d+) voxels, (\d+) mm²\)/.exec(cut[0]);
  assert.ok(match, cut[0]);
  assert.ok(Math.abs(Number(match[1]) - 59) <= 6 && Number(match[2]) === 4 * Number(match[1]), cut[0]);
  assert.ok(errors.includes(`monge register: warning: ${cut[0]}`), 'printed on stderr');
  const results = await readResultsFolder(out);
  assert.ok(results.warnings.includes(`registration: ${cut[0]}`), results.warnings.join('\n'));
});
