import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readMesh } from '../../../core/io/meshes/index.ts';
import { distanceArrays } from '../../../core/metrics/distance-arrays.ts';
import { surfaceDistanceReport } from '../../../core/metrics/surface-distance-report.ts';
import { vertexError } from '../../../core/metrics/vertex-error.ts';
import { needsSharedData, sharedPath } from '../../support/data.ts';
import { facePlanes, icosphere } from './meshes.ts';

test('surfaceDistanceReport: sphere r vs r + δ gives δ within the triangulation error, signs by side, JSON round trip', () => {
  const r = 15;
  const delta = 0.8;
  const inner = icosphere(3, r);
  const outer = icosphere(3, r + delta);
  const eInner = r - Math.min(...facePlanes(inner).offset);
  const eOuter = r + delta - Math.min(...facePlanes(outer).offset);
  const report = surfaceDistanceReport(inner, outer);
  assert.deepEqual(JSON.parse(JSON.stringify(report)), report);
  assert.equal(report.aToB.method, 'point-to-surface');
  assert.equal(report.aToB.absolute.n, inner.pointsLps.length / 3);
  for (const v of [report.aToB.absolute.meanMm, report.aToB.absolute.medianMm, report.aToB.absolute.p95Mm, report.aToB.absolute.maxMm]) {
    assert.ok(v >= delta - eOuter - 1e-12 && v <= delta + 1e-12, `A→B ${v}`);
  }
  for (const v of [report.bToA.absolute.meanMm, report.bToA.absolute.maxMm]) assert.ok(v >= delta - 1e-12 && v <= delta + eInner + 1e-12, `B→A ${v}`);
  // The inner sphere lies inside the outer one: A→B all negative, B→A all positive.
  assert.equal(report.aToB.signed?.insideFraction, 1);
  assert.ok(report.aToB.signed && Math.abs(report.aToB.signed.meanMm + report.aToB.absolute.meanMm) < 1e-12);
  assert.equal(report.aToB.signed?.minMm, -report.aToB.absolute.maxMm);
  assert.equal(report.bToA.signed?.insideFraction, 0);
  // The exported "Signed" array (float32) carries the same values.
  assert.equal(Math.fround(report.bToA.signed?.minMm ?? NaN), Math.min(...distanceArrays(outer, inner)[1].values));
  assert.ok(report.chamferMm >= delta - eOuter && report.chamferMm <= delta + eInner);
  assert.ok(report.hausdorffMm <= delta + eInner + 1e-12 && report.hausdorffMm >= report.hausdorff95Mm);
  assert.ok(report.hausdorff95Mm >= delta - 1e-12);
});

test('surfaceDistanceReport: towards a point set the distances are point-to-point and unsigned', () => {
  // Cube corners (no triangles) → single point (0.5, 0.5, 2): d(corners) = √1.5 (×4), √4.5 (×4); point → cube: 1.
  const corners = { pointsLps: Float64Array.from([0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1]) };
  const point = { pointsLps: Float64Array.from([0.5, 0.5, 2]) };
  const report = surfaceDistanceReport(corners, point);
  assert.equal(report.aToB.method, 'point-to-point');
  assert.equal(report.aToB.signed, null);
  assert.equal(report.bToA.signed, null);
  assert.ok(Math.abs(report.aToB.absolute.meanMm - (Math.sqrt(1.5) + Math.sqrt(4.5)) / 2) < 1e-12);
  assert.ok(Math.abs(report.aToB.absolute.medianMm - (Math.sqrt(1.5) + Math.sqrt(4.5)) / 2) < 1e-12);
  assert.ok(Math.abs(report.aToB.absolute.maxMm - Math.sqrt(4.5)) < 1e-12);
  // Point → corners (no triangles): nearest corner √1.5.
  assert.ok(Math.abs(report.bToA.absolute.meanMm - Math.sqrt(1.5)) < 1e-12);
  assert.deepEqual(distanceArrays(point, corners).map((a) => a.name), ['Absolute']);
});

test('fsaverage5 white → pial (left): vertex error ≈ 2.51 mm (README), surface distance smaller', { skip: needsSharedData() }, async () => {
  const white = await readMesh(sharedPath('brain/fsaverage5/white_left.gii.gz'));
  const pial = await readMesh(sharedPath('brain/fsaverage5/pial_left.gii.gz'));
  const ve = vertexError(white, pial);
  // README: "mean displacement 2.5 mm, max 6.9 mm" (2.51 mm to two decimals).
  assert.equal(ve.summary.n, 10242);
  assert.equal(+ve.summary.mean.toFixed(2), 2.51);
  assert.equal(+ve.summary.max.toFixed(1), 6.9);
  const report = surfaceDistanceReport(white, pial);
  // The pial surface is nearer to a white vertex somewhere on its triangles than at the corresponding vertex:
  // measured 2.21 mm mean white → pial against 2.51 mm vertex error.
  assert.ok(report.aToB.absolute.meanMm < ve.summary.mean - 0.2, `surface ${report.aToB.absolute.meanMm} vs vertex ${ve.summary.mean}`);
  assert.ok(report.aToB.absolute.meanMm > 2 && report.aToB.absolute.maxMm <= ve.summary.max);
  // Every white vertex's distance to the pial surface is at most its distance to its own pial vertex.
  const arrays = distanceArrays(white, pial);
  assert.deepEqual(arrays.map((a) => a.name), ['Absolute', 'Signed']);
  for (let i = 0; i < 10242; i++) assert.ok(arrays[0].values[i] <= Math.fround(ve.perVertexMm[i]) + 1e-6, `vertex ${i}`);
  // White matter lies inside the pial surface (outward normals): the signed distance is negative almost everywhere
  // (the exceptions sit on the medial wall, where the two surfaces coincide to within 0.1 mm).
  assert.ok(report.aToB.signed && report.aToB.signed.insideFraction > 0.95 && report.aToB.signed.maxMm < 0.1);
  assert.ok(report.bToA.signed && report.bToA.signed.insideFraction < 0.01 && report.bToA.signed.meanMm > 2);
  assert.ok(report.chamferMm > 2 && report.chamferMm < ve.summary.mean);
});
