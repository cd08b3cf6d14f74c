/**
 * The before / after thumbnails of a pair, `OUTDIR/thumbnails/<id>.before.png` (the moving shape, orange, with the
 * fixed shape as a blue tint and outline) and `<id>.after.png` (the warped shape instead), rendered headless with
 * core/render from the files the registration wrote (the extracted surfaces of volume inputs, the input meshes
 * otherwise, and warped.<ext>) — reading them back is part of verifying the outputs. Both use one camera fitted to
 * all three shapes so they compare directly. Kept beside, not inside, the pair folder, which stays exactly what
 * `monge register` writes.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { InputError } from '../io/errors.ts';
import { readShape } from '../io/index.ts';
import { layersBounds, renderOverlayPng, type Rgb } from '../render/index.ts';
import { REGISTRATION_OUTPUTS, type RegisterRequest } from '../registration/types.ts';
import type { Shape } from '../shape/index.ts';

export const THUMBNAILS_DIR = 'thumbnails';

/** Fixed shape in blue, moving / warped in orange (distinguishable with the common colour-vision deficiencies). */
export const THUMBNAIL_COLOURS: { fixed: Rgb; moving: Rgb } = { fixed: [66, 133, 214], moving: [236, 124, 38] };

/** Thumbnail paths relative to OUTDIR. */
export function thumbnailPaths(id: string): { before: string; after: string } {
  return { before: `${THUMBNAILS_DIR}/${id}.before.png`, after: `${THUMBNAILS_DIR}/${id}.after.png` };
}

async function readOutputShape(path: string, what: string): Promise<Shape> {
  const shape = await readShape(path);
  if (shape.pointsLps.length === 0) throw new InputError(path, 'empty', `${what} holds no points`);
  for (let i = 0; i < shape.pointsLps.length; i++) if (!Number.isFinite(shape.pointsLps[i])) throw new InputError(path, 'non-finite', `${what} has a non-finite point`);
  return shape;
}

/**
 * Reads the pair's shapes back from `pairDir` (files = what register() reported writing), checks the warped shape
 * has the moving shape's points, renders both thumbnails and writes them. Returns their paths relative to OUTDIR.
 */
export async function writePairThumbnails(outDir: string, id: string, request: RegisterRequest, files: readonly string[], size = 192): Promise<string[]> {
  const pairDir = join(outDir, id);
  const warpedName = files.find((f) => f.startsWith(`${REGISTRATION_OUTPUTS.warped}.`));
  if (!warpedName) throw new Error('the registration reported no warped shape');
  const moving = files.includes(REGISTRATION_OUTPUTS.movingSurface) ? await readOutputShape(join(pairDir, REGISTRATION_OUTPUTS.movingSurface), 'the moving surface') : await readOutputShape(request.moving, 'the moving shape');
  const fixed = files.includes(REGISTRATION_OUTPUTS.fixedSurface) ? await readOutputShape(join(pairDir, REGISTRATION_OUTPUTS.fixedSurface), 'the fixed surface') : await readOutputShape(request.fixed, 'the fixed shape');
  const warped = await readOutputShape(join(pairDir, warpedName), 'the warped shape');
  if (warped.pointsLps.length !== moving.pointsLps.length) {
    throw new Error(`${warpedName} has ${warped.pointsLps.length / 3} points, the moving shape ${moving.pointsLps.length / 3}`);
  }
  const boundsLps = layersBounds([moving, fixed, warped]);
  const options = { width: size, height: size, boundsLps };
  const paths = thumbnailPaths(id);
  await mkdir(join(outDir, THUMBNAILS_DIR), { recursive: true });
  await writeFileAtomic(join(outDir, paths.before), renderOverlayPng([{ shape: fixed, colour: THUMBNAIL_COLOURS.fixed, style: 'ghost' }, { shape: moving, colour: THUMBNAIL_COLOURS.moving }], options));
  await writeFileAtomic(join(outDir, paths.after), renderOverlayPng([{ shape: fixed, colour: THUMBNAIL_COLOURS.fixed, style: 'ghost' }, { shape: warped, colour: THUMBNAIL_COLOURS.moving }], options));
  return [paths.before, paths.after];
}
