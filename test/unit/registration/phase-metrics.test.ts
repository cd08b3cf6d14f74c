import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DistanceTarget, phaseMetrics, sharesVertexNumbering } from '../../../core/registration/pipeline/phase-metrics.ts';
import { readShape } from '../../../core/io/index.ts';
import type { Shape } from '../../../core/shape/index.ts';
import { needsSharedData, sharedPath } from '../../support/data.ts';

function mesh(pointsLps: number[], triangles: number[]): Shape {
  return { kind: 'mesh', pointsLps: Float64Array.from(pointsLps), triangles: Uint32Array.from(triangles), arrays: [], sourceFrame: 'LPS' };
}

test('vertex numbering is shared only by meshes with one triangulation, not by equal vertex counts', () => {
  const square = [0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0];
  const a = mesh(square, [0, 1, 2, 0, 2, 3]);
  const moved = mesh(square.map((v, i) => (i % 3 === 2 ? v + 2 : v)), [0, 1, 2, 0, 2, 3]);
  const renumbered = mesh(square, [1, 2, 3, 1, 3, 0]);
  assert.equal(sharesVertexNumbering(a, moved), true);
  assert.equal(sharesVertexNumbering(a, renumbered), false);
  const cloud: Shape = { kind: 'points', pointsLps: Float64Array.from(square), arrays: [], sourceFrame: 'LPS' };
  assert.equal(sharesVertexNumbering(cloud, cloud), false);
});

test('fsaverage5 white/pial get a vertex error (2.51 mm mean); white against a renumbered pial gets none', { skip: needsSharedData() }, async () => {
  const white = await readShape(sharedPath('brain', 'fsaverage5', 'white_left.gii.gz'));
  const pial = await readShape(sharedPath('brain', 'fsaverage5', 'pial_left.gii.gz'));
  const m = phaseMetrics({ warpedShape: white, fixedShape: pial, fixedTarget: DistanceTarget.of(pial) });
  assert.ok(m.vertexError);
  assert.ok(Math.abs(m.vertexError.mean - 2.51) < 0.01, `mean ${m.vertexError.mean}`);
  const shuffled: Shape = { ...pial, triangles: pial.triangles?.slice().reverse() };
  assert.equal(phaseMetrics({ warpedShape: white, fixedShape: shuffled, fixedTarget: DistanceTarget.of(shuffled) }).vertexError, undefined);
});
