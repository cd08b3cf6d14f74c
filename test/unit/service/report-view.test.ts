import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelOf, reportInputs, reportView, unitOf } from '../../../main/service/report-view.ts';

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
