import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDetail, labelOf, reportInputs, reportView, unitOf } from '../../../main/service/report-view.ts';

test('report view: phases in pipeline order, rows per numeric leaf, units from names, fractions in %', () => {
  const view = reportView({
    version: '0.2.0',
    engine: { engine: 'tfjs', threads: 1, backend: 'tensorflow' },
    settings: { preset: 'brain' },
    steps: [
      { name: 'finetune', timeMs: 2500, peakRssMb: 400, metrics: { surfaceDistanceMm: { mean: 0.4 }, jacobian: { min: 0.3, foldingFraction: 0.0004 } } },
      { name: 'prealign', seconds: 0.5, metrics: { surfaceDistanceMm: { mean: 2.1 } } },
    ],
    metrics: { after: { surfaceDistanceMm: { mean: 0.4 } }, before: { surfaceDistanceMm: { mean: 3.2 }, n: 10242 } },
  });
  assert.deepEqual(view.columns, ['before', 'prealign', 'finetune', 'after']);
  assert.deepEqual(
    view.metrics.map((m) => [m.key, m.label, m.unit, m.values]),
    [
      ['surfaceDistanceMm.mean', 'Surface distance mean', 'mm', [3.2, 2.1, 0.4, 0.4]],
      ['n', 'N', '', [10242, null, null, null]],
      ['jacobian.min', 'Jacobian min', '', [null, null, 0.3, null]],
      ['jacobian.foldingFraction', 'Jacobian folding fraction', '%', [null, null, 0.04, null]],
      ['time', 'Time', 's', [null, 0.5, 2.5, null]],
      ['peakMemory', 'Peak memory', 'MB', [null, null, 400, null]],
    ],
  );
  assert.deepEqual(view.steps, [
    { name: 'finetune', seconds: 2.5, peakMemoryMb: 400 },
    { name: 'prealign', seconds: 0.5, peakMemoryMb: null },
  ]);
  assert.equal(view.engine, 'tfjs, 1 thread, tensorflow');
  assert.equal(view.version, '0.2.0');
  assert.equal(view.preset, 'brain');
});

test('report view: steps keyed by name, a string engine, and an empty or odd report', () => {
  const view = reportView({ engine: 'cpu', steps: { net: { seconds: 1 }, prealign: { durationSeconds: 2 } } });
  assert.deepEqual(view.columns, ['prealign', 'net']);
  assert.deepEqual(view.metrics, [{ key: 'time', label: 'Time', unit: 's', values: [2, 1] }]);
  assert.equal(view.engine, 'cpu');
  assert.deepEqual(reportView(null), { columns: ['after'], metrics: [], steps: [] });
  assert.deepEqual(reportView([1, 2]).metrics, []);
});

test('units and labels', () => {
  assert.deepEqual(unitOf('tre.p90'), { unit: 'mm', scale: 1 });
  assert.deepEqual(unitOf('treMm.n'), { unit: '', scale: 1 });
  assert.deepEqual(unitOf('hausdorff'), { unit: 'mm', scale: 1 });
  assert.deepEqual(unitOf('jacobian.foldingFraction'), { unit: '%', scale: 100 });
  assert.deepEqual(unitOf('timeSeconds'), { unit: 's', scale: 1 });
  assert.deepEqual(unitOf('confidence.mean'), { unit: '', scale: 1 });
  assert.equal(labelOf('treMm.std'), 'TRE SD');
  assert.equal(labelOf('surface_distance.p95'), 'Surface distance p95');
});

test('report inputs: strings or { path } objects, from inputs, request or settings', () => {
  assert.deepEqual(reportInputs({ inputs: { moving: { path: 'a.vtk', sha256: 'x' }, fixed: 'b.vtk' } }), { moving: 'a.vtk', fixed: 'b.vtk' });
  assert.deepEqual(reportInputs({ request: { moving: 'm.nii.gz', fixed: 'f.nii.gz', movingLandmarks: 'l.csv', outDir: '/o' } }), {
    moving: 'm.nii.gz',
    fixed: 'f.nii.gz',
    movingLandmarks: 'l.csv',
  });
  assert.deepEqual(reportInputs(undefined), {});
});

test("report view of the pipeline's report: the repeated `after` dropped, the top-level Jacobian in the last column, details marked", () => {
  const phase = (tre: number, chamfer: number) => ({
    tre: { n: 300, mean: tre },
    surfaceDistance: { movingToFixed: { absolute: { n: 2000, meanMm: chamfer + 0.1 } }, chamferMm: chamfer },
  });
  const finetune = phase(12.4, 1.8);
  const view = reportView({
    steps: [
      { name: 'prealign', status: 'done', seconds: 1, metrics: phase(14.5, 4) },
      { name: 'net', status: 'skipped', note: 'no trained model' },
      { name: 'finetune', status: 'done', seconds: 2.5, metrics: finetune },
    ],
    metrics: { before: phase(26.33, 11.6), prealign: phase(14.5, 4), finetune, after: structuredClone(finetune) },
    jacobian: { region: 'fixed mask', insideFixed: { min: 0.45, max: 3, nonPositiveCount: 0, nonPositiveFraction: 0 } },
  });
  assert.deepEqual(view.columns, ['before', 'prealign', 'net', 'finetune']);
  const rows = Object.fromEntries(view.metrics.map((m) => [m.key, m]));
  assert.deepEqual(rows['tre.mean'].values, [26.33, 14.5, null, 12.4]);
  assert.deepEqual(rows['jacobian.min'].values, [null, null, null, 0.45]);
  assert.deepEqual(rows['jacobian.foldingFraction'], { key: 'jacobian.foldingFraction', label: 'Jacobian folding fraction', unit: '%', values: [null, null, null, 0] });
  assert.deepEqual(
    view.metrics.filter((m) => m.detail).map((m) => m.key),
    ['tre.n', 'surfaceDistance.movingToFixed.absolute.n', 'surfaceDistance.movingToFixed.absolute.meanMm'],
  );
  assert.equal(rows['surfaceDistance.chamferMm'].detail, undefined);
  // An `after` that differs from the last step stays; Jacobian values the metrics already hold are kept.
  const kept = reportView({
    steps: [{ name: 'finetune', seconds: 1 }],
    metrics: { before: { tre: { mean: 3 } }, finetune: { tre: { mean: 2 }, jacobian: { min: 0.5 } }, after: { tre: { mean: 1 } } },
    jacobian: { min: 0.7, foldingFraction: 0.01 },
  });
  assert.deepEqual(kept.columns, ['before', 'finetune', 'after']);
  // A residual prior runs after the steps: its phase is the last column, and the `after` equal to it is dropped.
  const withPrior = reportView({
    steps: [{ name: 'finetune', seconds: 1 }, { name: 'prior', seconds: 0.5 }],
    metrics: { before: { tre: { mean: 3 } }, finetune: { tre: { mean: 2 } }, prior: { tre: { mean: 1.5 } }, after: { tre: { mean: 1.5 } } },
  });
  assert.deepEqual(withPrior.columns, ['before', 'finetune', 'prior']);
  const keptRows = Object.fromEntries(kept.metrics.map((m) => [m.key, m.values]));
  assert.deepEqual(keptRows['jacobian.min'], [null, 0.5, 0.7]);
  assert.deepEqual(keptRows['jacobian.foldingFraction'], [null, null, 1]);
  assert.equal(isDetail('surfaceDistance.fixedToMoving.signed.p95Mm'), true);
  assert.equal(isDetail('jacobian.nonPositiveCount'), true);
  assert.equal(isDetail('vertexError.mean'), false);
});

test('report inputs: the landmark column prefixes the run used', () => {
  assert.deepEqual(
    reportInputs({ inputs: { movingLandmarks: { path: 'l.csv', prefix: 'exp' }, fixedLandmarks: { path: 'l.csv', prefix: 'insp' } } }),
    { movingLandmarks: 'l.csv', fixedLandmarks: 'l.csv', movingLandmarksPrefix: 'exp', fixedLandmarksPrefix: 'insp' },
  );
  assert.deepEqual(reportInputs({ request: { movingLandmarks: 'a.csv', movingLandmarksPrefix: 'exp', fixedLandmarksPrefix: '' } }), {
    movingLandmarks: 'a.csv',
    movingLandmarksPrefix: 'exp',
  });
});
