/**
 * Shape (core/shape, Float64 LPS) → DisplayShape (Float32 LPS, what the renderer draws), and the buffers to move
 * when it crosses a thread. Arrays become Float32 with their value range (the magnitude's for spatial vectors), so
 * the user interface can scale colour maps without scanning them again.
 */
import { boundsOf, type PointArray, type Shape, valueRange } from '../../core/shape/index.ts';
import type { DisplayArray, DisplayShape } from './api.ts';

/** A display array from values already in LPS (spatial vectors) and Float32-convertible. */
export function displayArray(name: string, components: number, values: ArrayLike<number>, spatialVector = false): DisplayArray {
  const f32 = values instanceof Float32Array ? values : Float32Array.from(values);
  return { name, components, values: f32, spatialVector, range: valueRange(f32, components, spatialVector && components === 3) };
}

function toDisplayArray(array: PointArray): DisplayArray {
  return displayArray(array.name, array.components, array.values, array.spatialVector === true && array.components === 3);
}

/** The display form of a shape. */
export function toDisplayShape(shape: Shape): DisplayShape {
  const bounds = shape.pointsLps.length > 0 ? boundsOf(shape.pointsLps) : ([0, 0, 0, 0, 0, 0] as DisplayShape['boundsLps']);
  return {
    kind: shape.kind,
    pointsLps: Float32Array.from(shape.pointsLps),
    triangles: shape.triangles ? Uint32Array.from(shape.triangles) : new Uint32Array(0),
    arrays: shape.arrays.map(toDisplayArray),
    ...(shape.labels ? { labels: [...shape.labels] } : {}),
    boundsLps: bounds,
    sourceFrame: shape.sourceFrame,
  };
}

/** The buffers of a display shape (to transfer between threads instead of copying). */
export function displayShapeBuffers(shape: DisplayShape): ArrayBuffer[] {
  const buffers = [shape.pointsLps.buffer, shape.triangles.buffer, ...shape.arrays.map((a) => a.values.buffer)];
  return [...new Set(buffers)].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
}
