/**
 * A deformation as plain data — numbers and typed arrays, the voxel arrays in shared memory, which structured clone
 * hands to a worker thread — and back. Only deformations that are pure functions of their arrays have a data form (affine maps, grid fields,
 * stationary velocities with both exponentials, and chains and inverses of those); a KernelDisplacement evaluates
 * through a kernel engine and has none, so work on it stays on the calling thread.
 */
import type { ImageLps } from '../image/index.ts';
import type { ArrayValues } from '../shape/index.ts';
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

/**
 * An image with its voxels copied once into shared memory: structured clone then hands each worker a view of that
 * one copy instead of a copy of its own (a 1 GB field and 7 workers would otherwise take 8 GB).
 */
function sharedImage(image: ImageLps): ImageLps {
  const Type = image.data.constructor as new (buffer: SharedArrayBuffer) => ArrayValues;
  const data = new Type(new SharedArrayBuffer(image.data.byteLength));
  data.set(image.data);
  return { ...image, data };
}

/** The data form of `deformation`, its voxel arrays in shared memory, or undefined when it has none (module comment). */
export function deformationData(deformation: Deformation): DeformationData | undefined {
  if (deformation instanceof AffineDeformation) return { kind: 'affine', movingToFixedLps: deformation.movingToFixedLps };
  if (deformation instanceof GridDisplacement) return { kind: 'grid', field: sharedImage(deformation.field), outside: deformation.outside };
  if (deformation instanceof StationaryVelocityDeformation) {
    const { forward, backward } = deformation;
    return { kind: 'velocity', forward: sharedImage(forward.field), backward: sharedImage(backward.field), squarings: deformation.squarings, outside: forward.outside };
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

