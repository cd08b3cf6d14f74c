/**
 * Results folders made for the viewer tests, in the layout `monge register` leaves (core/registration/types.ts
 * REGISTRATION_OUTPUTS), written with Monge's own writers. They stand in for a registration until the pipeline
 * lands (then a real `register` run replaces them); nothing here pretends to register:
 *
 *  - lung (copd1): the surfaces of the expiration (moving) and inspiration (fixed) masks, decimated; "pre-aligned"
 *    = moving translated by the difference of the centroids; "network" / "fine-tuned" = moved a further 60 % / 90 %
 *    of the way to the nearest fixed vertex. Displacement = warped − moving, confidence = exp(−residual / 5 mm).
 *    Landmarks: the 300 DIR-Lab pairs, warped by the displacement of their nearest moving vertices. The field is an
 *    analytic one on a coarse grid, u(x) = −t + (A sin(π (x − x₀) / L), 0, 0), whose Jacobian determinant is
 *    1 + (Aπ/L) cos(…), so its minimum is 1 − Aπ/L exactly. Metrics in report.json are computed from these shapes.
 *  - brain (fsaverage5 left): white (moving) → pial (fixed), which share their vertices; steps move 50 / 80 /
 *    100 % of the way, so the final warped shape IS the pial surface (exact ground truth).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeImage } from '../../../core/io/images/write-image.ts';
import { readShape, writeShape } from '../../../core/io/index.ts';
import { landmarkErrors, summarizeErrors } from '../../../core/metrics/landmark-error.ts';
import { REGISTRATION_OUTPUTS } from '../../../core/registration/types.ts';
import type { Shape } from '../../../core/shape/index.ts';
import type { DisplayShape } from '../../../main/service/api.ts';
import { JobRunner } from '../../../main/service/job-runner.ts';
import { JOB_MODULES } from '../../../main/service/service.ts';
import { SurfaceLocator } from '../../../core/metrics/point-to-surface.ts';
import { sharedPath } from '../../support/data.ts';

export const LUNG = {
  movingMask: sharedPath('lung', 'dirlab-copd', 'copd1_exp_lungmask.nii.gz'),
  fixedMask: sharedPath('lung', 'dirlab-copd', 'copd1_insp_lungmask.nii.gz'),
  landmarksMm: sharedPath('lung', 'dirlab-copd', 'copd1_300_landmarks_mm.csv'),
};
export const BRAIN = {
  white: sharedPath('brain', 'fsaverage5', 'white_left.gii.gz'),
  pial: sharedPath('brain', 'fsaverage5', 'pial_left.gii.gz'),
};

/** The analytic field's amplitude (mm) and period length (mm) along x. */
export const FIELD_WAVE = { amplitudeMm: 3, lengthMm: 300 };

export interface LungFixture {
  dir: string;
  moving: Shape;
  fixed: Shape;
  warped: Shape;
  /** Field voxels as written (LPS vectors, x fastest). */
  field: { size: [number, number, number]; spacingMm: [number, number, number]; originLps: [number, number, number]; data: Float32Array };
  treBeforeMm: number;
  treAfterMm: number;
  jacobianMin: number;
  /** The analytic field u at an LPS point. */
  fieldAt(pLps: readonly number[]): [number, number, number];
}

const toShape = (d: DisplayShape): Shape => ({
  kind: 'mesh',
  pointsLps: Float64Array.from(d.pointsLps),
  triangles: Uint32Array.from(d.triangles),
  arrays: [],
  sourceFrame: 'LPS',
});

function centroid(p: Float64Array): [number, number, number] {
  const c: [number, number, number] = [0, 0, 0];
  for (let i = 0; i < p.length; i += 3) for (let a = 0; a < 3; a++) c[a] += p[i + a];
  const n = p.length / 3;
  return [c[0] / n, c[1] / n, c[2] / n];
}

/** Index of the nearest point of `cloud` to each point of `query` (brute force: fixtures are small). */
function nearest(query: Float64Array, cloud: Float64Array): Uint32Array {
  const out = new Uint32Array(query.length / 3);
  for (let i = 0; i < out.length; i++) {
    let best = Infinity;
    for (let j = 0; j < cloud.length / 3; j++) {
      const d = (query[3 * i] - cloud[3 * j]) ** 2 + (query[3 * i + 1] - cloud[3 * j + 1]) ** 2 + (query[3 * i + 2] - cloud[3 * j + 2]) ** 2;
      if (d < best) {
        best = d;
        out[i] = j;
      }
    }
  }
  return out;
}

function withPoints(shape: Shape, points: Float64Array, arrays: Shape['arrays'] = []): Shape {
  return { ...shape, pointsLps: points, arrays };
}

function distanceSummary(points: Float64Array, fixed: Shape): { mean: number; p95: number; max: number } {
  const d = Float64Array.from(SurfaceLocator.build({ pointsLps: fixed.pointsLps, triangles: fixed.triangles ?? new Uint32Array(0) }).query(points).distanceMm).sort();
  const mean = d.reduce((s, v) => s + v, 0) / d.length;
  return { mean, p95: d[Math.floor(0.95 * (d.length - 1))], max: d[d.length - 1] };
}

/** The lung surfaces (display surfaces of the masks, decimated to ~`vertices`), extracted in parallel workers. */
export async function lungSurfaces(vertices = 2000): Promise<{ moving: Shape; fixed: Shape }> {
  const jobs = new JobRunner({ modules: JOB_MODULES });
  const [moving, fixed] = await Promise.all(
    [LUNG.movingMask, LUNG.fixedMask].map((path) => jobs.start<DisplayShape>('surface', { path, targetVertices: vertices }).result),
  );
  return { moving: toShape(moving), fixed: toShape(fixed) };
}

/** Writes the lung results folder into `dir` (inputs it names are the shared masks and landmark copies in `dir/../inputs`). */
export async function writeLungResults(dir: string, surfaces?: { moving: Shape; fixed: Shape }): Promise<LungFixture> {
  const { moving, fixed } = surfaces ?? (await lungSurfaces());
  const inputs = join(dir, '..', 'inputs');
  await mkdir(join(dir, REGISTRATION_OUTPUTS.stepsDir), { recursive: true });
  await mkdir(inputs, { recursive: true });

  const cm = centroid(moving.pointsLps);
  const cf = centroid(fixed.pointsLps);
  const t = [cf[0] - cm[0], cf[1] - cm[1], cf[2] - cm[2]];
  const n = moving.pointsLps.length / 3;
  const pre = new Float64Array(moving.pointsLps.length);
  for (let i = 0; i < pre.length; i++) pre[i] = moving.pointsLps[i] + t[i % 3];
  const near = nearest(pre, fixed.pointsLps);
  const toward = (f: number): Float64Array => {
    const out = new Float64Array(pre.length);
    for (let i = 0; i < n; i++) for (let a = 0; a < 3; a++) out[3 * i + a] = pre[3 * i + a] + f * (fixed.pointsLps[3 * near[i] + a] - pre[3 * i + a]);
    return out;
  };
  const net = toward(0.6);
  const final = toward(0.9);
  const displacement = new Float32Array(final.length);
  for (let i = 0; i < final.length; i++) displacement[i] = final[i] - moving.pointsLps[i];
  const residual = SurfaceLocator.build({ pointsLps: fixed.pointsLps, triangles: fixed.triangles ?? new Uint32Array(0) }).query(final).distanceMm;
  const confidence = Float32Array.from(residual, (r) => Math.exp(-r / 5));
  const warped = withPoints(moving, final, [
    { name: 'displacement', components: 3, values: displacement, spatialVector: true },
    { name: 'confidence', components: 1, values: confidence },
  ]);

  await writeShape(join(dir, REGISTRATION_OUTPUTS.movingSurface), moving);
  await writeShape(join(dir, REGISTRATION_OUTPUTS.fixedSurface), fixed);
  await writeShape(join(dir, `${REGISTRATION_OUTPUTS.warped}.vtk`), warped);
  await writeShape(join(dir, REGISTRATION_OUTPUTS.stepsDir, 'prealign.vtk'), withPoints(moving, pre));
  await writeShape(join(dir, REGISTRATION_OUTPUTS.stepsDir, 'net.vtk'), withPoints(moving, net));
  await writeShape(join(dir, REGISTRATION_OUTPUTS.stepsDir, 'finetune.vtk'), withPoints(moving, final));

  // Landmarks: DIR-Lab copd1 in mm (RAS, as the shared README says), moved with their nearest moving vertices.
  const lmMoving = await readShape(LUNG.landmarksMm, { prefix: 'exp', assumeFrame: 'RAS' });
  const lmFixed = await readShape(LUNG.landmarksMm, { prefix: 'insp', assumeFrame: 'RAS' });
  const lmNear = nearest(lmMoving.pointsLps, moving.pointsLps);
  const warpBy = (points: Float64Array): Float64Array => {
    const out = new Float64Array(lmMoving.pointsLps.length);
    for (let i = 0; i < lmNear.length; i++) for (let a = 0; a < 3; a++) out[3 * i + a] = lmMoving.pointsLps[3 * i + a] + points[3 * lmNear[i] + a] - moving.pointsLps[3 * lmNear[i] + a];
    return out;
  };
  const lmSteps = { prealign: warpBy(pre), net: warpBy(net), finetune: warpBy(final) };
  const movingLandmarks = join(inputs, 'moving_landmarks.csv');
  const fixedLandmarks = join(inputs, 'fixed_landmarks.csv');
  await writeShape(movingLandmarks, { ...lmMoving, sourceFrame: 'LPS' });
  await writeShape(fixedLandmarks, { ...lmFixed, sourceFrame: 'LPS' });
  await writeShape(join(dir, REGISTRATION_OUTPUTS.landmarksWarped), { ...lmMoving, pointsLps: lmSteps.finetune, sourceFrame: 'LPS' });
  const tre = (p: Float64Array) => summarizeErrors(landmarkErrors(p, lmFixed.pointsLps));

  // The field on a coarse grid over the fixed surface, ITK convention (fixed point x ↦ moving point x + u(x)).
  const b = [Infinity, -Infinity, Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < fixed.pointsLps.length; i++) {
    const a = i % 3;
    b[2 * a] = Math.min(b[2 * a], fixed.pointsLps[i]);
    b[2 * a + 1] = Math.max(b[2 * a + 1], fixed.pointsLps[i]);
  }
  const size: [number, number, number] = [24, 20, 22];
  const originLps: [number, number, number] = [b[0] - 10, b[2] - 10, b[4] - 10];
  const spacingMm: [number, number, number] = [0, 1, 2].map((a) => (b[2 * a + 1] - b[2 * a] + 20) / (size[a] - 1)) as [number, number, number];
  const { amplitudeMm: A, lengthMm: L } = FIELD_WAVE;
  const data = new Float32Array(size[0] * size[1] * size[2] * 3);
  for (let k = 0, v = 0; k < size[2]; k++) {
    for (let j = 0; j < size[1]; j++) {
      for (let i = 0; i < size[0]; i++, v++) {
        const x = originLps[0] + i * spacingMm[0];
        data[3 * v] = -t[0] + A * Math.sin((Math.PI * (x - originLps[0])) / L);
        data[3 * v + 1] = -t[1];
        data[3 * v + 2] = -t[2];
      }
    }
  }
  await writeImage(join(dir, `${REGISTRATION_OUTPUTS.field}.nii.gz`), { size, spacingMm, originLps, directionLps: Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), components: 3, data });
  // det J = 1 + (Aπ/L) cos(π (x − x₀)/L), smallest where the cosine is most negative over the grid's x range.
  const xSpan = (size[0] - 1) * spacingMm[0];
  const cosMin = xSpan >= L ? -1 : Math.cos((Math.PI * xSpan) / L);
  const jacobianMin = 1 + ((A * Math.PI) / L) * cosMin;

  const stepMetrics = (points: Float64Array, landmarks: Float64Array) => ({ tre: tre(landmarks), surfaceDistance: distanceSummary(points, fixed) });
  const report = {
    version: '0.1.0',
    engine: { engine: 'cpu', threads: 2, backend: 'wasm-simd' },
    settings: { preset: 'lung', steps: ['prealign', 'net', 'finetune'] },
    inputs: {
      moving: { path: LUNG.movingMask },
      fixed: { path: LUNG.fixedMask },
      movingLandmarks: { path: movingLandmarks },
      fixedLandmarks: { path: fixedLandmarks },
    },
    steps: [
      { name: 'prealign', seconds: 0.8, peakMemoryMb: 150, metrics: stepMetrics(pre, lmSteps.prealign) },
      { name: 'net', seconds: 1.6, peakMemoryMb: 320, metrics: stepMetrics(net, lmSteps.net) },
      { name: 'finetune', seconds: 4.2, peakMemoryMb: 410, metrics: { ...stepMetrics(final, lmSteps.finetune), jacobian: { min: jacobianMin, foldingFraction: 0 } } },
    ],
    metrics: { before: { tre: tre(lmMoving.pointsLps), surfaceDistance: distanceSummary(moving.pointsLps, fixed) } },
  };
  await writeFile(join(dir, REGISTRATION_OUTPUTS.report), `${JSON.stringify(report, null, 2)}\n`);
  return {
    dir,
    moving,
    fixed,
    warped,
    field: { size, spacingMm, originLps, data },
    treBeforeMm: report.metrics.before.tre.mean,
    treAfterMm: report.steps[2].metrics.tre.mean,
    jacobianMin,
    fieldAt: (p) => [-t[0] + A * Math.sin((Math.PI * (p[0] - originLps[0])) / L), -t[1], -t[2]],
  };
}

/** Writes the brain results folder (white → pial, mesh inputs named by the report) into `dir`. */
export async function writeBrainResults(dir: string): Promise<{ dir: string; white: Shape; pial: Shape }> {
  const white = await readShape(BRAIN.white);
  const pial = await readShape(BRAIN.pial);
  await mkdir(join(dir, REGISTRATION_OUTPUTS.stepsDir), { recursive: true });
  const toward = (f: number): Float64Array => Float64Array.from(white.pointsLps, (w, i) => w + f * (pial.pointsLps[i] - w));
  const displacement = Float32Array.from(white.pointsLps, (w, i) => pial.pointsLps[i] - w);
  const confidence = new Float32Array(white.pointsLps.length / 3).fill(1);
  await writeShape(join(dir, `${REGISTRATION_OUTPUTS.warped}.gii`), {
    ...pial,
    arrays: [
      { name: 'displacement', components: 3, values: displacement, spatialVector: true },
      { name: 'confidence', components: 1, values: confidence },
    ],
  });
  await writeShape(join(dir, REGISTRATION_OUTPUTS.stepsDir, 'prealign.vtk'), withPoints(white, toward(0.5)));
  await writeShape(join(dir, REGISTRATION_OUTPUTS.stepsDir, 'finetune.vtk'), withPoints(white, toward(1)));
  const report = {
    version: '0.1.0',
    settings: { preset: 'brain' },
    inputs: { moving: BRAIN.white, fixed: BRAIN.pial },
    steps: { prealign: { seconds: 0.5 }, finetune: { seconds: 2.5 } },
    metrics: { before: { surfaceDistance: distanceSummary(white.pointsLps, pial) }, after: { surfaceDistance: distanceSummary(pial.pointsLps, pial) } },
  };
  await writeFile(join(dir, REGISTRATION_OUTPUTS.report), JSON.stringify(report));
  return { dir, white, pial };
}
