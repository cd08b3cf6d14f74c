import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convertDirection, convertMatrix3, convertPoint, convertPointArray, convertPoints, parseFrame, signsToLps, type AnatomicalFrame } from '../../../core/frames/index.ts';

test('RAS ↔ LPS flips x and y and is its own inverse', () => {
  assert.deepEqual(convertPoint([1, 2, 3], 'RAS', 'LPS'), [-1, -2, 3]);
  assert.deepEqual(convertPoint([1, 2, 3], 'LPS', 'LPS'), [1, 2, 3]);
  const p = Float64Array.of(1, 2, 3, -4, 5, -6);
  const q = convertPoints(p, 'LPS', 'RAS');
  assert.deepEqual(Array.from(q), [-1, -2, 3, 4, -5, -6]);
  assert.deepEqual(Array.from(convertPoints(q, 'RAS', 'LPS')), Array.from(p));
  assert.deepEqual(Array.from(p), [1, 2, 3, -4, 5, -6], 'input untouched');
});

test('a linear map converts so that it commutes with the point conversion', () => {
  const m = [0, -1, 0, 1, 0, 0.5, 0.2, 0, 2]; // arbitrary, non-symmetric
  const v: [number, number, number] = [0.3, -1.2, 2.5];
  const apply = (a: ArrayLike<number>, x: readonly number[]) => [0, 1, 2].map((r) => a[3 * r] * x[0] + a[3 * r + 1] * x[1] + a[3 * r + 2] * x[2]);
  const inLps = apply(m, v);
  const mRas = convertMatrix3(m, 'LPS', 'RAS');
  const viaRas = convertPoint(apply(mRas, convertPoint(v, 'LPS', 'RAS')) as [number, number, number], 'RAS', 'LPS');
  for (let c = 0; c < 3; c++) assert.ok(Math.abs(viaRas[c] - inLps[c]) < 1e-12);
});

test('direction cosines convert on the physical side only', () => {
  const d = [0, 1, 0, -1, 0, 0, 0, 0, 1]; // index axis 0 → +y, axis 1 → −x
  const ijk = [2, 3, 4];
  const apply = (a: ArrayLike<number>, x: readonly number[]) => [0, 1, 2].map((r) => a[3 * r] * x[0] + a[3 * r + 1] * x[1] + a[3 * r + 2] * x[2]);
  const lps = apply(d, ijk);
  const ras = apply(convertDirection(d, 'LPS', 'RAS'), ijk);
  assert.deepEqual(ras.map((v) => v + 0), convertPoint(lps as [number, number, number], 'LPS', 'RAS').map((v) => v + 0));
});

test('parseFrame accepts ras/lps in any case only', () => {
  assert.equal(parseFrame('ras'), 'RAS');
  assert.equal(parseFrame(' LPS '), 'LPS');
  assert.equal(parseFrame('xyz'), undefined);
  assert.equal(parseFrame(undefined), undefined);
});

test('integer spatial vectors and tensors change frame too: signed types keep their type, the others become float64', () => {
  // Expected values from the definition: x and y of a vector negated; entries mixing z with x or y of a tensor negated.
  const vector = convertPointArray({ name: 'v', components: 3, values: Int16Array.of(1, -2, 3, 0, 5, -6), spatialVector: true }, 'RAS', 'LPS');
  assert.ok(vector.values instanceof Int16Array);
  assert.deepEqual(Array.from(vector.values, (v) => v + 0), [-1, 2, 3, 0, -5, -6]);

  const tensor = convertPointArray({ name: 't', components: 9, values: Int32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9), spatialTensor: true }, 'LPS', 'RAS');
  assert.ok(tensor.values instanceof Int32Array);
  assert.deepEqual(Array.from(tensor.values), [1, 2, -3, 4, 5, -6, -7, -8, 9]);

  // −(−128) does not fit in an Int8Array: the values move to float64 instead of wrapping round to −128.
  const atMinimum = convertPointArray({ name: 'm', components: 3, values: Int8Array.of(-128, 1, 2), spatialVector: true }, 'RAS', 'LPS');
  assert.ok(atMinimum.values instanceof Float64Array);
  assert.deepEqual(Array.from(atMinimum.values), [128, -1, 2]);

  // Unsigned values cannot be negated in their type.
  const unsigned = convertPointArray({ name: 'u', components: 3, values: Uint8Array.of(10, 20, 30), spatialVector: true }, 'RAS', 'LPS');
  assert.ok(unsigned.values instanceof Float64Array);
  assert.deepEqual(Array.from(unsigned.values), [-10, -20, 30]);

  // The same frame, or an array with no spatial role, is returned as it is.
  const labels = { name: 'labels', components: 3, values: Uint8Array.of(1, 2, 3) };
  assert.equal(convertPointArray(labels, 'RAS', 'LPS'), labels);
  assert.equal(convertPointArray(vector, 'LPS', 'LPS'), vector);
});

test('signsToLps takes a point in any axis-aligned anatomical frame to LPS', () => {
  // Expected values by hand: a point 10 mm along the frame's first axis, 20 along its second and 30 along its third.
  // LPS measures +x toward the left, +y toward the back, +z toward the head, so a frame axis pointing the other way
  // (R, A, I) puts the same distance with the opposite sign.
  const expected: Record<string, [number, number, number]> = {
    LAS: [10, -20, 30], // 10 left, 20 anterior (= −20 posterior), 30 superior
    RAS: [-10, -20, 30], // 10 right (= −10 left), 20 anterior, 30 superior
    LPS: [10, 20, 30],
    RPI: [-10, 20, -30], // 10 right, 20 posterior, 30 inferior (= −30 superior)
    LAI: [10, -20, -30],
  };
  for (const [frame, lps] of Object.entries(expected)) {
    const s = signsToLps(frame as AnatomicalFrame);
    assert.deepEqual([10, 20, 30].map((v, k) => s[k] * v), lps, frame);
    // The signs are their own inverse: applied again they take the LPS point back to the frame's coordinates.
    assert.deepEqual(lps.map((v, k) => s[k] * v), [10, 20, 30], `${frame} back`);
  }
  // For RAS they are the half-turn every RAS reader and writer uses.
  assert.deepEqual(convertPoint([10, 20, 30], 'RAS', 'LPS'), expected.RAS);
});
