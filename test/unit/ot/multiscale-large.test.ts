/**
 * Multiscale against dense at full scale: 20 000 + 20 000 real lung vessel points (copd1, ×100 → mm), 'cpu'
 * engine. The dense solve alone takes minutes on two cores, so this comparison is opt-in:
 *   MONGE_OT_LARGE=1 node --import tsx --test test/unit/ot/multiscale-large.test.ts
 * (the unit suite runs the same comparison on 3 000 points, multiscale.test.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CpuEngine } from '../../../core/kernels/cpu-engine.ts';
import { match } from '../../../core/ot/index.ts';
import { needsSharedData } from '../../support/data.ts';
import { readSharedPoints } from './support/cases.ts';

const enabled = process.env.MONGE_OT_LARGE === '1';
const skip = enabled ? needsSharedData() : 'opt-in: set MONGE_OT_LARGE=1';

function vessels(file: string, n: number): Float64Array {
  const p = readSharedPoints(file);
  const step = Math.floor(p.length / 3 / n);
  const out = new Float64Array(3 * n);
  for (let k = 0; k < n; k++) for (let c = 0; c < 3; c++) out[3 * k + c] = p[3 * k * step + c] * 100;
  return out;
}

test('multiscale = dense on 20 000 + 20 000 lung vessel points: cost within 0.1 %, median match within 0.02 blur', { skip, timeout: 3_600_000 }, async () => {
  const engine = await CpuEngine.create();
  try {
    const n = 20000;
    const blur = Number(process.env.MONGE_OT_LARGE_BLUR ?? 4);
    const x = vessels('lung/vessels/copd1_source.vtk', n);
    const y = vessels('lung/vessels/copd1_target.vtk', n);
    let t = performance.now();
    const ms = await match(engine, x, y, { blur, multiscale: true });
    const tMs = (performance.now() - t) / 1000;
    t = performance.now();
    const dense = await match(engine, x, y, { blur, multiscale: false });
    const tDense = (performance.now() - t) / 1000;
    const dev = Array.from({ length: n }, (_, i) =>
      Math.hypot(ms.matched[3 * i] - dense.matched[3 * i], ms.matched[3 * i + 1] - dense.matched[3 * i + 1], ms.matched[3 * i + 2] - dense.matched[3 * i + 2]),
    ).sort((u, v) => u - v);
    console.log(
      JSON.stringify({
        blur,
        engine: `${engine.name} ×${engine.threads}`,
        multiscale: { seconds: tMs, cost: ms.cost, iterations: ms.iterations, marginalError: ms.marginalError, ...ms.multiscale },
        dense: { seconds: tDense, cost: dense.cost, iterations: dense.iterations, marginalError: dense.marginalError },
        relativeCostDifference: ms.cost / dense.cost - 1,
        medianDeviationOverBlur: dev[n >> 1] / blur,
        p95DeviationOverBlur: dev[Math.floor(0.95 * n)] / blur,
      }),
    );
    assert.ok(Math.abs(ms.cost - dense.cost) < 1e-3 * dense.cost);
    assert.ok(dev[n >> 1] < 0.02 * blur);
  } finally {
    await engine.dispose();
  }
});
