/**
 * The generic preset on a thin shape: a closed oblate ellipsoid 100 × 100 × 6 mm registered onto itself must stay
 * put. Its affine pre-alignment matched each point to the blurred average of both faces (blur 0.05–0.1 of the shape's
 * size, comparable to its thickness), and fitted again and again to those shrunken targets, which squashed the thin axis
 * to 3 % of its size (vertex error 1.5 mm where 0 is exact). The debiased matches (the Sinkhorn divergence's
 * correction, as the lung preset's affine stage uses) keep it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { register, REGISTRATION_OUTPUTS } from '../../../core/registration/index.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { icosphere } from '../metrics/meshes.ts';

test('generic preset: a thin ellipsoid registered onto itself keeps its thickness (affine ≈ identity)', { timeout: 120_000 }, async (t) => {
  const dir = await tempDir(t, 'monge-thin');
  const { pointsLps, triangles } = icosphere(3, 1);
  const scale = [50, 50, 3];
  const v = Array.from({ length: pointsLps.length / 3 }, (_, i) => `v ${[0, 1, 2].map((k) => pointsLps[3 * i + k] * scale[k]).join(' ')}`);
  const f = Array.from({ length: triangles.length / 3 }, (_, i) => `f ${triangles[3 * i] + 1} ${triangles[3 * i + 1] + 1} ${triangles[3 * i + 2] + 1}`);
  await writeFile(join(dir, 'pancake.obj'), `${[...v, ...f].join('\n')}\n`);
  const outDir = join(dir, 'out');
  await register({ moving: join(dir, 'pancake.obj'), fixed: join(dir, 'pancake.obj'), outDir, preset: 'generic', steps: ['prealign'] });
  const rows = (await readFile(join(outDir, REGISTRATION_OUTPUTS.affineMatrix), 'utf8')).trim().split('\n').filter((r) => !r.startsWith('#')).map((r) => r.trim().split(/\s+/).map(Number));
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(rows[r][c] - (r === c ? 1 : 0)) < 0.02, `affine [${r}][${c}] = ${rows[r][c]}`);
    assert.ok(Math.abs(rows[r][3]) < 0.2, `translation ${r} = ${rows[r][3]} mm`);
  }
});
