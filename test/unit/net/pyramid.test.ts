// The network's input pyramid: FPS levels as prefixes, the normalisation, neighbour tables against brute force,
// control indices into the input, removal of isolated outliers, and small clouds.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { JsEngine } from '../../../core/kernels/js-engine.ts';
import type { KernelEngine } from '../../../core/kernels/types.ts';
import { buildPyramid } from '../../../core/registration/net/pyramid.ts';
import { farthestPointSample } from '../../../core/shape/index.ts';
import { ellipsoidCloud, tinyConfig } from './tiny.ts';

let engine: KernelEngine;
before(() => {
  engine = new JsEngine();
});
after(async () => {
  await engine.dispose();
});

const config = tinyConfig();

function bruteKnn(query: Float32Array, ref: Float32Array, k: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < query.length / 3; i++) {
    const d: [number, number][] = [];
    for (let j = 0; j < ref.length / 3; j++) d.push([(query[3 * i] - ref[3 * j]) ** 2 + (query[3 * i + 1] - ref[3 * j + 1]) ** 2 + (query[3 * i + 2] - ref[3 * j + 2]) ** 2, j]);
    out.push(d.sort((a, b) => a[0] - b[0] || a[1] - b[1]).slice(0, k).map((x) => x[1]));
  }
  return out;
}

test('levels are prefixes of one farthest-point order; coordinates are (p − centroid) / scale', async () => {
  const cloud = ellipsoidCloud(400, 1); // fewer than the pool: every point is in the pool
  const p = await buildPyramid(cloud, config, engine, 0);
  const [n0, n1] = config.levels;
  assert.equal(p.points.length, 3 * n0);
  // The first n1 control points are an n1-point FPS of the control points themselves (FPS is progressive).
  const fps1 = farthestPointSample(p.controlMm, n1);
  assert.deepEqual(Array.from(fps1), Array.from({ length: n1 }, (_, i) => i));
  const centre = [0, 1, 2].map((d) => Array.from({ length: n0 }, (_, s) => p.controlMm[3 * s + d]).reduce((a, b) => a + b, 0) / n0);
  for (let d = 0; d < 3; d++) assert.ok(Math.abs(centre[d] - p.centreMm[d]) < 1e-9);
  for (let s = 0; s < n0; s++) {
    const i = p.controlIndex[s];
    for (let d = 0; d < 3; d++) {
      assert.equal(p.controlMm[3 * s + d], cloud[3 * i + d]);
      assert.ok(Math.abs(p.points[3 * s + d] - (cloud[3 * i + d] - p.centreMm[d]) / config.scaleMm) < 1e-6);
    }
  }
});

test('neighbour tables are the k nearest points of the named levels', async () => {
  const p = await buildPyramid(ellipsoidCloud(2000, 2), config, engine, 3);
  const [n0, n1, n2] = config.levels;
  const lv = (n: number) => p.points.subarray(0, 3 * n);
  const check = (table: Int32Array, q: Float32Array, r: Float32Array, k: number) => {
    const want = bruteKnn(q, r, k);
    want.forEach((row, i) => assert.deepEqual(Array.from(table.subarray(i * k, (i + 1) * k)).sort((a, b) => a - b), [...row].sort((a, b) => a - b), `row ${i}`));
  };
  check(p.nbr10, lv(n1), lv(n0), config.kFeature);
  check(p.nbr21, lv(n2), lv(n1), config.kFeature);
  check(p.nbr11, lv(n1), lv(n1), config.kFlow);
  check(p.nbr22, lv(n2), lv(n2), config.kFlow);
  check(p.up01, lv(n0), lv(n1), 3);
  check(p.up12, lv(n1), lv(n2), 3);
});

test('isolated outliers are removed before sampling; small clouds are cycled to N0', async () => {
  const cloud = ellipsoidCloud(500, 4);
  const withOutliers = new Float64Array(cloud.length + 3 * 5);
  withOutliers.set(cloud);
  for (let k = 0; k < 5; k++) withOutliers.set([400 + 50 * k, -300, 250], cloud.length + 3 * k);
  const p = await buildPyramid(withOutliers, config, engine, 0);
  assert.ok(p.removedOutliers >= 5);
  for (let s = 0; s < config.levels[0]; s++) assert.ok(p.controlIndex[s] < 500, 'no outlier among the control points');
  const small = await buildPyramid(ellipsoidCloud(100, 5), config, engine, 0);
  assert.equal(small.points.length, 3 * config.levels[0]);
  assert.equal(new Set(small.controlIndex).size, 100);
});
