import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AffineDeformation } from '../../../core/field/affine.ts';
import { formatAffineMatrixText, writeAffineMatrixText } from '../../../core/field/export-affine-matrix.ts';
import { readItkAffineTransform, writeItkAffineTransform } from '../../../core/field/export-itk-transform.ts';
import { gridPointsLps } from '../../../core/field/grid.ts';
import { parseItkAffineText } from '../../../core/field/itk-transform-text.ts';
import { affineFromParts, transformPoints } from '../../../core/field/matrix4.ts';
import { sampleOnGrid } from '../../../core/field/sample-on-grid.ts';
import { InputError } from '../../../core/io/errors.ts';
import { assertClose, maxPointError, obliqueGrid, rotation3 } from './support.ts';
import { mat4Numbers } from '../../support/mat4-text.ts';

/** φ(x) = A x + t with A a rotation × anisotropic scale (not symmetric, det ≠ 1). */
function testAffine(): AffineDeformation {
  const r = rotation3(25, 10);
  const scale = [1.1, 0.9, 1.05];
  const a = r.map((v, i) => v * scale[i % 3]);
  return new AffineDeformation(affineFromParts(a, [4.5, -3.25, 7]));
}

test('a pure translation: the inverse field on the grid is −t everywhere, the forward field +t', async () => {
  const t = [3.5, -1.25, 2];
  const def = new AffineDeformation(affineFromParts([1, 0, 0, 0, 1, 0, 0, 0, 1], t));
  const grid = obliqueGrid([5, 4, 3]);
  const inv = await sampleOnGrid(def, grid);
  const fwd = await sampleOnGrid(def, grid, { direction: 'forward' });
  for (let v = 0; v < 60; v++) {
    for (let c = 0; c < 3; c++) {
      assert.ok(Math.abs(inv.image.data[3 * v + c] + t[c]) < 1e-5, `inverse field voxel ${v}`);
      assert.ok(Math.abs(fwd.image.data[3 * v + c] - t[c]) < 1e-5, `forward field voxel ${v}`);
    }
  }
  assert.equal(inv.maxResidualMm, 0);
  assert.deepEqual(inv.image.size, grid.size);
  assert.deepEqual(inv.image.originLps, grid.originLps);
});

test('an affine: the sampled ITK field equals the analytic inverse displacement A⁻¹(y − t) − y', async () => {
  const def = testAffine();
  const grid = obliqueGrid();
  const { image } = await sampleOnGrid(def, grid, { precision: 'float64' });
  const y = gridPointsLps(grid);
  const a = def.movingToFixedLps;
  // A⁻¹ by solving with the adjugate, written out here rather than taken from the module under test.
  const m = [a[0], a[1], a[2], a[4], a[5], a[6], a[8], a[9], a[10]];
  const det = m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
  const adj = [
    m[4] * m[8] - m[5] * m[7], m[2] * m[7] - m[1] * m[8], m[1] * m[5] - m[2] * m[4],
    m[5] * m[6] - m[3] * m[8], m[0] * m[8] - m[2] * m[6], m[2] * m[3] - m[0] * m[5],
    m[3] * m[7] - m[4] * m[6], m[1] * m[6] - m[0] * m[7], m[0] * m[4] - m[1] * m[3],
  ];
  const expected = new Float64Array(y.length);
  for (let i = 0; i < y.length; i += 3) {
    const d = [y[i] - a[3], y[i + 1] - a[7], y[i + 2] - a[11]];
    for (let r = 0; r < 3; r++) expected[i + r] = (adj[3 * r] * d[0] + adj[3 * r + 1] * d[1] + adj[3 * r + 2] * d[2]) / det - y[i + r];
  }
  assertClose(image.data, expected, 1e-9, 'T');
  // and y + T(y) is mapped back onto y by φ
  const moved = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) moved[i] = y[i] + image.data[i];
  assert.ok(maxPointError(transformPoints(a, moved), y) < 1e-9);
});

test('.tfm round trip: the file holds the fixed → moving inverse, and reads back to the same matrix', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'monge-tfm-'));
  try {
    const def = testAffine();
    const path = join(dir, 'affine.tfm');
    await writeItkAffineTransform(path, def);
    const text = await readFile(path, 'utf8');
    const lines = text.trim().split('\n');
    assert.equal(lines[0], '#Insight Transform File V1.0');
    assert.equal(lines[2], 'Transform: AffineTransform_double_3_3');
    assert.equal(lines[4], 'FixedParameters: 0 0 0');
    const params = lines[3].replace('Parameters: ', '').split(' ').map(Number);
    assert.equal(params.length, 12);
    // The parameters are M row-major then t of the FIXED → MOVING map: applied to φ(x) they give x back.
    const x = [12, -40, 33];
    const fx = transformPoints(def.movingToFixedLps, Float64Array.from(x));
    const back = [0, 1, 2].map((r) => params[3 * r] * fx[0] + params[3 * r + 1] * fx[1] + params[3 * r + 2] * fx[2] + params[9 + r]);
    assertClose(back, x, 1e-9, 'fixed → moving parameters');
    // Exact round trip through the parser (numbers are written in shortest round-trip form).
    const parsed = parseItkAffineText(text, path);
    assert.deepEqual(Array.from(parsed), Array.from(def.fixedToMovingLps));
    const reread = await readItkAffineTransform(path);
    assertClose(reread.movingToFixedLps, def.movingToFixedLps, 1e-12, 'moving → fixed after reading');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the .tfm parser honours a centre of rotation (FixedParameters) and rejects what it cannot read', () => {
  const text = [
    '#Insight Transform File V1.0',
    '#Transform 0',
    'Transform: MatrixOffsetTransformBase_float_3_3',
    'Parameters: 0 -1 0 1 0 0 0 0 1 1 2 3',
    'FixedParameters: 10 20 30',
    '',
  ].join('\r\n');
  const m = parseItkAffineText(text, 'c.tfm');
  // ITK: T(p) = M (p − c) + c + t. At p = (11, 22, 33): M (1, 2, 3) = (−2, 1, 3); + c + t = (9, 23, 36).
  assertClose(transformPoints(m, Float64Array.from([11, 22, 33])), [9, 23, 36], 1e-12, 'T(p)');

  const bad = (body: string, problem: string): void => {
    assert.throws(
      () => parseItkAffineText(body, 'bad.tfm'),
      (e: unknown) => e instanceof InputError && e.problem === problem && e.file === 'bad.tfm',
      `${problem}: ${body.slice(0, 60)}`,
    );
  };
  bad('hello\n', 'bad-magic');
  bad('#Insight Transform File V1.0\nTransform: Euler3DTransform_double_3_3\nParameters: 0 0 0 0 0 0\n', 'unsupported');
  bad('#Insight Transform File V1.0\nTransform: AffineTransform_double_3_3\nParameters: 1 0 0 0 1 0 0 0 1 0 0\n', 'malformed');
  bad('#Insight Transform File V1.0\nTransform: AffineTransform_double_3_3\nParameters: 1 0 0 0 1 0 0 0 1 0 0 x\n', 'non-finite');
  bad('#Insight Transform File V1.0\nTransform: AffineTransform_double_3_3\nParameters: 0 0 0 0 0 0 0 0 0 1 2 3\n', 'malformed');
  bad(
    '#Insight Transform File V1.0\n#Transform 0\nTransform: AffineTransform_double_3_3\nParameters: 1 0 0 0 1 0 0 0 1 0 0 0\n' +
      '#Transform 1\nTransform: AffineTransform_double_3_3\nParameters: 1 0 0 0 1 0 0 0 1 0 0 0\n',
    'unsupported',
  );
});

test('the 4×4 text holds moving → fixed in LPS, or F·M·F in RAS', async () => {
  const def = testAffine();
  const lps = mat4Numbers(formatAffineMatrixText(def));
  assert.deepEqual(lps, Array.from(def.movingToFixedLps));
  const ras = mat4Numbers(formatAffineMatrixText(def, 'RAS'));
  // A RAS point (−x, −y, z) must map to the RAS image of the LPS result.
  const x = [5, -6, 7];
  const fx = transformPoints(def.movingToFixedLps, Float64Array.from(x));
  const rasIn = [-x[0], -x[1], x[2], 1];
  const rasOut = [0, 1, 2].map((r) => ras[4 * r] * rasIn[0] + ras[4 * r + 1] * rasIn[1] + ras[4 * r + 2] * rasIn[2] + ras[4 * r + 3]);
  assertClose(rasOut, [-fx[0], -fx[1], fx[2]], 1e-9, 'RAS matrix');
  assert.deepEqual(ras.slice(12), [0, 0, 0, 1]);
  const dir = await mkdtemp(join(tmpdir(), 'monge-mat-'));
  try {
    const path = join(dir, 'affine.mat4.txt');
    await writeAffineMatrixText(path, def);
    assert.deepEqual(mat4Numbers(await readFile(path, 'utf8')), lps);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
