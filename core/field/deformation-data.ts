/**
 * A deformation as plain data — typed arrays and numbers, which structured clone copies to a worker thread — and
 * back. Only deformations that are pure functions of their arrays have a data form (affine maps, grid fields,
 * stationary velocities with both exponentials, and chains and inverses of those); a KernelDisplacement evaluates
 * through a kernel engine and has none, so work on it stays on the calling thread.
 */
import type { ImageLps } from '../io/images/types.ts';
import type { ArrayValues } from '../shape/types.ts';
import { AffineDeformation } from './affine.ts';
import { ComposedDeformation } from './composed.ts';
import { GridDisplacement } from './grid-displacement.ts';
import type { OutsideMode } from './grid-sampler.ts';
import { InvertedDeformation } from './inverted.ts';
import { StationaryVelocityDeformation } from './stationary-velocity.ts';
import type { Deformation, InversionOptions } from './types.ts';

export type DeformationData =
  | { kind: 'affine'; movingToFixedLps: Float64Array }
  | { kind: 'grid'; field: ImageLps; outside: OutsideMode }
  | { kind: 'velocity'; forward: ImageLps; backward: ImageLps; squarings: number; outside: OutsideMode }
  | { kind: 'composed'; steps: DeformationData[] }
  | { kind: 'inverted'; inner: DeformationData; options?: InversionOptions };

/** The data form of `deformation`, or undefined when it has none (module comment). */
export function deformationData(deformation: Deformation): DeformationData | undefined {
  if (deformation instanceof AffineDeformation) return { kind: 'affine', movingToFixedLps: deformation.movingToFixedLps };
  if (deformation instanceof GridDisplacement) return { kind: 'grid', field: deformation.field, outside: deformation.outside };
  if (deformation instanceof StationaryVelocityDeformation) {
    const { forward, backward } = deformation;
    return { kind: 'velocity', forward: forward.field, backward: backward.field, squarings: deformation.squarings, outside: forward.outside };
  }
  if (deformation instanceof ComposedDeformation) {
    const steps = deformation.steps.map(deformationData);
    return steps.every((s) => s !== undefined) ? { kind: 'composed', steps: steps as DeformationData[] } : undefined;
  }
  if (deformation instanceof InvertedDeformation) {
    const inner = deformationData(deformation.inner);
    return inner && { kind: 'inverted', inner, ...(deformation.options ? { options: deformation.options } : {}) };
  }
  return undefined;
}

/** Rebuilds a deformation from its data form: it evaluates exactly as the original. */
export function deformationFromData(data: DeformationData): Deformation {
  switch (data.kind) {
    case 'affine':
      return new AffineDeformation(data.movingToFixedLps);
    case 'grid':
      return new GridDisplacement(data.field, data.outside);
    case 'velocity':
      return new StationaryVelocityDeformation({ forward: data.forward, backward: data.backward, squarings: data.squarings }, {}, data.outside);
    case 'composed':
      return new ComposedDeformation(data.steps.map(deformationFromData));
    case 'inverted':
      return new InvertedDeformation(deformationFromData(data.inner), data.options);
  }
}

/**
 * The same data with every voxel array copied once into shared memory: structured clone then hands each worker a
 * view of that one copy instead of a copy of its own (a 1 GB field and 7 workers would otherwise take 8 GB).
 */
export function sharedDeformationData(data: DeformationData): DeformationData {
  const shared = (image: ImageLps): ImageLps => {
    const values = image.data;
    const Type = values.constructor as new (buffer: SharedArrayBuffer) => ArrayValues;
    const copy = new Type(new SharedArrayBuffer(values.byteLength));
    copy.set(values);
    return { ...image, data: copy };
  };
  switch (data.kind) {
    case 'affine':
      return data;
    case 'grid':
      return { ...data, field: shared(data.field) };
    case 'velocity':
      return { ...data, forward: shared(data.forward), backward: shared(data.backward) };
    case 'composed':
      return { kind: 'composed', steps: data.steps.map(sharedDeformationData) };
    case 'inverted':
      return { ...data, inner: sharedDeformationData(data.inner) };
  }
}
