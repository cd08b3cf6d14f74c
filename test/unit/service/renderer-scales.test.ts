import { test } from 'node:test';
import assert from 'node:assert/strict';
import { colorAt, niceCeil, scaleFor, tickLabel, ticks, VIRIDIS } from '../../../renderer/src/color-scale.ts';
import { formatMetric } from '../../../renderer/src/metrics-table.ts';
import { magnitudes } from '../../../renderer/src/view3d-math.ts';

test("legend range: Slicer's 1 / 2 / 5 / 10 scale", () => {
  const cases: [number, number][] = [
    [0.3, 0.5],
    [0.5, 0.5],
    [0.51, 1],
    [1, 1],
    [1.2, 2],
    [2.5, 5],
    [6.9, 10],
    [10, 10],
    [10.01, 20],
    [0.3000000000000001, 0.5],
    [0.30000000000000004, 0.5],
    [23, 50],
    [0, 1],
    [-4, 1],
    [NaN, 1],
  ];
  for (const [v, expected] of cases) assert.equal(niceCeil(v), expected, `niceCeil(${v})`);
  assert.deepEqual(ticks(10), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(ticks(5), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(ticks(2), [0, 0.5, 1, 1.5, 2]);
  assert.deepEqual(ticks(1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(ticks(20), [0, 5, 10, 15, 20]);
  assert.deepEqual(scaleFor('displacement', 6.9), { title: 'Displacement', unit: 'mm', min: 0, max: 10, ticks: [0, 2, 4, 6, 8, 10] });
  assert.equal(scaleFor('confidence', 123).max, 1);
  assert.equal(tickLabel(0.2), '0.2');
  assert.equal(tickLabel(10), '10');
});

test('colour map: the viridis table at its stops, linear between them, clamped outside', () => {
  assert.deepEqual(colorAt(0), VIRIDIS[0]);
  assert.deepEqual(colorAt(1), VIRIDIS[10]);
  assert.deepEqual(colorAt(0.5), VIRIDIS[5]);
  assert.deepEqual(colorAt(-3), VIRIDIS[0]);
  assert.deepEqual(colorAt(7), VIRIDIS[10]);
  const mid = colorAt(0.05);
  for (let c = 0; c < 3; c++) assert.ok(Math.abs(mid[c] - (VIRIDIS[0][c] + VIRIDIS[1][c]) / 2) < 1e-12);
  // Viridis grows monotonically in lightness (green channel here).
  for (let i = 1; i < VIRIDIS.length; i++) assert.ok(VIRIDIS[i][1] > VIRIDIS[i - 1][1]);
});

test('metric formatting and magnitudes', () => {
  assert.equal(formatMetric(26.3271, 'mm'), '26.33');
  assert.equal(formatMetric(0.04, '%'), '0.04');
  assert.equal(formatMetric(410.4, 'MB'), '410');
  assert.equal(formatMetric(null, 'mm'), '—');
  assert.equal(formatMetric(300, ''), '300');
  assert.equal(formatMetric(0.96858, ''), '0.969');
  assert.deepEqual(magnitudes(Float32Array.from([3, 4, 0, 0, 0, -2]), 3), Float32Array.from([5, 2]));
});
