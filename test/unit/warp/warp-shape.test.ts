import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AffineDeformation } from '../../../core/field/affine.ts';
import { affineFromParts, transformPoints } from '../../../core/field/matrix4.ts';
import { type Shape, vertexNormals } from '../../../core/shape/index.ts';
import { warpPoints } from '../../../core/warp/warp-points.ts';
import { warpShape } from '../../../core/warp/warp-shape.ts';
import { assertClose, rotation3 } from '../field/support.ts';

/** An octahedron, outward-wound. */
function octahedron(): Shape {
  const points = Float64Array.from([10, 0, 0, -10, 0, 0, 0, 10, 0, 0, -10, 0, 0, 0, 10, 0, 0, -10]);
  const triangles = Uint32Array.from([0, 2, 4, 2, 1, 4, 1, 3, 4, 3, 0, 4, 2, 0, 5, 1, 2, 5, 3, 1, 5, 0, 3, 5]);
  return {
    kind: 'mesh',
    pointsLps: points,
    triangles,
    normalsLps: vertexNormals(points, triangles),
    mass: Float64Array.from([1, 2, 3, 4, 5, 6]),
    arrays: [
      { name: 'thickness', components: 1, values: Float32Array.from([1, 2, 3, 4, 5, 6]) },
      { name: 'displacement', components: 3, values: new Float32Array(18).fill(9), spatialVector: true },
    ],
    labels: ['a', 'b', 'c', 'd', 'e', 'f'],
    sourceFrame: 'RAS',
  };
}

test('warping a mesh: points pushed forward by φ, a displacement array added, normals recomputed, the rest carried', async () => {
  const r = rotation3(35, -20);
  const t = [5, -3, 12];
  const def = new AffineDeformation(affineFromParts(r, t));
  const shape = octahedron();
  const warped = await warpShape(shape, def);
  const expected = transformPoints(def.movingToFixedLps, shape.pointsLps);
  assertClose(warped.pointsLps, expected, 1e-12, 'points');
  const disp = warped.arrays.filter((a) => a.name === 'displacement');
  assert.equal(disp.length, 1, 'the old displacement array is replaced');
  assert.equal(disp[0].spatialVector, true);
  assertClose(disp[0].values, expected.map((v, i) => v - shape.pointsLps[i]), 1e-5, 'displacement = φ(x) − x');
  assert.deepEqual(warped.arrays.find((a) => a.name === 'thickness')?.values, shape.arrays[0].values);
  // Normals rotate with a rotation.
  const n0 = shape.normalsLps as Float32Array;
  const rotated = new Float64Array(n0.length);
  for (let i = 0; i < n0.length; i += 3) for (let a = 0; a < 3; a++) rotated[i + a] = r[3 * a] * n0[i] + r[3 * a + 1] * n0[i + 1] + r[3 * a + 2] * n0[i + 2];
  assertClose(warped.normalsLps as Float32Array, rotated, 1e-6, 'normals');
  assert.deepEqual(warped.triangles, shape.triangles);
  assert.deepEqual(warped.labels, shape.labels);
  assert.deepEqual(warped.mass, shape.mass);
  assert.equal(warped.sourceFrame, 'RAS');
  // The input is untouched.
  assert.equal(shape.pointsLps[0], 10);
  assert.equal(shape.arrays.length, 2);
});

test('a Normals point-data array (as VTK files and Slicer carry normals) is recomputed on a mesh, dropped from a point set', async () => {
  const r = rotation3(35, -20);
  const def = new AffineDeformation(affineFromParts(r, [5, -3, 12]));
  const base = octahedron();
  const n0 = Float32Array.from(base.normalsLps as Float32Array);
  const shape: Shape = { ...base, normalsLps: undefined, arrays: [...base.arrays, { name: 'Normals', components: 3, values: n0, spatialVector: true }] };
  const warped = await warpShape(shape, def);
  const rotated = new Float64Array(n0.length);
  for (let i = 0; i < n0.length; i += 3) for (let a = 0; a < 3; a++) rotated[i + a] = r[3 * a] * n0[i] + r[3 * a + 1] * n0[i + 1] + r[3 * a + 2] * n0[i + 2];
  assertClose(warped.arrays.find((a) => a.name === 'Normals')!.values, rotated, 1e-6, 'Normals array');
  assert.deepEqual(shape.arrays.find((a) => a.name === 'Normals')!.values, n0, 'the input is untouched');
  const points: Shape = { ...shape, kind: 'points', triangles: undefined };
  assert.deepEqual((await warpShape(points, def)).arrays.map((a) => a.name).sort(), ['displacement', 'thickness']);
});

test('warping a point set: normals cannot be carried and are dropped; warpPoints returns both points and displacements', async () => {
  const def = new AffineDeformation(affineFromParts([2, 0, 0, 0, 1, 0, 0, 0, 1], [1, 1, 1]));
  const shape: Shape = { kind: 'points', pointsLps: Float64Array.from([1, 2, 3, -4, 5, 6]), normalsLps: Float32Array.from([1, 0, 0, 0, 1, 0]), arrays: [], sourceFrame: 'LPS' };
  const warped = await warpShape(shape, def);
  assert.deepEqual(Array.from(warped.pointsLps), [3, 3, 4, -7, 6, 7]);
  assert.equal(warped.normalsLps, undefined);
  const { pointsLps, displacementsLps } = await warpPoints(shape.pointsLps, def);
  assert.deepEqual(Array.from(pointsLps), [3, 3, 4, -7, 6, 7]);
  assert.deepEqual(Array.from(displacementsLps), [2, 1, 1, -3, 1, 1]);
});
