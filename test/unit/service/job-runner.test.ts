import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CancelledError } from '../../../core/progress/index.ts';
import { enclosedVolume, extractSurface, taubinSmooth } from '../../../core/shape/index.ts';
import type { DisplayShape, JobEvent } from '../../../main/service/api.ts';
import { ApiError } from '../../../main/service/error-info.ts';
import { JobRunner } from '../../../main/service/job-runner.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { DISPLAY_SURFACE_DEFAULTS } from '../../../main/service/jobs/surface-job.ts';
import { JOB_MODULES, TERMINATE_AT_ONCE } from '../../../main/service/service.ts';
import { imageFrom, PROPER_ROTATION, type Vec3 } from '../shape/synthetic.ts';

const SLOW = new URL('./fixtures/slow-job.ts', import.meta.url);

function runner(): { jobs: JobRunner; events: JobEvent[] } {
  const jobs = new JobRunner({ modules: { ...JOB_MODULES, slow: SLOW } });
  const events: JobEvent[] = [];
  jobs.onEvent((e) => events.push(e));
  return { jobs, events };
}

/** Resolves with the first event of `jobId` that matches. */
function nextEvent(jobs: JobRunner, jobId: string, types: JobEvent['type'][]): Promise<JobEvent> {
  return new Promise((resolve) => {
    const off = jobs.onEvent((e) => {
      if (e.jobId === jobId && types.includes(e.type)) {
        off();
        resolve(e);
      }
    });
  });
}

test('surface job: a mask becomes the same surface in a worker as in-process, with progress', async () => {
  const { jobs, events } = runner();
  const centre: Vec3 = [12, -40, 60];
  const R = 9;
  const image = imageFrom([26, 24, 22], [1, 1.1, 1.2], PROPER_ROTATION, centre, (p) => (Math.hypot(p[0] - centre[0], p[1] - centre[1], p[2] - centre[2]) <= R ? 1 : 0));
  const options = { smoothIterations: 10, targetVertices: 400 };
  const job = jobs.start<DisplayShape>('surface', { image, ...options }, { label: 'sphere' });
  const shape = await job.result;
  const reference = extractSurface(image, options);
  const smoothed = taubinSmooth(reference.pointsLps, reference.triangles ?? [], DISPLAY_SURFACE_DEFAULTS.postSmoothIterations);
  // The worker ran core's extraction and smoothing on the same voxels: identical mesh (Float32 of the Float64 positions).
  assert.equal(shape.pointsLps.length, reference.pointsLps.length);
  assert.deepEqual(shape.triangles, reference.triangles);
  assert.deepEqual(shape.pointsLps, Float32Array.from(smoothed));
  // And it is the sphere: enclosed volume within 10 % of 4/3 π R³.
  const volume = enclosedVolume(shape.pointsLps, shape.triangles);
  assert.ok(Math.abs(volume / ((4 / 3) * Math.PI * R ** 3) - 1) < 0.1, `volume ${volume}`);
  const mine = events.filter((e) => e.jobId === job.id);
  assert.deepEqual(mine[0], { type: 'started', jobId: job.id, kind: 'surface', label: 'sphere' });
  assert.ok(mine.some((e) => e.type === 'progress' && e.stage === 'extracting the surface'));
  assert.equal(mine.at(-1)?.type, 'done');
  assert.deepEqual(jobs.running, []);
});

test('cancel: a job that never checks its signal is terminated within a second, and the runner stays usable', async () => {
  const { jobs, events } = runner();
  const job = jobs.start('slow', { mode: 'busy', ms: 20_000 });
  await nextEvent(jobs, job.id, ['progress']);
  const t0 = performance.now();
  const cancelled = nextEvent(jobs, job.id, ['cancelled', 'done', 'failed']);
  assert.equal(jobs.cancel(job.id), true);
  assert.equal((await cancelled).type, 'cancelled');
  const elapsed = performance.now() - t0;
  assert.ok(elapsed < 1000, `cancelled after ${elapsed.toFixed(0)} ms`);
  await assert.rejects(job.result, CancelledError);
  assert.deepEqual(jobs.running, []);
  assert.equal(jobs.cancel(job.id), false, 'a finished job cannot be cancelled again');
  assert.equal(events.filter((e) => e.jobId === job.id && ['cancelled', 'done', 'failed'].includes(e.type)).length, 1, 'exactly one end event');
  // Usable afterwards.
  const next = jobs.start<{ count: number; squares: Float64Array }>('slow', { mode: 'chatty', count: 10 });
  const result = await next.result;
  assert.equal(result.count, 10);
  assert.deepEqual(result.squares, Float64Array.from([0, 1, 4, 9]));
});

/**
 * Starts a slow job in `mode` on a runner with a 5 s grace time, cancels it at its first progress event, and gives
 * how it ended, the milliseconds from the cancel, and its result.
 */
async function cancelWithLongGrace(mode: 'busy' | 'cooperative', terminateAtOnce: string[] = []): Promise<{ type: JobEvent['type']; ms: number; result: Promise<unknown> }> {
  const jobs = new JobRunner({ modules: { slow: SLOW }, cancelGraceMs: 5000, terminateAtOnce });
  const job = jobs.start('slow', { mode, ms: 20_000 });
  await nextEvent(jobs, job.id, ['progress']);
  const t0 = performance.now();
  const end = nextEvent(jobs, job.id, ['cancelled', 'done', 'failed']);
  jobs.cancel(job.id);
  const { type } = await end;
  return { type, ms: performance.now() - t0, result: job.result };
}

test('cancel: a cooperative job stops by itself before the grace time', async () => {
  const { type, ms, result } = await cancelWithLongGrace('cooperative');
  assert.equal(type, 'cancelled');
  // With a 5 s grace time, ending well under it means the job's own CancelledError ended it.
  assert.ok(ms < 1000);
  await assert.rejects(result, CancelledError);
});

test('cancel: a job kind marked to terminate at once does not wait for the grace time', async () => {
  // With a 5 s grace time, a busy job that never looks at its signal ends well under it only if its thread is
  // terminated at once (the surface job, in the service).
  const { type, ms, result } = await cancelWithLongGrace('busy', ['slow']);
  assert.equal(type, 'cancelled');
  assert.ok(ms < 1000, `cancelled after ${ms.toFixed(0)} ms`);
  await assert.rejects(result, CancelledError);
  assert.deepEqual(TERMINATE_AT_ONCE, ['surface']);
});

test('a failing job reports the file and the message; a crashed thread is a failure, not a hang', async () => {
  const { jobs } = runner();
  const failing = jobs.start('slow', { mode: 'fail', file: '/data/lung.vtk' });
  const failed = await nextEvent(jobs, failing.id, ['failed', 'done', 'cancelled']);
  assert.deepEqual(failed, { type: 'failed', jobId: failing.id, kind: 'slow', message: '/data/lung.vtk: ends before its 12 points', file: '/data/lung.vtk' });
  await assert.rejects(failing.result, (e: unknown) => e instanceof ApiError && e.file === '/data/lung.vtk' && e.name === 'InputError');

  const crashing = jobs.start('slow', { mode: 'crash' });
  const crashed = await nextEvent(jobs, crashing.id, ['failed', 'done', 'cancelled']);
  assert.equal(crashed.type, 'failed');
  assert.match((crashed as { message: string }).message, /exit code 3/);
  assert.deepEqual(jobs.running, []);
});

test("a thread terminated mid-write has its own temporary folder removed before 'cancelled'; a neighbour's stays", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'monge-runner-leftovers-'));
  try {
    // Another writer's partial folder beside this job's, as two registrations into one OUTDIR would have.
    const own = join(dir, '.out.partial-AAAAAA');
    const other = join(dir, '.out.partial-BBBBBB');
    await mkdir(other);
    const { jobs } = runner();
    const job = jobs.start('slow', { mode: 'write-busy', path: own, ms: 20_000 });
    await nextEvent(jobs, job.id, ['progress']);
    assert.ok(existsSync(own), 'the job made its folder');
    const end = nextEvent(jobs, job.id, ['cancelled', 'done', 'failed']);
    jobs.cancel(job.id);
    assert.equal((await end).type, 'cancelled');
    assert.deepEqual(await readdir(dir), ['.out.partial-BBBBBB']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('dispose resolves only once a terminated thread\'s partial folder is gone (a host exits right after it)', async (t) => {
  const dir = await tempDir(t, 'runner-dispose');
  const own = join(dir, '.out.partial-AAAAAA');
  const { jobs } = runner();
  const job = jobs.start('slow', { mode: 'write-busy', path: own, ms: 20_000 });
  await nextEvent(jobs, job.id, ['progress']);
  // A field and its pieces, as a registration's folder holds while it writes: removing it takes a while, so a
  // dispose that does not wait for the removal its thread's exit started resolves with the folder still there.
  await Promise.all(Array.from({ length: 3000 }, (_, i) => writeFile(join(own, `piece-${i}.tmp`), 'x')));
  await jobs.dispose();
  assert.deepEqual(await readdir(dir), [], 'no partial folder left when dispose resolves');
  await assert.rejects(job.result, CancelledError);
});

test('a thread terminated while an overwrite publishes has the previous results put back, not deleted', async (t) => {
  const dir = await tempDir(t, 'runner-overwrite');
  const out = join(dir, 'out');
  await mkdir(out);
  await writeFile(join(out, 'report.json'), 'previous');
  const { jobs } = runner();
  const job = jobs.start('slow', { mode: 'overwrite-busy', path: join(dir, '.out.old-AAAAAA'), restoreTo: out, ms: 20_000 });
  await nextEvent(jobs, job.id, ['progress']);
  assert.deepEqual(await readdir(dir), ['.out.old-AAAAAA'], 'OUTDIR is moved aside');
  const end = nextEvent(jobs, job.id, ['cancelled', 'done', 'failed']);
  jobs.cancel(job.id);
  assert.equal((await end).type, 'cancelled');
  assert.deepEqual(await readdir(dir), ['out']);
  assert.equal(await readFile(join(out, 'report.json'), 'utf8'), 'previous');
});

test('beyond maxRunning, jobs wait their turn in order; a waiting job cancels at once, having run nothing', async () => {
  const jobs = new JobRunner({ modules: { slow: SLOW }, maxRunning: 1 });
  const events: JobEvent[] = [];
  jobs.onEvent((e) => events.push(e));
  const first = jobs.start<{ slept: number }>('slow', { mode: 'cooperative', ms: 400 });
  const second = jobs.start<{ slept: number }>('slow', { mode: 'cooperative', ms: 50 });
  const dropped = jobs.start('slow', { mode: 'crash' });
  const waitingOf = (id: string) => events.filter((e) => e.jobId === id && e.type === 'progress').map((e) => (e as { stage: string }).stage);
  assert.deepEqual(waitingOf(second.id), ['waiting']);
  assert.deepEqual(waitingOf(dropped.id), ['waiting']);
  assert.deepEqual(jobs.running, [first.id, second.id, dropped.id]);
  // The crash job never gets a thread: cancelled before its turn, it cannot crash.
  assert.equal(jobs.cancel(dropped.id), true);
  await assert.rejects(dropped.result, CancelledError);
  assert.equal((await first.result).slept, 400);
  assert.equal((await second.result).slept, 50);
  const ends = events.filter((e) => ['done', 'failed', 'cancelled'].includes(e.type)).map((e) => [e.jobId, e.type]);
  assert.deepEqual(ends, [[dropped.id, 'cancelled'], [first.id, 'done'], [second.id, 'done']]);
  // The second ran only after the first had ended: its progress beyond 'waiting' follows the first's 'done'.
  const firstDone = events.findIndex((e) => e.jobId === first.id && e.type === 'done');
  const secondRunning = events.findIndex((e) => e.jobId === second.id && e.type === 'progress' && (e as { stage: string }).stage === 'sleeping');
  assert.ok(secondRunning > firstDone, `the second job ran at event ${secondRunning}, the first ended at ${firstDone}`);
  assert.deepEqual(jobs.running, []);
});

test('a job that finishes while its cancel waits out the grace time is done, not cancelled: its outputs are complete', async () => {
  const jobs = new JobRunner({ modules: { slow: SLOW }, cancelGraceMs: 5000 });
  const job = jobs.start<{ spins: number }>('slow', { mode: 'busy', ms: 300 });
  await nextEvent(jobs, job.id, ['progress']);
  const end = nextEvent(jobs, job.id, ['cancelled', 'done', 'failed']);
  assert.equal(jobs.cancel(job.id), true);
  assert.equal((await end).type, 'done');
  assert.ok((await job.result).spins > 0);
  assert.deepEqual(jobs.running, []);
});

test('progress is throttled: 100,000 reports arrive as a handful of events, the last one complete', async () => {
  const { jobs, events } = runner();
  const job = jobs.start('slow', { mode: 'chatty', count: 100_000 });
  await job.result;
  const progress = events.filter((e): e is JobEvent & { type: 'progress' } => e.jobId === job.id && e.type === 'progress');
  assert.ok(progress.length >= 2 && progress.length < 50, `${progress.length} progress events`);
  assert.deepEqual([progress[0].fraction, progress.at(-1)?.fraction], [0, 1]);
});

test('unknown jobs are refused; dispose ends running jobs', async () => {
  const { jobs } = runner();
  assert.throws(() => jobs.start('nope', {}), /unknown job "nope"/);
  const a = jobs.start('slow', { mode: 'busy', ms: 20_000 });
  const b = jobs.start('slow', { mode: 'cooperative', ms: 20_000 });
  await jobs.dispose();
  await assert.rejects(a.result, CancelledError);
  await assert.rejects(b.result, CancelledError);
  assert.deepEqual(jobs.running, []);
});
