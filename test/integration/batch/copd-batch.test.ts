/**
 * Acceptance on real data: `monge batch --jobs 2` over DIR-Lab COPD 1–5 (expiration lung mask → inspiration lung
 * mask, the 300 expert landmark pairs of copdN_300_landmarks_mm.csv, columns exp_* / insp_*, RAS; as
 * test/eval/lung.ts runs them) gives the same results as five separate `monge register` runs: the same metrics
 * (to 1e-9 mm; the pipeline is deterministic and its kernels split work by rows, so the worker's thread count does
 * not matter) and byte-identical output files. The identity TRE reproduces DIR-Lab's published initial errors
 * (cases.json). Heavy: ten registrations of real lung masks (90–130 s on 2 busy cores); the field is exported
 * at 4 mm and the network step left out to keep it there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { BatchSummaryFile } from '../../../core/batch/summary-files.ts';
import { DONE_MARKER } from '../../../core/batch/done-marker.ts';
import { EXIT } from '../../../core/cli/exit-codes.ts';
import type { RegistrationSummary } from '../../../core/registration/index.ts';
import { readPoints } from '../../../core/io/points/index.ts';
import { landmarkErrors, summarizeErrors } from '../../../core/metrics/landmark-error.ts';
import { readPriorCase } from '../../../core/registration/prior/index.ts';
import { readWarpedLandmarks, warpedLandmarksRunOf } from '../../../core/registration/warped-landmarks.ts';
import { needsSharedData, sharedPath } from '../../support/data.ts';
import { runMonge } from './support.ts';

const CASES = [1, 2, 3, 4, 5];
const COMMON = ['--preset', 'lung', '--landmarks-frame', 'ras', '--field-spacing', '4', '--steps', 'prealign,finetune'];

const sha = async (path: string) => createHash('sha256').update(await readFile(path)).digest('hex');

test('batch over DIR-Lab COPD 1–5 = five separate monge register runs', { timeout: 900_000, skip: needsSharedData() }, async () => {
  const data = sharedPath('lung', 'dirlab-copd');
  const dir = await mkdtemp(join(tmpdir(), 'monge-batch-copd-'));
  try {
    // Manifest paths relative to the manifest (as a cohort folder would hold them).
    const rel = (f: string) => relative(dir, join(data, f));
    const rows = CASES.map((n) => `copd${n},${rel(`copd${n}_exp_lungmask.nii.gz`)},${rel(`copd${n}_insp_lungmask.nii.gz`)},${rel(`copd${n}_300_landmarks_mm.csv`)},${rel(`copd${n}_300_landmarks_mm.csv`)},exp,insp`);
    await writeFile(join(dir, 'copd.csv'), ['id,moving,fixed,moving_landmarks,fixed_landmarks,moving_landmarks_prefix,fixed_landmarks_prefix', ...rows].join('\n') + '\n');
    const out = join(dir, 'batch');
    const batchRun = runMonge(['batch', join(dir, 'copd.csv'), '-o', out, '--jobs', '2', ...COMMON]);
    const batch = await batchRun;
    assert.equal(batch.code, EXIT.ok, batch.stderr);

    // Five separate runs, two at a time.
    const separate = new Map<number, RegistrationSummary>();
    const queue = [...CASES];
    await Promise.all(
      [0, 1].map(async () => {
        for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
          const landmarks = join(data, `copd${n}_300_landmarks_mm.csv`);
          const r = await runMonge([
            'register', join(data, `copd${n}_exp_lungmask.nii.gz`), join(data, `copd${n}_insp_lungmask.nii.gz`), '-o', join(dir, `single${n}`),
            '--moving-landmarks', landmarks, '--fixed-landmarks', landmarks, '--moving-landmarks-prefix', 'exp', '--fixed-landmarks-prefix', 'insp', '--json', ...COMMON,
          ]);
          assert.equal(r.code, EXIT.ok, r.stderr);
          separate.set(n, JSON.parse(r.stdout) as RegistrationSummary);
        }
      }),
    );

    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as BatchSummaryFile;
    const published = JSON.parse(await readFile(join(data, 'cases.json'), 'utf8')) as Record<string, { initial_TRE_mm_mean: number }>;
    assert.deepEqual(summary.counts, { pairs: 5, ok: 5, failed: 0, cancelled: 0, pending: 0, resumed: 0 });
    const close = (a: number | null | undefined, b: number | null | undefined, what: string) => {
      assert.ok(typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) <= 1e-9, `${what}: batch ${a}, register ${b}`);
    };
    const lines: string[] = [];
    for (const n of CASES) {
      const id = `copd${n}`;
      const row = summary.pairs.find((r) => r.id === id)!;
      const single = separate.get(n)!;
      const { before, after } = single.metrics;
      assert.equal(row.landmarks, 300);
      close(row.tre_before_mm, before.tre?.mean, `${id} TRE before`);
      close(row.tre_after_mm, after.tre?.mean, `${id} TRE after`);
      close(row.tre_after_median_mm, after.tre?.median, `${id} TRE median`);
      close(row.tre_after_std_mm, after.tre?.std, `${id} TRE SD`);
      close(row.tre_after_p90_mm, after.tre?.p90, `${id} TRE p90`);
      close(row.tre_after_max_mm, after.tre?.max, `${id} TRE max`);
      close(row.chamfer_before_mm, before.surfaceDistance.chamferMm, `${id} chamfer before`);
      close(row.chamfer_after_mm, after.surfaceDistance.chamferMm, `${id} chamfer after`);
      close(row.hd95_after_mm, after.surfaceDistance.hausdorff95Mm, `${id} HD95 after`);
      close(row.jacobian_min, single.jacobian.insideFixed.min, `${id} Jacobian min`);
      close(row.folding_fraction, single.jacobian.insideFixed.nonPositiveFraction, `${id} folding`);
      assert.deepEqual(row.metrics, single.metrics, `${id}: full metrics`);
      // DIR-Lab's published initial TRE (two decimals).
      assert.equal(row.tre_before_mm!.toFixed(2), published[id].initial_TRE_mm_mean.toFixed(2), `${id} initial TRE`);
      assert.ok(row.tre_after_mm! < 0.75 * row.tre_before_mm!, `${id}: registration helps`);
      // OUTDIR/<id>/ holds what monge register writes, byte for byte (report.json differs in times and paths only).
      const batchFiles = (await readdir(join(out, id), { recursive: true })).map(String).filter((f) => f !== DONE_MARKER).sort();
      const singleFiles = (await readdir(join(dir, `single${n}`), { recursive: true })).map(String).sort();
      assert.deepEqual(batchFiles, singleFiles, `${id}: the same files`);
      for (const f of singleFiles.filter((x) => /\.(vtk|nii\.gz|csv|tfm|txt)$/.test(x))) {
        assert.equal(await sha(join(out, id, f)), await sha(join(dir, `single${n}`, f)), `${id}/${f} differs`);
      }
      // landmarks_warped.csv keeps the landmark file's layout: its header and the insp_* columns as they were, the
      // exp_* ones moved; read back with the run's frame and prefix, it gives the reported TRE, and a prior learns from it.
      const input = (await readFile(join(data, `copd${n}_300_landmarks_mm.csv`), 'utf8')).trimEnd().split('\n');
      const warpedText = (await readFile(join(dir, `single${n}`, 'landmarks_warped.csv'), 'utf8')).trimEnd().split('\n');
      assert.equal(warpedText[0], input[0], `${id}: the header`);
      assert.deepEqual(warpedText.slice(1).map((l) => l.split(',').slice(0, 3).map(Number)), input.slice(1).map((l) => l.split(',').slice(0, 3).map(Number)), `${id}: insp columns`);
      const warpedLm = await readWarpedLandmarks(join(dir, `single${n}`), warpedLandmarksRunOf(JSON.parse(await readFile(join(dir, `single${n}`, 'report.json'), 'utf8'))));
      const insp = await readPoints(join(data, `copd${n}_300_landmarks_mm.csv`), { prefix: 'insp', assumeFrame: 'RAS' });
      close(summarizeErrors(landmarkErrors(warpedLm.pointsLps, insp.pointsLps)).mean, after.tre?.mean, `${id} TRE from landmarks_warped.csv`);
      assert.equal((await readPriorCase(join(dir, `single${n}`))).warpedLps.length, 900);
      lines.push(`${id}: TRE ${row.tre_before_mm!.toFixed(2)} → ${row.tre_after_mm!.toFixed(2)} mm, chamfer ${row.chamfer_after_mm!.toFixed(2)} mm, ${row.seconds!.toFixed(1)} s in the batch`);
    }
    process.stderr.write(`${lines.join('\n')}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
