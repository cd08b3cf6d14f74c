import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../../core/io/errors.ts';
import { writeMesh } from '../../../core/io/meshes/index.ts';
import type { PreparedInput } from '../../../core/registration/pipeline/inputs.ts';
import { checkFixedSizeForPreset } from '../../../core/registration/pipeline/preset-size.ts';
import { monge } from '../../support/monge-cli.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { icosphere } from '../metrics/meshes.ts';

/** A point set whose bounding-box diagonal is `diameter` (a box's two opposite corners). */
function fixedOf(diameter: number): PreparedInput {
  const side = diameter / Math.sqrt(3);
  return {
    path: `fixed-${diameter}.vtk`,
    kind: 'points',
    sha256: '',
    warnings: [],
    shape: { kind: 'points', pointsLps: Float64Array.of(0, 0, 0, side, side, side), arrays: [], sourceFrame: 'LPS' },
  };
}

test("a fixed shape smaller than a mm preset's first pre-alignment blur is refused, naming the file; an unusual size is warned of", () => {
  // Lung: first blur 40 mm; usual 100–1000 mm. Brain: first blur 10 mm; usual 30–500 mm.
  for (const [preset, diameter] of [['lung', 3.8], ['lung', 39], ['brain', 9]] as const) {
    assert.throws(
      () => checkFixedSizeForPreset(fixedOf(diameter), preset),
      (e: unknown) => {
        assert.ok(e instanceof InputError, String(e));
        assert.equal(e.file, `fixed-${diameter}.vtk`);
        assert.match(e.message, new RegExp(`smaller than the ${preset} preset's first pre-alignment blur`));
        assert.match(e.message, /rescale them to mm; for shapes in any unit, use --preset generic/);
        return true;
      },
      `${preset} at ${diameter} mm`,
    );
  }
  for (const [preset, diameter] of [['lung', 41], ['lung', 1500], ['brain', 11], ['brain', 600]] as const) {
    const warning = checkFixedSizeForPreset(fixedOf(diameter), preset);
    assert.ok(warning?.includes(`fixed-${diameter}.vtk is ${diameter} mm across (its bounding box's diagonal)`), `${preset} at ${diameter} mm: ${warning}`);
  }
  for (const [preset, diameter] of [['lung', 415], ['lung', 120], ['brain', 217], ['brain', 45]] as const) {
    assert.equal(checkFixedSizeForPreset(fixedOf(diameter), preset), undefined, `${preset} at ${diameter} mm`);
  }
  // The generic preset is scale-free.
  assert.equal(checkFixedSizeForPreset(fixedOf(0.01), 'generic'), undefined);
  assert.equal(checkFixedSizeForPreset(fixedOf(1e6), 'generic'), undefined);
});

test('monge register refuses a lung preset run on shapes a few mm across with exit 3, before any output', { timeout: 120_000 }, async (t) => {
  const dir = await tempDir(t, 'preset-size');
  const sphere = icosphere(2, 2); // radius 2 mm, a box diagonal of 4√3 = 6.9 mm: a normalised shape, not a lung in mm
  for (const name of ['moving.vtk', 'fixed.vtk']) {
    await writeMesh(join(dir, name), { kind: 'mesh', pointsLps: sphere.pointsLps, triangles: sphere.triangles, arrays: [], sourceFrame: 'LPS' });
  }
  const out = join(dir, 'out');
  const run = monge('register', join(dir, 'moving.vtk'), join(dir, 'fixed.vtk'), '-o', out, '--preset', 'lung');
  assert.equal(run.code, 3, run.stderr);
  assert.match(run.stderr, /fixed\.vtk: is 6\.9 mm across \(its bounding box's diagonal\), smaller than the lung preset's first pre-alignment blur \(40 mm\)/);
  assert.doesNotMatch(run.stderr, /internal error/);
  assert.equal(existsSync(out), false, 'no output folder');
});
