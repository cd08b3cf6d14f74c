/**
 * Loads any input as a shape for the commands that work on shapes (ot, register): meshes and point sets as they
 * are, volumes (masks, label maps) as their extracted surface.
 */
import { readAny, type ReadShapeOptions } from '../io/index.ts';
import { InputError } from '../io/errors.ts';
import { EmptyMaskError, extractSurface } from '../shape/extract-surface.ts';
import type { Shape } from '../shape/types.ts';

export async function loadShape(path: string, options: ReadShapeOptions = {}): Promise<Shape> {
  const input = await readAny(path, options);
  if (input.kind !== 'image') return input.shape;
  try {
    return extractSurface(input.image, {});
  } catch (e) {
    if (e instanceof EmptyMaskError) throw new InputError(path, 'empty', e.message);
    throw e;
  }
}
