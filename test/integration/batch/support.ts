/**
 * Helpers of the batch integration tests: a small synthetic cohort (ellipsoid meshes of a few hundred vertices,
 * each fixed shape a scaled and shifted copy of the moving one, with four landmark pairs at corresponding
 * vertices, so every pair registers in a second or two), and `monge` run as a child process, as a script or a
 * cluster job would run it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeShape } from '../../../core/io/index.ts';
import { ellipsoidMesh } from '../../unit/synth/shapes.ts';
import { REPO_ROOT } from '../../support/data.ts';

export const MONGE_BIN = join(REPO_ROOT, 'bin', 'monge.mjs');

/** Fast registration options for the synthetic pairs. */
export const FAST_OPTIONS = ['--steps', 'prealign', '--field-spacing', '12'];

/** Landmark vertex indices (spread over the ellipsoid). */
const LANDMARK_VERTICES = [0, 40, 90, 130, 170];

function landmarksCsv(points: Float64Array): string {
  return ['x,y,z', ...LANDMARK_VERTICES.map((i) => `${points[3 * i]},${points[3 * i + 1]},${points[3 * i + 2]}`)].join('\n') + '\n';
}

/**
 * Writes `count` pairs `case0…` (moving m<k>.vtk, fixed f<k>.vtk, landmarks lm<k>.csv / lf<k>.csv) into `dir`, and
 * returns the manifest rows (CSV lines without the header) that list them with relative paths.
 */
export async function writeSyntheticPairs(dir: string, count: number, first = 0): Promise<string[]> {
  const rows: string[] = [];
  for (let k = first; k < first + count; k++) {
    const moving = ellipsoidMesh(60, 40, 30, [0, 0, 0], 10, 20);
    const fixed = ellipsoidMesh(63 + 2 * k, 41, 31 + k, [4 + k, -3, 2 - k], 10, 20);
    await writeShape(join(dir, `m${k}.vtk`), { kind: 'mesh', pointsLps: moving.pointsLps, triangles: moving.triangles, arrays: [], sourceFrame: 'LPS' });
    await writeShape(join(dir, `f${k}.vtk`), { kind: 'mesh', pointsLps: fixed.pointsLps, triangles: fixed.triangles, arrays: [], sourceFrame: 'LPS' });
    await writeFile(join(dir, `lm${k}.csv`), landmarksCsv(moving.pointsLps));
    await writeFile(join(dir, `lf${k}.csv`), landmarksCsv(fixed.pointsLps));
    rows.push(`case${k},m${k}.vtk,f${k}.vtk,lm${k}.csv,lf${k}.csv`);
  }
  return rows;
}

export const MANIFEST_HEADER = 'id,moving,fixed,moving_landmarks,fixed_landmarks';

/** Writes `dir/manifest.csv` of `count` synthetic pairs; returns its path. */
export async function writeSyntheticCohort(dir: string, count: number): Promise<string> {
  const rows = await writeSyntheticPairs(dir, count);
  const path = join(dir, 'manifest.csv');
  await writeFile(path, [MANIFEST_HEADER, ...rows].join('\n') + '\n');
  return path;
}

export interface MongeRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `node ARGS` in `cwd` with its output collected (its own process group when `detached`). */
export function startNode(args: string[], options: { cwd: string; detached?: boolean; env?: NodeJS.ProcessEnv }): { child: ChildProcess; done: Promise<MongeRun> } {
  const child = spawn(process.execPath, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: options.detached ?? false, env: options.env ?? process.env });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += String(d)));
  child.stderr?.on('data', (d: Buffer) => (stderr += String(d)));
  const done = new Promise<MongeRun>((resolve) => child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

/** Starts `monge ARGS` (its own process group when `detached`, so a test can kill the batch and its workers). */
export function startMonge(args: string[], options: { detached?: boolean; env?: NodeJS.ProcessEnv } = {}): { child: ChildProcess; done: Promise<MongeRun> } {
  return startNode([MONGE_BIN, ...args], { cwd: REPO_ROOT, detached: options.detached, env: options.env });
}

/** Runs `monge ARGS` to the end. */
export function runMonge(args: string[]): Promise<MongeRun> {
  return startMonge(args).done;
}

/** Whether process `pid` exists (a zombie counts). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Child process ids of `pid` (from /proc: Linux only). */
export async function childrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) === pid) out.push(Number(name));
  }
  return out;
}

/** The batch worker processes among the children of `pid` (a batch's other children, like esbuild's service, are not). */
export async function batchWorkersOf(pid: number): Promise<number[]> {
  const workers: number[] = [];
  for (const child of await childrenOf(pid)) {
    const command = await readFile(`/proc/${child}/cmdline`, 'utf8').catch(() => '');
    if (command.includes('worker-bootstrap.mjs') || command.includes('batch-worker.mjs')) workers.push(child);
  }
  return workers;
}
