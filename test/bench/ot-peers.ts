/**
 * OT benchmark (`npm run bench -- ot`): robust matching (RobOT barycentric matches) between the real copd1 vessel
 * trees, scaled to mm (the files hold (p − centre) / 100, see ../shared/data/README.md), blur 1 mm, reach 10 mm,
 * scaling 0.8, uniform masses.
 * - large: 60k × 60k (the real trees) and 100k × 100k (the trees and jittered copies, 0.3 mm), each run in a
 *   fresh child process, REPEATS times: wall time of `match` (engine already started), iterations, marginal
 *   error, and the child's peak resident memory (process.resourceUsage().maxRSS, whole process).
 * - peers: 5k, 10k and 20k subsets side by side with GeomLoss (tensorized, CPU, float32 — a copy at
 *   MONGE_GEOMLOSS_DIR or ../peers, imported as `geomloss`) and POT (stabilised log-domain unbalanced Sinkhorn,
 *   float64), same problem, same run (test/bench/peers/ot_peers.py). Monge's time is the median of REPEATS runs
 *   after a warm-up; a peer runs once (its solve takes minutes). The ratio is the fastest peer's time over
 *   Monge's.
 *   Accuracy: the deviation (mm) of each method's barycentric matches from a float64 reference at the same ε and
 *   ρ: Monge's solver on the 'js' engine (float64 arithmetic in every reduction), truncation τ = 20 (a dropped
 *   pair holds less than e^-20 of its row's mass scale), converged to a marginal error of 1e-7, with the solver's
 *   complete-pairs check (no pair above the truncation threshold is missing).
 * Peers whose Python packages are missing (or that fail, or run out of time) are skipped with a message; they
 * never fail the benchmark. MONGE_PEER_TIMEOUT (s, default 1800) caps each peer run; MONGE_OT_PEER_SIZES (e.g.
 * "5000,10000") picks the subset sizes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { createEngine } from '../../core/kernels/index.ts';
import { readMesh } from '../../core/io/meshes/index.ts';
import { match } from '../../core/ot/index.ts';
import { massProportionalSample, mulberry32 } from '../../core/shape/index.ts';
import { REPO_ROOT, sharedPath } from '../support/data.ts';
import { benchScratch } from './scratch.ts';

const BLUR = 1;
const REACH = 10;
const SCALING = 0.8;
const REPEATS = 3;
const LARGE_TARGETS: Record<number, number> = { 60000: 3, 100000: 6 };
const MEMORY_TARGET_MB = 1024;
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const GEOMLOSS_DIR = process.env.MONGE_GEOMLOSS_DIR ?? resolve(REPO_ROOT, '../peers');
const PEER_TIMEOUT_S = Number(process.env.MONGE_PEER_TIMEOUT ?? 1800);
const PEER_SIZES = (process.env.MONGE_OT_PEER_SIZES ?? '5000,10000,20000').split(',').map(Number);

/** The two vessel trees in mm (the files are normalised: 1 unit = 100 mm, see the data README). */
export async function vesselsMm(): Promise<[Float64Array, Float64Array]> {
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

/** n points: the cloud, then jittered copies (±0.3 mm) until n — for sizes beyond the real 60k. */
function grown(points: Float64Array, n: number, seed: number): Float64Array {
  const out = new Float64Array(3 * n);
  const random = mulberry32(seed);
  for (let i = 0; i < 3 * n; i++) out[i] = points[i % points.length] + (i >= points.length ? (random() - 0.5) * 0.6 : 0);
  return out;
}

interface Deviation {
  median_mm: number;
  p95_mm: number;
  max_mm: number;
}

function deviations(a: Float64Array, b: Float64Array): Deviation {
  const d = Float64Array.from({ length: a.length / 3 }, (_, i) => Math.hypot(a[3 * i] - b[3 * i], a[3 * i + 1] - b[3 * i + 1], a[3 * i + 2] - b[3 * i + 2])).sort();
  const round = (v: number): number => Number(v.toPrecision(3));
  return { median_mm: round(d[Math.floor(d.length / 2)]), p95_mm: round(d[Math.floor(0.95 * (d.length - 1))]), max_mm: round(d[d.length - 1]) };
}

const median = (values: number[]): number => [...values].sort((u, v) => u - v)[Math.floor(values.length / 2)];
const load = (): number[] => loadavg().map((v) => Number(v.toFixed(2)));

/** Child mode: one large matching, prints one JSON line. */
async function largeChild(n: number): Promise<void> {
  const [x0, y0] = await vesselsMm();
  const x = n > x0.length / 3 ? grown(x0, n, 1) : subset(x0, n, 1);
  const y = n > y0.length / 3 ? grown(y0, n, 2) : subset(y0, n, 2);
  const { engine, description } = await createEngine('cpu');
  const t0 = performance.now();
  const r = await match(engine, x, y, { blur: BLUR, reach: REACH, scaling: SCALING });
  const seconds = (performance.now() - t0) / 1000;
  await engine.dispose();
  const line = {
    n,
    seconds,
    iterations: r.iterations,
    marginal_error: r.marginalError,
    kept_pairs_per_point: r.multiscale ? r.multiscale.keptFraction * n : n,
    levels: r.multiscale?.levels.map((l) => l.cellSize),
    check_repeats: r.multiscale?.widenings,
    ...description,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

interface PeerRun {
  seconds?: number;
  iterations?: number | null;
  warnings?: string[];
  skipped?: string;
}

function runPeer(peer: string, dir: string, x: string, y: string, out: string, threads: number): PeerRun {
  const r = spawnSync(PYTHON, [join(REPO_ROOT, 'test/bench/peers/ot_peers.py'), peer, x, y, String(BLUR), String(REACH), String(SCALING), String(threads), out], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: GEOMLOSS_DIR, OMP_NUM_THREADS: String(threads) },
    timeout: PEER_TIMEOUT_S * 1000,
    cwd: dir,
    maxBuffer: 1 << 24,
  });
  if (r.error) return { skipped: `${peer}: ${(r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT' ? `no result within ${PEER_TIMEOUT_S} s` : r.error.message}` };
  if (r.status === 3) return { skipped: `${peer}: Python package missing (${r.stdout.trim()})` };
  if (r.status !== 0) return { skipped: `${peer}: failed (${(r.stderr || r.stdout || `signal ${r.signal}`).trim().split('\n').slice(-1)[0]})` };
  return JSON.parse(r.stdout.trim().split('\n').slice(-1)[0]) as PeerRun;
}

export async function benchOt(): Promise<Record<string, unknown>> {
  const started = load();
  const large: Record<string, unknown>[] = [];
  for (const n of [60000, 100000]) {
    const runs: Record<string, unknown>[] = [];
    for (let k = 0; k < REPEATS; k++) {
      const before = load();
      const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'test/bench/ot-peers.ts'), '--large-child', String(n)], { encoding: 'utf8', timeout: 600_000 });
      const parsed = r.status === 0 ? (JSON.parse(r.stdout.trim().split('\n').slice(-1)[0]) as Record<string, unknown>) : { n, failed: (r.stderr || String(r.signal)).slice(-500) };
      runs.push({ ...parsed, load_1min: before[0] });
      process.stderr.write(`bench ot: large ${n} run ${k + 1}: ${JSON.stringify(runs[runs.length - 1])}\n`);
    }
    const ok = runs.filter((r) => typeof r.seconds === 'number');
    const seconds = ok.map((r) => r.seconds as number);
    const rss = ok.map((r) => r.peak_rss_mb as number);
    large.push({
      n,
      median_seconds: seconds.length ? median(seconds) : null,
      best_seconds: seconds.length ? Math.min(...seconds) : null,
      target_seconds: LARGE_TARGETS[n],
      meets_time_target: seconds.length > 0 && median(seconds) <= LARGE_TARGETS[n],
      peak_rss_mb: rss.length ? Math.max(...rss) : null,
      meets_memory_target: rss.length > 0 && Math.max(...rss) < MEMORY_TARGET_MB,
      runs,
    });
  }

  const [x0, y0] = await vesselsMm();
  const scratch = await benchScratch('monge-ot-bench-');
  const dir = scratch.dir;
  const { engine: cpu, description } = await createEngine('cpu');
  const { engine: js } = await createEngine('js');
  const rows: Record<string, unknown>[] = [];
  const notes: string[] = [];
  const problem = { blur: BLUR, reach: REACH, scaling: SCALING };
  try {
    for (const n of PEER_SIZES) {
      const x = subset(x0, n, 11);
      const y = subset(y0, n, 12);
      const row: Record<string, unknown> = { n, load_1min_before: load()[0] };
      // Monge: warm-up, then REPEATS timed runs
      let mine = await match(cpu, x, y, problem);
      const times: number[] = [];
      for (let k = 0; k < REPEATS; k++) {
        const t0 = performance.now();
        mine = await match(cpu, x, y, problem);
        times.push((performance.now() - t0) / 1000);
      }
      const mongeSeconds = median(times);
      // the float64 reference
      let t0 = performance.now();
      const reference = await match(js, x, y, { ...problem, tol: 1e-7, maxIter: 20000, truncation: 20 });
      const referenceSeconds = (performance.now() - t0) / 1000;
      row.reference = { engine: 'js (float64)', seconds: referenceSeconds, iterations: reference.iterations, marginal_error: reference.marginalError, truncation: 20 };
      row.monge = { seconds: mongeSeconds, runs: times, iterations: mine.iterations, marginal_error: mine.marginalError, vs_reference: deviations(mine.matched, reference.matched) };
      const xf = join(dir, 'x.f64');
      const yf = join(dir, 'y.f64');
      await writeFile(xf, new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
      await writeFile(yf, new Uint8Array(y.buffer, y.byteOffset, y.byteLength));
      let fastest = Infinity;
      let fastestPeer = '';
      for (const peer of ['geomloss', 'pot']) {
        const out = join(dir, `${peer}.f64`);
        t0 = performance.now();
        const result = runPeer(peer, dir, xf, yf, out, cpu.threads);
        if (result.skipped) {
          notes.push(`n = ${n}: ${result.skipped}`);
          row[peer] = { skipped: result.skipped, wall_seconds: (performance.now() - t0) / 1000 };
          process.stderr.write(`bench ot: ${n}: ${result.skipped}\n`);
          continue;
        }
        const theirs = new Float64Array((await readFile(out)).buffer.slice(0));
        row[peer] = { seconds: result.seconds, iterations: result.iterations, warnings: result.warnings, vs_reference: deviations(theirs, reference.matched) };
        for (const w of result.warnings ?? []) notes.push(`n = ${n}: ${peer}: ${w}`);
        if (result.seconds! < fastest) {
          fastest = result.seconds!;
          fastestPeer = peer;
        }
      }
      if (Number.isFinite(fastest)) {
        row.fastest_peer = fastestPeer;
        row.speedup_vs_fastest_peer = fastest / mongeSeconds;
      }
      for (const peer of ['geomloss', 'pot']) {
        const r = row[peer] as { seconds?: number } | undefined;
        if (r?.seconds !== undefined) row[`speedup_vs_${peer}`] = r.seconds / mongeSeconds;
      }
      rows.push(row);
      process.stderr.write(`bench ot: ${JSON.stringify(row)}\n`);
    }
  } finally {
    await cpu.dispose();
    await js.dispose();
    await scratch.remove();
  }

  // the ratio table
  const secondsOf = (v: unknown): string => (typeof v === 'object' && v && 'seconds' in v ? (v as { seconds: number }).seconds.toFixed(2) : 'skipped');
  const medianOf = (v: unknown): string => (typeof v === 'object' && v && 'vs_reference' in v ? (v as { vs_reference: Deviation }).vs_reference.median_mm.toPrecision(2) : '—');
  const table = [
    'n        monge s  geomloss s     pot s   speedup vs fastest   vs geomloss   median match error vs float64 (mm): monge / geomloss / pot',
  ];
  for (const r of rows) {
    const speed = typeof r.speedup_vs_fastest_peer === 'number' ? `${r.speedup_vs_fastest_peer.toFixed(1)}× (${String(r.fastest_peer)})` : '—';
    const vsGeomloss = typeof r.speedup_vs_geomloss === 'number' ? `${r.speedup_vs_geomloss.toFixed(1)}×` : '—';
    table.push(
      `${String(r.n).padEnd(8)} ${secondsOf(r.monge).padStart(7)}  ${secondsOf(r.geomloss).padStart(10)}  ${secondsOf(r.pot).padStart(8)}   ${speed.padEnd(19)}  ${vsGeomloss.padStart(11)}   ${medianOf(r.monge)} / ${medianOf(r.geomloss)} / ${medianOf(r.pot)}`,
    );
  }
  for (const l of large) {
    table.push(`large ${String(l.n)}: median ${Number(l.median_seconds).toFixed(2)} s (target ≤ ${String(l.target_seconds)} s), peak RSS ${Number(l.peak_rss_mb).toFixed(0)} MB`);
  }
  process.stderr.write(`${table.join('\n')}\n`);
  return {
    problem: { blur_mm: BLUR, reach_mm: REACH, scaling: SCALING, data: 'copd1 vessel trees ×100 (mm), uniform masses' },
    engine: description,
    load_average: { at_start: started, at_end: load() },
    large,
    peers: rows,
    table,
    notes,
  };
}

if (process.argv[2] === '--large-child') await largeChild(Number(process.argv[3]));
