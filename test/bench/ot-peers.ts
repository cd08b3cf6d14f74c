/**
 * OT benchmark (`npm run bench -- ot`): robust matching on the real copd1 vessel trees (scaled to mm), blur 1 mm,
 * reach 10 mm, scaling 0.8.
 * - large: 60k × 60k and 100k × 100k, wall time and peak memory (each in a fresh child process);
 * - peers: 5k, 10k and 20k subsets side by side with GeomLoss (tensorized, CPU; a copy found at MONGE_GEOMLOSS_DIR
 *   or ../peers) and POT (log-domain unbalanced), same problem, same run. Accuracy of the barycentric matches is
 *   measured against a float64 reference (Monge's float64 JS engine, tight tolerance) where it is affordable.
 * Peers whose Python packages are missing are skipped with a message; they never fail the benchmark.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createEngine } from '../../core/kernels/index.ts';
import { readMesh } from '../../core/io/meshes/index.ts';
import { match } from '../../core/ot/index.ts';
import { massProportionalSample } from '../../core/shape/sampling.ts';
import { mulberry32 } from '../../core/shape/prng.ts';
import { REPO_ROOT, sharedPath } from '../support/data.ts';

const BLUR = 1;
const REACH = 10;
const SCALING = 0.8;
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const GEOMLOSS_DIR = process.env.MONGE_GEOMLOSS_DIR ?? resolve(REPO_ROOT, '../peers');
const PEER_TIMEOUT_S = Number(process.env.MONGE_PEER_TIMEOUT ?? 900);

/** The two vessel trees in mm (the files are normalised: 1 unit = 100 mm, see the data README). */
async function vesselsMm(): Promise<[Float64Array, Float64Array]> {
  const source = await readMesh(sharedPath('lung/vessels/copd1_source.vtk'));
  const target = await readMesh(sharedPath('lung/vessels/copd1_target.vtk'));
  return [source.pointsLps.map((v) => v * 100), target.pointsLps.map((v) => v * 100)];
}

function subset(points: Float64Array, n: number, seed: number): Float64Array {
  const count = points.length / 3;
  if (n >= count) return points;
  const idx = massProportionalSample(points, new Float64Array(count).fill(1), n, seed);
  const out = new Float64Array(3 * idx.length);
  idx.forEach((i, k) => out.set(points.subarray(3 * i, 3 * i + 3), 3 * k));
  return out;
}

/** n points: the cloud, then jittered copies (0.3 mm) until n — for sizes beyond the real 60k. */
function grown(points: Float64Array, n: number, seed: number): Float64Array {
  const out = new Float64Array(3 * n);
  const random = mulberry32(seed);
  for (let i = 0; i < 3 * n; i++) out[i] = points[i % points.length] + (i >= points.length ? (random() - 0.5) * 0.6 : 0);
  return out;
}

function deviations(a: Float64Array, b: Float64Array): { median_mm: number; p95_mm: number } {
  const d = Float64Array.from({ length: a.length / 3 }, (_, i) => Math.hypot(a[3 * i] - b[3 * i], a[3 * i + 1] - b[3 * i + 1], a[3 * i + 2] - b[3 * i + 2])).sort();
  return { median_mm: d[Math.floor(d.length / 2)], p95_mm: d[Math.floor(0.95 * (d.length - 1))] };
}

/** Child mode: one large matching, prints {seconds, iterations, peak_rss_mb}. */
async function largeChild(n: number): Promise<void> {
  const [x0, y0] = await vesselsMm();
  const x = n > x0.length / 3 ? grown(x0, n, 1) : subset(x0, n, 1);
  const y = n > y0.length / 3 ? grown(y0, n, 2) : subset(y0, n, 2);
  const { engine, description } = await createEngine('cpu');
  const t0 = performance.now();
  const r = await match(engine, x, y, { blur: BLUR, reach: REACH, scaling: SCALING });
  const seconds = (performance.now() - t0) / 1000;
  await engine.dispose();
  process.stdout.write(
    `${JSON.stringify({ n, seconds, iterations: r.iterations, marginal_error: r.marginalError, multiscale: r.multiscale, ...description, peak_rss_mb: process.resourceUsage().maxRSS / 1024 })}\n`,
  );
}

function runPeer(peer: string, dir: string, x: string, y: string, out: string): { seconds?: number; skipped?: string } {
  const r = spawnSync(PYTHON, [join(REPO_ROOT, 'test/bench/peers/ot_peers.py'), peer, x, y, String(BLUR), String(REACH), String(SCALING), out], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: GEOMLOSS_DIR },
    timeout: PEER_TIMEOUT_S * 1000,
    cwd: dir,
  });
  if (r.error) return { skipped: `${peer}: ${r.error.message}` };
  if (r.status === 3) return { skipped: `${peer}: Python package missing (${r.stdout.trim()})` };
  if (r.status !== 0) return { skipped: `${peer}: failed (${(r.stderr || r.stdout).trim().split('\n').slice(-1)[0]})` };
  return JSON.parse(r.stdout.trim().split('\n').slice(-1)[0]) as { seconds: number };
}

export async function benchOt(): Promise<Record<string, unknown>> {
  const large: unknown[] = [];
  for (const n of [60000, 100000]) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'test/bench/ot-peers.ts'), '--large-child', String(n)], { encoding: 'utf8', timeout: 600_000 });
    large.push(r.status === 0 ? JSON.parse(r.stdout.trim().split('\n').slice(-1)[0]) : { n, failed: r.stderr.slice(-500) });
    process.stderr.write(`bench ot: large ${n}: ${JSON.stringify(large[large.length - 1])}\n`);
  }

  const [x0, y0] = await vesselsMm();
  const dir = await mkdtemp(join(tmpdir(), 'monge-ot-bench-'));
  const { engine: cpu, description } = await createEngine('cpu');
  const { engine: js } = await createEngine('js');
  const rows: Record<string, unknown>[] = [];
  const notes: string[] = [];
  try {
    for (const n of [5000, 10000, 20000]) {
      const x = subset(x0, n, 11);
      const y = subset(y0, n, 12);
      const t0 = performance.now();
      const mine = await match(cpu, x, y, { blur: BLUR, reach: REACH, scaling: SCALING });
      const mongeSeconds = (performance.now() - t0) / 1000;
      // The float64 reference: same schedule, float64 accumulation, tight marginal tolerance (5k only: it is slow).
      const reference = n <= 5000 ? (await match(js, x, y, { blur: BLUR, reach: REACH, scaling: SCALING, tol: 1e-6, maxIter: 5000 })).matched : undefined;
      const row: Record<string, unknown> = { n, monge_seconds: mongeSeconds, monge_iterations: mine.iterations };
      if (reference) row.monge_vs_float64 = deviations(mine.matched, reference);
      const xf = join(dir, 'x.f64');
      const yf = join(dir, 'y.f64');
      await writeFile(xf, new Uint8Array(x.buffer));
      await writeFile(yf, new Uint8Array(y.buffer));
      let fastest = Infinity;
      for (const peer of ['geomloss', 'pot']) {
        const out = join(dir, `${peer}.f64`);
        const result = runPeer(peer, dir, xf, yf, out);
        if (result.skipped) {
          notes.push(result.skipped);
          row[peer] = { skipped: result.skipped };
          continue;
        }
        const theirs = new Float64Array((await readFile(out)).buffer.slice(0));
        const entry: Record<string, unknown> = { seconds: result.seconds, vs_monge: deviations(theirs, mine.matched) };
        if (reference) entry.vs_float64 = deviations(theirs, reference);
        row[peer] = entry;
        fastest = Math.min(fastest, result.seconds!);
      }
      if (Number.isFinite(fastest)) row.speedup_vs_fastest_peer = fastest / mongeSeconds;
      rows.push(row);
      process.stderr.write(`bench ot: ${JSON.stringify(row)}\n`);
    }
  } finally {
    await cpu.dispose();
    await js.dispose();
    await rm(dir, { recursive: true, force: true });
  }
  const table = ['n       monge s   geomloss s   pot s   speedup vs fastest peer'];
  for (const r of rows) {
    const s = (v: unknown) => (typeof v === 'object' && v && 'seconds' in v ? (v as { seconds: number }).seconds.toFixed(2) : 'skipped');
    table.push(`${String(r.n).padEnd(8)}${(r.monge_seconds as number).toFixed(2).padStart(7)}   ${s(r.geomloss).padStart(10)}   ${s(r.pot).padStart(5)}   ${r.speedup_vs_fastest_peer ? (r.speedup_vs_fastest_peer as number).toFixed(1) + '×' : '—'}`);
  }
  process.stderr.write(`${table.join('\n')}\n`);
  return { problem: { blur_mm: BLUR, reach_mm: REACH, scaling: SCALING, data: 'copd1 vessel trees ×100 (mm)' }, engine: description, large, peers: rows, notes };
}

if (process.argv[2] === '--large-child') await largeChild(Number(process.argv[3]));
