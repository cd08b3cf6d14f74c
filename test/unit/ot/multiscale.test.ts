/**
 * Multiscale solver: the octree hierarchy, the rigour of the truncation bound, and multiscale against dense on
 * real lung vessel clouds. The solver comparisons use the 'cpu' engine (WASM SIMD threads): the JS reference
 * engine needs ~1 s per 5k×5k reduction, too slow for hundreds of Sinkhorn iterations in a unit test. The 20k
 * comparison is multiscale-large.test.ts (opt-in).
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
import { centroidPotentials, keptBlocks } from '../../../core/ot/multiscale/truncation.ts';
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

test('the truncation bound never drops a significant pair (exact potentials, every block checked)', async () => {
  const x = gaussianCloud(400, 74, 6);
  const y = gaussianCloud(450, 75, 6, [3, 1, 0]);
  const blur = 1;
  const eps = blur * blur;
  const tau = 5;
  // converged dense potentials at ε
  const r = await solveOT(js, x, y, { blur, tol: 1e-6, maxIter: 5000, multiscale: false });
  const clouds = augmentedClouds(x, y);
  const a = resolveMasses(undefined, 400, 'a');
  const b = resolveMasses(undefined, 450, 'b');
  const H = buildHierarchy(clouds.x, clouds.y, a, b, [6, 3]);
  const top = H.levels[1]; // blocks of the finest level
  const fine = H.levels[2];
  const f = Float64Array.from(H.permX, (i) => r.f[i]);
  const g = Float64Array.from(H.permY, (j) => r.g[j]);
  const fx = await centroidPotentials(js, eps, 2, 1, top.x, fine.y, fine.b.logW, g, undefined);
  const gy = await centroidPotentials(js, eps, 2, 1, top.y, fine.x, fine.a.logW, f, undefined);
  const sp = keptBlocks(
    2,
    eps,
    tau,
    1,
    { centres: top.x, ...fx, extent: fine.parentExtentX!, mass: top.a.w },
    { centres: top.y, ...gy, extent: fine.parentExtentY!, mass: top.b.w },
    fine.xStart!,
    fine.yStart!,
  );
  const kx = fine.xStart!.length - 1;
  const ky = fine.yStart!.length - 1;
  let kept = 0;
  let significantBlocks = 0;
  for (let k = 0; k < kx; k++) {
    const cols = new Set(sp.cols.subarray(sp.rowPtr[k], sp.rowPtr[k + 1]));
    kept += cols.size;
    for (let l = 0; l < ky; l++) {
      let best = -Infinity;
      for (let i = fine.xStart![k]; i < fine.xStart![k + 1]; i++) {
        for (let j = fine.yStart![l]; j < fine.yStart![l + 1]; j++) {
          let d2 = 0;
          for (let d = 0; d < 3; d++) d2 += (fine.x.points[3 * i + d] - fine.y.points[3 * j + d]) ** 2;
          best = Math.max(best, f[i] + g[j] - 0.5 * d2);
        }
      }
      if (best > -tau * eps) {
        significantBlocks++;
        assert.ok(cols.has(l), `block (${k}, ${l}) holds a pair at ${best / eps} ε but was dropped`);
      }
    }
  }
  assert.ok(significantBlocks > 0 && kept < 0.5 * kx * ky, `kept ${kept} of ${kx * ky} blocks (${significantBlocks} needed)`);
});

test('automatic levels: finest cells ≥ 2 blur, halving, none for a small or blurry problem', () => {
  const x = augmentedClouds(gaussianCloud(5000, 76, 50), gaussianCloud(5000, 77, 50));
  const sizes = chooseCellSizes(x.x, x.y, 1, 400);
  assert.ok(sizes.length >= 2);
  assert.ok(sizes.at(-1)! >= 2);
  for (let k = 1; k < sizes.length; k++) assert.equal(sizes[k - 1], 2 * sizes[k]);
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
