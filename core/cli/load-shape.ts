/**
 * Loads any input as a shape for `monge ot`: meshes and point sets as they are, volumes (masks, label maps) as their
 * extracted surface. An image of more than one component per voxel (a displacement field) is refused, as register
 * refuses it, and so is a grey image: ot takes no threshold, and `monge surface --threshold` makes the shape.
 */
import { readAny, type ReadShapeOptions } from '../io/index.ts';
import { InputError } from '../io/errors.ts';
import { EmptyMaskError, extractSurface, greyVolumeProblem, type Shape, vectorVolumeProblem } from '../shape/index.ts';

export async function loadShape(path: string, options: ReadShapeOptions = {}): Promise<Shape> {
  const input = await readAny(path, options);
  if (input.kind !== 'image') {
    if (input.shape.pointsLps.length === 0) throw new InputError(path, 'empty', 'holds no points');
    return input.shape;
  }
  const vector = vectorVolumeProblem(input.image);
  if (vector !== undefined) throw new InputError(path, 'unsupported', vector);
  const grey = greyVolumeProblem(input.image);
  if (grey !== undefined) throw new InputError(path, 'unsupported', `${grey}: make its surface first with 'monge surface --threshold T' (or --label N) and give that`);
  try {
    return extractSurface(input.image, {});
  } catch (e) {
    if (e instanceof EmptyMaskError) throw new InputError(path, 'empty', e.message);
    throw e;
  }
}
