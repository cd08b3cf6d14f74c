/**
 * Registration-network benchmark (`npm run bench -- net`): the shipped lung network (assets/models/lung) on a
 * 60 000-point moving cloud — the DIR-Lab COPD1 vessel trees (60 000 points each, stored in units of 100 mm)
 * when the shared data is present, else 60 000 points on an ellipsoid — through the full inference path on the
 * default backend: pyramids (pool, outlier removal, FPS, neighbour tables), the network on the control points,
 * and Gaussian interpolation to all 60 000 points. Reports the best of three timed runs after a warm-up, per
 * stage, and memory. The acceptance bound is 2 s in total on the project's 2-core CPU.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readShape } from '../../core/io/index.ts';
import { createEngine } from '../../core/kernels/index.ts';
import { loadRegistrationNet, predictDisplacement, type NetPrediction } from '../../core/registration/net/inference.ts';
import { createRandom, prepareSynthShape, sampleShape } from '../../core/registration/synth/index.ts';
import { REPO_ROOT, sharedPath } from '../support/data.ts';

const POINTS = 60000;

async function clouds(): Promise<{ moving: Float64Array; fixed: Float64Array; source: string }> {
  const a = sharedPath('lung', 'vessels', 'copd1_source.vtk');
  const b = sharedPath('lung', 'vessels', 'copd1_target.vtk');
  if (existsSync(a) && existsSync(b)) {
    const scale = (p: Float64Array) => p.map((v) => v * 100);
    return { moving: scale((await readShape(a)).pointsLps), fixed: scale((await readShape(b)).pointsLps), source: 'DIR-Lab COPD1 vessel trees (×100 mm)' };
  }
  const { pointsLps, triangles } = ellipsoid();
  const shape = prepareSynthShape({ pointsLps, triangles }, 'ellipsoid');
  return { moving: sampleShape(shape, POINTS, createRandom(1)), fixed: sampleShape(shape, POINTS, createRandom(2)).map((v, i) => v * 1.03 + (i % 3 === 2 ? 10 : 0)), source: 'ellipsoid (shared data absent)' };
}

function ellipsoid(): { pointsLps: Float64Array; triangles: Uint32Array } {
  const rings = 60;
  const seg = 120;
  const pts: number[] = [0, 0, 130];
  for (let r = 1; r < rings; r++) {
    const t = (Math.PI * r) / rings;
    for (let s = 0; s < seg; s++) pts.push(150 * Math.sin(t) * Math.cos((2 * Math.PI * s) / seg), 100 * Math.sin(t) * Math.sin((2 * Math.PI * s) / seg), 130 * Math.cos(t));
  }
  pts.push(0, 0, -130);
  const at = (r: number, s: number): number => 1 + (r - 1) * seg + (s % seg);
  const tri: number[] = [];
  for (let s = 0; s < seg; s++) tri.push(0, at(1, s), at(1, s + 1), pts.length / 3 - 1, at(rings - 1, s + 1), at(rings - 1, s));
  for (let r = 1; r < rings - 1; r++) for (let s = 0; s < seg; s++) tri.push(at(r, s), at(r + 1, s), at(r + 1, s + 1), at(r, s), at(r + 1, s + 1), at(r, s + 1));
  return { pointsLps: Float64Array.from(pts), triangles: Uint32Array.from(tri) };
}

const round = (v: number, digits = 3): number => Number(v.toFixed(digits));

export async function benchNet(): Promise<Record<string, unknown>> {
  const modelDir = join(REPO_ROOT, 'assets', 'models', 'lung');
  const { moving, fixed, source } = await clouds();
  const { engine, description } = await createEngine('auto');
  try {
    const t0 = performance.now();
    const net = await loadRegistrationNet(modelDir);
    const loadSeconds = (performance.now() - t0) / 1000;
    await predictDisplacement(net, moving, fixed, { engine });
    let best: NetPrediction | undefined;
    for (let run = 0; run < 3; run++) {
      const p = await predictDisplacement(net, moving, fixed, { engine });
      if (!best || p.report.seconds.total < best.report.seconds.total) best = p;
    }
    const r = best!.report;
    net.dispose();
    return {
      model: 'assets/models/lung',
      clouds: source,
      moving_points: r.movingPoints,
      fixed_points: r.fixedPoints,
      control_points: r.controlPoints,
      backend: r.backend,
      kernel_engine: description,
      load_seconds: round(loadSeconds),
      seconds: { prepare: round(r.seconds.prepare), network: round(r.seconds.network), interpolate: round(r.seconds.interpolate), total: round(r.seconds.total) },
      within_2s: r.seconds.total <= 2,
      memory: { tfjs_mb: round(r.memory.tfjsBytesAfterNetwork / 2 ** 20, 1), tfjs_tensors: r.memory.tfjsTensors, rss_mb: round(r.memory.rssMb, 0) },
    };
  } finally {
    await engine.dispose();
  }
}
