/**
 * RobOT matching: barycentric projections, confidences, hard matches, the sparse plan, feature-augmented costs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JsEngine } from '../../../core/kernels/js-engine.ts';
import { match, planRows, solveOT } from '../../../core/ot/index.ts';
import { loadFixture } from './support/cases.ts';
import { denseSolve } from './support/dense-reference.ts';
import { gaussianCloud, randomMasses } from './support/random.ts';

const engine = new JsEngine();

/** The rigidly moved lattice of the fixture (its exact OT plan is the identity, checked with POT's ot.emd). */
function rigidLattice(): { x: Float64Array; y: Float64Array } {
  const L = loadFixture().rigidLattice;
  assert.ok(L.otPlanIsIdentity);
  const n = L.size ** 3;
  const x = new Float64Array(3 * n);
  let k = 0;
  for (let i = 0; i < L.size; i++) for (let j = 0; j < L.size; j++) for (let l = 0; l < L.size; l++) x.set([i, j, l].map((v) => v * L.spacing), 3 * k++);
  const norm = Math.hypot(...L.axis);
  const [ux, uy, uz] = L.axis.map((v) => v / norm);
  const t = (L.angleDeg * Math.PI) / 180;
  const c = Math.cos(t);
  const s = Math.sin(t);
  const R = [
    [c + ux * ux * (1 - c), ux * uy * (1 - c) - uz * s, ux * uz * (1 - c) + uy * s],
    [uy * ux * (1 - c) + uz * s, c + uy * uy * (1 - c), uy * uz * (1 - c) - ux * s],
    [uz * ux * (1 - c) - uy * s, uz * uy * (1 - c) + ux * s, c + uz * uz * (1 - c)],
  ];
  const centre = ((L.size - 1) * L.spacing) / 2;
  const y = new Float64Array(3 * n);
  for (let p = 0; p < n; p++) {
    const d = [0, 1, 2].map((q) => x[3 * p + q] - centre);
    for (let r = 0; r < 3; r++) y[3 * p + r] = R[r][0] * d[0] + R[r][1] * d[1] + R[r][2] * d[2] + centre + L.translation[r];
  }
  return { x, y };
}

test('barycentric matches of a rigidly moved cloud recover the motion within 0.05·blur', async () => {
  const { x, y } = rigidLattice();
  const n = x.length / 3;
  const blur = 0.1;
  const r = await match(engine, x, y, { blur, hard: true });
  assert.ok(r.marginalError < 1e-3);
  let worst = 0;
  for (let i = 0; i < n; i++) {
    worst = Math.max(worst, Math.hypot(r.matched[3 * i] - y[3 * i], r.matched[3 * i + 1] - y[3 * i + 1], r.matched[3 * i + 2] - y[3 * i + 2]));
    assert.equal(r.hardIndex![i], i);
    assert.ok(Math.abs(r.confidence[i] - 1) < 1e-2, `confidence ${r.confidence[i]}`);
  }
  assert.ok(worst < 0.05 * blur, `largest deviation ${worst}`);
  // a permutation of y changes nothing but the indices
  const perm = Array.from({ length: n }, (_, k) => (k * 37) % n);
  const yp = new Float64Array(3 * n);
  perm.forEach((src, k) => yp.set(y.subarray(3 * src, 3 * src + 3), 3 * k));
  const rp = await match(engine, x, yp, { blur, hard: true });
  for (let i = 0; i < n; i++) assert.equal(perm[rp.hardIndex![i]], i);
});

test('unbalanced matching gives outliers a low confidence', async () => {
  const n = 60;
  const x = gaussianCloud(n, 31, 3);
  // the last 6 x points are moved 8 mm away from everything: outliers; y = the other 54, slightly shifted
  for (let i = n - 6; i < n; i++) x[3 * i + 2] += 8 + 3 * 3;
  const y = x.slice(0, 3 * (n - 6)).map((v, k) => v + [0.2, -0.1, 0.05][k % 3]);
  const r = await match(engine, x, y, { blur: 0.3, reach: 1.0 });
  const inlier = Math.min(...r.confidence.subarray(0, n - 6));
  const outlier = Math.max(...r.confidence.subarray(n - 6));
  assert.ok(inlier > 0.5, `inlier confidence ${inlier}`);
  assert.ok(outlier < 1e-3, `outlier confidence ${outlier}`);
  // with a balanced model every point is fully transported, outlier or not
  const balanced = await match(engine, x, gaussianCloud(n, 32, 3), { blur: 0.3, tol: 1e-6, maxIter: 5000 });
  for (const w of balanced.confidence) assert.ok(Math.abs(w - 1) < 1e-3, `confidence ${w}`);
});

test('the sparse plan rows are the largest entries of the dense plan', async () => {
  const x = gaussianCloud(30, 41);
  const y = gaussianCloud(40, 42, 1, [0.5, 0, 0]);
  const a = randomMasses(30, 43);
  const b = randomMasses(40, 44);
  const blur = 0.4;
  const r = await solveOT(engine, x, y, { blur, a, b, tol: 1e-6, maxIter: 5000 });
  const ref = denseSolve({ x: Float64Array.from(Float32Array.from(x)), y: Float64Array.from(Float32Array.from(y)), dim: 3, a, b, eps: blur ** 2, rho: null, p: 2 });
  const rows = planRows(x, y, r, { blur, a, b }, [0, 7, 29], 5);
  for (const row of rows) {
    const dense = Array.from(ref.plan.subarray(row.index * 40, row.index * 40 + 40));
    const order = dense.map((v, j) => [v, j]).sort((p, q) => q[0] - p[0]);
    for (let k = 0; k < 5; k++) {
      assert.equal(row.columns[k], order[k][1]);
      assert.ok(Math.abs(row.values[k] - order[k][0]) < 1e-4 * order[0][0], `π ${row.values[k]} vs ${order[k][0]}`);
    }
  }
  // the full row sums to a_i (balanced)
  const full = planRows(x, y, r, { blur, a, b }, [3], 40)[0];
  assert.ok(Math.abs(full.values.reduce((s, v) => s + v, 0) - a[3]) < 2e-3 * a[3]);
  assert.throws(() => planRows(x, y, r, { blur, a, b }, [30], 3), RangeError);
});

test('features steer the matches; matched points stay xyz', async () => {
  // two parallel rows of points 0.3 apart; the feature labels are swapped between the rows in y
  const n = 20;
  const x = new Float64Array(6 * n);
  for (let i = 0; i < n; i++) {
    x.set([i, 0, 0], 3 * i);
    x.set([i, 0, 0.3], 3 * (n + i));
  }
  const y = x.slice();
  const labelX = Float64Array.from({ length: 2 * n }, (_, k) => (k < n ? 0 : 1));
  const labelY = Float64Array.from({ length: 2 * n }, (_, k) => (k < n ? 1 : 0));
  const blur = 0.1;
  const plain = await match(engine, x, y, { blur });
  const steered = await match(engine, x, y, { blur, features: { x: [labelX], y: [labelY], weights: [1] } });
  for (let i = 0; i < n; i++) {
    assert.ok(Math.abs(plain.matched[3 * i + 2]) < 0.01, 'without features a point stays in its row');
    assert.ok(Math.abs(steered.matched[3 * i + 2] - 0.3) < 0.01, 'with features it goes to the row with its label');
    assert.ok(Math.abs(steered.matched[3 * i] - i) < 0.01);
  }
  assert.equal(steered.matched.length, 3 * 2 * n);
});
