import type { ArrayValues, PointArray } from '../arrays/index.ts';
import type { Shape } from './types.ts';

/** The tuples `indices` of interleaved `values` with `components` per tuple, in a new array of the same type. */
function pickTuples<T extends ArrayValues>(values: T, components: number, indices: ArrayLike<number>): T {
  const Ctor = values.constructor as new (length: number) => T;
  const out = new Ctor(indices.length * components);
  for (let q = 0; q < indices.length; q++) {
    const s = indices[q] * components;
    for (let c = 0; c < components; c++) out[q * components + c] = values[s + c];
  }
  return out;
}

/**
 * The points `indices` of a shape (e.g. from a sampler in sampling.ts), with everything per point carried along:
 * normals, mass, named arrays (same type, components and spatial-vector flag) and labels. The result is a point
 * set: a vertex subset of a mesh has no triangles. Mass values are copied unchanged (their sum shrinks; callers
 * that need a probability measure renormalise). Indices may repeat and come in any order.
 */
export function subsetShape(shape: Shape, indices: ArrayLike<number>): Shape {
  const n = shape.pointsLps.length / 3;
  for (let q = 0; q < indices.length; q++) {
    const i = indices[q];
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new Error(`subset index ${i} is outside 0…${n - 1}`);
  }
  const arrays: PointArray[] = shape.arrays.map((a) => ({ ...a, values: pickTuples(a.values, a.components, indices) }));
  const out: Shape = {
    kind: 'points',
    pointsLps: pickTuples(shape.pointsLps, 3, indices),
    arrays,
    sourceFrame: shape.sourceFrame,
  };
  if (shape.normalsLps) out.normalsLps = pickTuples(shape.normalsLps, 3, indices);
  if (shape.mass) out.mass = pickTuples(shape.mass, 1, indices);
  if (shape.labels) {
    const labels = shape.labels;
    out.labels = Array.from(indices, (i) => labels[i]);
  }
  return out;
}
