/**
 * Multiscale solver: the octree hierarchy, the rigour of the truncation bound, and multiscale against dense on
 * real lung vessel clouds. The solver comparisons use the 'cpu' engine (WASM SIMD threads): the JS reference
 * engine needs ~1 s per 5k×5k reduction, too slow for hundreds of Sinkhorn iterations in a unit test. The 20k
 * comparison is multiscale-large.test.ts (20 000 points, in the suite; MONGE_OT_LARGE=0 skips it).
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { CpuEngine } from '../../../core/kernels/cpu-engine.ts';
import { JsEngine } from '../../../core/kernels/js-engine.ts';
import { augmentedClouds } from '../../../core/ot/features.ts';
import { match, sinkhornDivergence, solveOT } from '../../../core/ot/index.ts';
import { resolveMasses } from '../../../core/ot/masses.ts';
import { buildHierarchy } from '../../../core/ot/multiscale/grid-hierarchy.ts';
import { chooseCellSizes } from '../../../core/ot/multiscale/levels.ts';
import { allPairs, prunePairs } from '../../../core/ot/multiscale/truncation.ts';
import { columnTree, searchPairs } from '../../../core/ot/multiscale/verify.ts';
import { needsSharedData } from '../../support/data.ts';
import { readSharedPoints } from './support/cases.ts';
import { gaussianCloud, randomMasses } from './support/random.ts';

const js = new JsEngine();
let cpu: CpuEngine | undefined;
async function cpuEngine(): Promise<CpuEngine> {
  cpu ??= await CpuEngine.create();
  return cpu;
}
after(async () => {
  await cpu?.dispose();
});

/** Every `step`-th point of a shared VTK cloud, ×100 (the vessel files are in units of 100 mm). */
function vessels(file: string, n: number): Float64Array {
  const p = readSharedPoints(file);
  const step = Math.floor(p.length / 3 / n);
  const out = new Float64Array(3 * n);
  for (let k = 0; k < n; k++) for (let c = 0; c < 3; c++) out[3 * k + c] = p[3 * k * step + c] * 100;
  return out;
}

test('the hierarchy nests contiguous clusters, keeps mass, and its extents cover the children', () => {
  const x = gaussianCloud(700, 71, 20);
  const y = gaussianCloud(500, 72, 15, [5, 0, 0]);
  const clouds = augmentedClouds(x, y);
  const a = resolveMasses(randomMasses(700, 73), 700, 'a');
  const b = resolveMasses(undefined, 500, 'b');
  const H = buildHierarchy(clouds.x, clouds.y, a, b, [16, 8, 4]);
  assert.equal(H.levels.length, 4);
  assert.deepEqual([...H.permX].sort((u, v) => u - v), [...Array(700).keys()]);
  const finest = H.levels[3];
  for (let s = 0; s < 700; s++) assert.equal(finest.a.w[s], a.w[H.permX[s]]);
  for (let k = 1; k < 4; k++) {
    const level = H.levels[k];
    const parent = H.levels[k - 1];
    for (const [start, pts, par, ext, w, pw] of [
      [level.xStart!, level.x, parent.x, level.parentExtentX!, level.a.w, parent.a.w],
      [level.yStart!, level.y, parent.y, level.parentExtentY!, level.b.w, parent.b.w],
    ] as const) {
      assert.equal(start.length, par.points.length / 3 + 1);
      assert.equal(start[start.length - 1], pts.points.length / 3);
      for (let c = 0; c + 1 < start.length; c++) {
        assert.ok(start[c + 1] > start[c], 'no empty cluster');
        let mass = 0;
        for (let s = start[c]; s < start[c + 1]; s++) {
          mass += w[s];
          let d2 = 0;
          for (let d = 0; d < 3; d++) {
            const off = pts.points[3 * s + d] - par.points[3 * c + d];
            d2 += off * off;
            assert.ok(off >= ext.lo[3 * c + d] && off <= ext.hi[3 * c + d], 'offset inside the box');
          }
          assert.ok(Math.sqrt(d2) <= ext.radius[c]);
        }
        assert.ok(Math.abs(mass - pw[c]) < 1e-12 * Math.max(1, mass));
      }
    }
  }
  // a cluster of level k lies in one grid cell of side cellSize (xyz): its members are within the cell diagonal
  for (let k = 0; k < 3; k++) {
    const side = H.levels[k].cellSize;
    const ext = H.levels[k + 1].parentExtentX!;
    for (let c = 0; c < ext.radius.length; c++) {
      for (let d = 0; d < 3; d++) assert.ok(ext.hi[3 * c + d] - ext.lo[3 * c + d] <= side * (1 + 1e-5));
    }
  }
});

/** Brute-force φ_ij = f_i + g_j − ½|x_i − y_j|² of every pair (sorted clouds of a level). */
function allPhi(x: Float32Array, y: Float32Array, f: ArrayLike<number>, g: ArrayLike<number>): Float64Array {
  const n = f.length;
  const m = g.length;
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let d2 = 0;
      for (let d = 0; d < 3; d++) d2 += (x[3 * i + d] - y[3 * j + d]) ** 2;
      out[i * m + j] = f[i] + g[j] - 0.5 * d2;
    }
  }
  return out;
}

test('the truncation test keeps exactly the pairs above −τε, and the relative part keeps a shifted row or column', async () => {
  const n = 300;
  const m = 280;
  const x = gaussianCloud(n, 74, 6);
  const y = gaussianCloud(m, 75, 6, [3, 1, 0]);
  const eps = 1;
  const r = await solveOT(js, x, y, { blur: 1, tol: 1e-6, maxIter: 5000, multiscale: false });
  const clouds = augmentedClouds(x, y);
  const phi = allPhi(clouds.x.points, clouds.y.points, r.f, r.g);
  const every = allPairs(n, m);
  const test0 = { keepAbove: -4 * eps, candidateAbove: -9 * eps };
  const mass = new Float64Array(m).fill(1 / m);
  mass[7] = 0; // a column of zero mass is never kept
  const v = Float64Array.from(r.g, (g, j) => (mass[j] > 0 ? g : -Infinity));
  const pruned = prunePairs(2, clouds.x, clouds.y, r.f, v, test0, every);
  let kept = 0;
  for (let i = 0; i < n; i++) {
    const keptRow = new Set(pruned.kept.cols.subarray(pruned.kept.rowPtr[i], pruned.kept.rowPtr[i + 1]));
    const candRow = new Set(pruned.candidates.cols.subarray(pruned.candidates.rowPtr[i], pruned.candidates.rowPtr[i + 1]));
    let rowBest = -Infinity;
    for (let j = 0; j < m; j++) {
      const value = mass[j] > 0 ? phi[i * m + j] : -Infinity;
      rowBest = Math.max(rowBest, value);
      // 1e-9 relative slack: float32 coordinates, float64 potentials
      if (value > -4 + 1e-6) assert.ok(keptRow.has(j), `pair (${i}, ${j}) at ${value} ε was dropped`);
      if (value < -4 - 1e-6 && keptRow.size > 1) assert.ok(!keptRow.has(j), `pair (${i}, ${j}) at ${value} ε was kept`);
      if (value > -9 + 1e-6) assert.ok(candRow.has(j), `candidate (${i}, ${j}) at ${value} ε was dropped`);
    }
    assert.ok(!keptRow.has(7) && !candRow.has(7), 'the zero-mass column is never kept');
    assert.ok(keptRow.size >= 1, 'every row keeps at least one column');
    assert.ok(Math.abs(pruned.rowMax[i] - rowBest) < 1e-4 * (1 + Math.abs(rowBest)));
    kept += keptRow.size;
  }
  assert.ok(kept > n && kept < 0.5 * n * m, `kept ${kept} of ${n * m}`);
  // a row shifted far down (an unconverged potential) keeps its candidates through the relative part
  const shifted = Float64Array.from(r.f);
  shifted[0] -= 50 * eps;
  const alone = prunePairs(2, clouds.x, clouds.y, shifted, v, test0, every);
  const withReference = prunePairs(2, clouds.x, clouds.y, shifted, v, { ...test0, rowReference: alone.rowMax, relativeMargin: 9 * eps }, every);
  const count = (p: typeof alone, i: number): number => p.candidates.rowPtr[i + 1] - p.candidates.rowPtr[i];
  assert.ok(count(alone, 0) <= 1, 'without a reference the shifted row loses its candidates');
  let withinMargin = 0;
  for (let j = 0; j < m; j++) if (mass[j] > 0 && phi[j] > pruned.rowMax[0] - 9 * eps) withinMargin++;
  assert.ok(withinMargin > 5);
  assert.equal(count(withReference, 0), withinMargin, 'with its best as reference it keeps the pairs within the margin of it');
  for (let i = 1; i < n; i++) assert.equal(count(withReference, i), count(pruned, i));
});

test('the cpu engine runs the same truncation test as the JS one', async () => {
  const engine = await cpuEngine();
  const n = 900;
  const m = 800;
  const x = gaussianCloud(n, 91, 10);
  const y = gaussianCloud(m, 92, 10, [2, 0, 1]);
  const clouds = augmentedClouds(x, y);
  const f = Float64Array.from({ length: n }, (_, i) => 3 * Math.sin(i));
  const g = Float64Array.from({ length: m }, (_, j) => (j % 50 === 0 ? -Infinity : 2 * Math.cos(j)));
  const every = allPairs(n, m);
  const rowReference = Float32Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 10 : Infinity));
  const columnReference = Float32Array.from({ length: m }, (_, j) => (j % 5 === 0 ? 5 : Infinity));
  const test0 = { keepAbove: -20, candidateAbove: -45, rowReference, columnReference, relativeMargin: 60 };
  const a = prunePairs(2, clouds.x, clouds.y, f, g, test0, every);
  const b = await engine.prunePairs!(2, clouds.x, clouds.y, Float32Array.from(f), Float32Array.from(g), test0, every);
  assert.ok(a.kept.cols.length > 1000 && a.candidates.cols.length > a.kept.cols.length);
  // float32 potentials on the engine: pairs within 1e-3 of a threshold may differ
  let differ = 0;
  for (const [u, w] of [
    [a.kept, b.kept],
    [a.candidates, b.candidates],
  ] as const) {
    for (let i = 0; i < n; i++) {
      const su = new Set(u.cols.subarray(u.rowPtr[i], u.rowPtr[i + 1]));
      const sw = new Set(w.cols.subarray(w.rowPtr[i], w.rowPtr[i + 1]));
      for (const j of su) if (!sw.has(j)) differ++;
      for (const j of sw) if (!su.has(j)) differ++;
      const cols = w.cols.subarray(w.rowPtr[i], w.rowPtr[i + 1]);
      for (let k = 1; k < cols.length; k++) assert.ok(cols[k] > cols[k - 1], 'columns ascending');
    }
  }
  assert.ok(differ <= 2, `${differ} pairs differ`);
  for (let i = 0; i < n; i++) assert.ok(Math.abs(a.rowMax[i] - b.rowMax[i]) < 1e-3 * (1 + Math.abs(a.rowMax[i])));
});

test('the complete-pairs search finds every pair above the threshold, with bounds that prune most nodes', () => {
  const x = gaussianCloud(1200, 81, 25);
  const y = gaussianCloud(1100, 82, 25, [4, -2, 1]);
  const clouds = augmentedClouds(x, y);
  const a = resolveMasses(undefined, 1200, 'a');
  const b = resolveMasses(undefined, 1100, 'b');
  const H = buildHierarchy(clouds.x, clouds.y, a, b, [32, 16, 8, 4]);
  const fine = H.levels[H.levels.length - 1];
  // smooth, non-trivial potentials (an affine part plus a wiggle), one masked column
  const f = Float64Array.from({ length: 1200 }, (_, i) => 0.3 * fine.x.points[3 * i] + 2 * Math.sin(fine.x.points[3 * i + 1] / 7));
  const g = Float64Array.from({ length: 1100 }, (_, j) => (j === 5 ? -Infinity : -0.2 * fine.y.points[3 * j + 2] + Math.cos(fine.y.points[3 * j] / 5)));
  const threshold = 30;
  const tree = columnTree(H, 'y', fine.y, g, 2);
  const found = searchPairs(2, fine.x, fine.y, f, g, threshold, tree);
  const phi = allPhi(fine.x.points, fine.y.points, f, g);
  let expected = 0;
  for (let i = 0; i < 1200; i++) {
    const row = Array.from(found.cols.subarray(found.rowPtr[i], found.rowPtr[i + 1]));
    const want: number[] = [];
    for (let j = 0; j < 1100; j++) if (phi[i * 1100 + j] > -threshold) want.push(j);
    assert.deepEqual(row, want, `row ${i}`);
    expected += want.length;
  }
  assert.ok(expected > 1200 && expected < 0.3 * 1200 * 1100, `${expected} pairs`);
  // the x→x tree of the same hierarchy (self transport)
  const selfTree = columnTree(H, 'x', fine.x, f, 2);
  const self = searchPairs(2, fine.x, fine.x, f, f, threshold, selfTree);
  const phiSelf = allPhi(fine.x.points, fine.x.points, f, f);
  let selfCount = 0;
  for (let k = 0; k < phiSelf.length; k++) if (phiSelf[k] > -threshold) selfCount++;
  assert.equal(self.cols.length, selfCount);
});

test('automatic levels: finest cells ≥ 2 blur, shrinking by powers of two, none for a small or blurry problem', () => {
  const x = augmentedClouds(gaussianCloud(5000, 76, 50), gaussianCloud(5000, 77, 50));
  const sizes = chooseCellSizes(x.x, x.y, 1, 400);
  assert.ok(sizes.length >= 2);
  assert.ok(sizes.at(-1)! >= 2);
  for (let k = 1; k < sizes.length; k++) {
    const ratio = Math.log2(sizes[k - 1] / sizes[k]);
    assert.ok(ratio >= 1 && Number.isInteger(ratio), `${sizes[k - 1]} / ${sizes[k]}`);
  }
  assert.deepEqual(chooseCellSizes(x.x, x.y, 100, 400), []);
});

test('multiscale = dense on real lung vessels (3 000 + 3 000 points, mm): cost within 0.1 %, matches within 0.02 blur', { skip: needsSharedData() }, async () => {
  const engine = await cpuEngine();
  const n = 3000;
  const x = vessels('lung/vessels/copd1_source.vtk', n);
  const y = vessels('lung/vessels/copd1_target.vtk', n);
  const blur = 6;
  const ms = await match(engine, x, y, { blur, multiscale: true });
  const dense = await match(engine, x, y, { blur, multiscale: false });
  assert.ok(ms.multiscale && ms.multiscale.levels.length >= 3, 'the multiscale solver ran');
  assert.ok(ms.multiscale.keptFraction < 0.5, `kept ${ms.multiscale.keptFraction}`);
  assert.equal(dense.multiscale, undefined);
  assert.ok(ms.marginalError < 1e-3 && dense.marginalError < 1e-3);
  assert.ok(Math.abs(ms.cost - dense.cost) < 1e-3 * dense.cost, `cost ${ms.cost} vs dense ${dense.cost}`);
  const dev = Array.from({ length: n }, (_, i) =>
    Math.hypot(ms.matched[3 * i] - dense.matched[3 * i], ms.matched[3 * i + 1] - dense.matched[3 * i + 1], ms.matched[3 * i + 2] - dense.matched[3 * i + 2]),
  ).sort((u, v) => u - v);
  assert.ok(dev[n >> 1] < 0.02 * blur, `median deviation ${dev[n >> 1]}`);
  for (let i = 0; i < n; i++) assert.ok(Math.abs(ms.confidence[i] - dense.confidence[i]) < 0.05);
});

test('multiscale divergence, gradients, unbalanced and zero masses agree with dense', async () => {
  const engine = await cpuEngine();
  const n = 2500;
  const x = gaussianCloud(n, 78, 30);
  const y = gaussianCloud(n, 79, 30, [8, -4, 2]);
  const a = randomMasses(n, 80);
  for (let i = 0; i < n; i += 50) a[i] = 0;
  const b = randomMasses(n, 81, 1.2);
  const options = { blur: 3, reach: 40, a, b, gradient: { x: true, a: true } };
  const ms = await sinkhornDivergence(engine, x, y, { ...options, multiscale: true });
  const dense = await sinkhornDivergence(engine, x, y, { ...options, multiscale: false });
  assert.ok(ms.multiscale, 'the multiscale solver ran');
  assert.ok(Math.abs(ms.value - dense.value) < 1e-3 * Math.abs(dense.value), `S ${ms.value} vs ${dense.value}`);
  let num = 0;
  let den = 0;
  for (let k = 0; k < 3 * n; k++) {
    num += (ms.gradX![k] - dense.gradX![k]) ** 2;
    den += dense.gradX![k] ** 2;
  }
  assert.ok(Math.sqrt(num / den) < 1e-2, `gradient relative difference ${Math.sqrt(num / den)}`);
  assert.ok(ms.gradX!.every(Number.isFinite) && ms.gradA!.every(Number.isFinite));
});
