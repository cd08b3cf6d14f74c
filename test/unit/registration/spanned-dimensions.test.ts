/**
 * A fixed shape flatter than the moving one (a plane, a line, a point against a surface) is refused as bad input,
 * naming the file, before the pipeline runs: the pre-alignment's affine fit onto it came out singular, and the run
 * ended in an internal error with a stack trace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../../../core/io/errors.ts';
import { register } from '../../../core/registration/index.ts';
import { spannedDimensions } from '../../../core/registration/pipeline/spanned-dimensions.ts';
import { mulberry32 } from '../../../core/shape/index.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { icosphere } from '../metrics/meshes.ts';

/** n random points in the box of half-sizes (a, b, c), rotated about z by 30° and shifted, so no axis is special. */
function box(n: number, a: number, b: number, c: number, seed = 1): Float64Array {
  const rand = mulberry32(seed);
  const p = new Float64Array(3 * n);
  const [cs, sn] = [Math.cos(Math.PI / 6), Math.sin(Math.PI / 6)];
  for (let i = 0; i < n; i++) {
    const [x, y, z] = [a * (2 * rand() - 1), b * (2 * rand() - 1), c * (2 * rand() - 1)];
    p.set([cs * x - sn * y + 10, sn * x + cs * y - 20, z + 30], 3 * i);
  }
  return p;
}

test('spannedDimensions counts the principal extents above 1e-4 of the largest, with the extents in mm', () => {
  assert.equal(spannedDimensions(box(200, 50, 40, 30)).dimensions, 3);
  // A 6 mm slab 100 mm across is anatomy (a thin shape), not a plane.
  assert.equal(spannedDimensions(box(200, 50, 50, 3)).dimensions, 3);
  const plane = spannedDimensions(box(200, 50, 40, 0));
  assert.equal(plane.dimensions, 2);
  assert.ok(plane.extentsMm[2] < 1e-9 && Math.abs(plane.extentsMm[0] - 50 / Math.sqrt(3)) < 5, plane.extentsMm.join(' '));
  assert.equal(spannedDimensions(box(200, 50, 0, 0)).dimensions, 1);
  assert.equal(spannedDimensions(Float64Array.from([1, 2, 3, 1, 2, 3, 1, 2, 3])).dimensions, 0);
});

test('register refuses a planar, linear or single-point fixed shape for a surface, naming the fixed file; no folder', { timeout: 60_000 }, async (t) => {
  const dir = await tempDir(t, 'monge-flat-fixed');
  const { pointsLps, triangles } = icosphere(2, 40);
  const v = Array.from({ length: pointsLps.length / 3 }, (_, i) => `v ${pointsLps[3 * i]} ${pointsLps[3 * i + 1]} ${pointsLps[3 * i + 2]}`);
  const f = Array.from({ length: triangles.length / 3 }, (_, i) => `f ${triangles[3 * i] + 1} ${triangles[3 * i + 1] + 1} ${triangles[3 * i + 2] + 1}`);
  await writeFile(join(dir, 'ball.obj'), `${[...v, ...f].join('\n')}\n`);
  const csv = (p: Float64Array): string => `x,y,z\n${Array.from({ length: p.length / 3 }, (_, i) => `${p[3 * i]},${p[3 * i + 1]},${p[3 * i + 2]}`).join('\n')}\n`;
  for (const [name, points, words] of [
    ['disc.csv', box(300, 40, 40, 0), 'a plane'],
    ['line.csv', box(50, 40, 0, 0), 'a line'],
    ['point.csv', Float64Array.from([5, 5, 5, 5, 5, 5]), 'a single point'],
  ] as const) {
    await writeFile(join(dir, name), csv(points));
    const outDir = join(dir, `out-${name}`);
    await assert.rejects(register({ moving: join(dir, 'ball.obj'), fixed: join(dir, name), outDir, preset: 'generic' }), (e: unknown) => {
      assert.ok(e instanceof InputError, String(e));
      assert.equal(e.file, join(dir, name));
      assert.match(e.message, new RegExp(`its points lie on ${words} .*where the moving shape spans 3 dimensions`));
      return true;
    });
    assert.equal(existsSync(outDir), false, `no ${outDir}`);
  }
  // The other way round (a flat moving shape onto a surface) is a registration like any other.
  const flat = await register({ moving: join(dir, 'disc.csv'), fixed: join(dir, 'ball.obj'), outDir: join(dir, 'flat-moving'), preset: 'generic', steps: ['prealign'] });
  assert.ok(flat.files.includes('report.json'));
});
