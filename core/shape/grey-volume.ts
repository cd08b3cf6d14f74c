/**
 * A volume whose voxels > 0 — the default shape of a volume input — are no anatomy: a grey image (a CT, where they
 * are the tissue denser than water; an MR, the head with its noise; a probability map, anything above 0). Masks and
 * label maps are told apart from grey images by looksLikeMask. Commands that take a volume as a shape refuse a grey
 * one unless the user says which voxels are the shape (a threshold or a label), each naming its own remedy.
 */
import { looksLikeMask, MAX_LABEL_VALUES, type ImageLps } from '../image/index.ts';
import { valueRange } from './value-range.ts';

/** The remedy for a grey image (greyVolumeProblem) where a selection can be given: register's and surface's. */
export const GREY_IMAGE_REMEDY =
  'choose a threshold (the voxels ≥ T: about −500 HU keeps a CT\'s body, 0.5 a probability map\'s structure) or a label (the voxels equal to N). ' +
  `A label map of more than ${MAX_LABEL_VALUES} labels looks grey too: a threshold of 1 takes all its labels.`;

/** Why `image`'s voxels > 0 cannot stand for a shape, in words that follow its file name; undefined for a mask or label map. */
export function greyVolumeProblem(image: ImageLps): string | undefined {
  if (image.components !== 1 || looksLikeMask(image.data)) return undefined;
  const [lo, hi] = valueRange(image.data, 1, false);
  return `is a grey-level image (values ${Number(lo.toPrecision(4))} … ${Number(hi.toPrecision(4))}), not a mask or label map, so which voxels make the shape is not clear`;
}

/**
 * Why `image` cannot be a shape because it holds more than one component per voxel (a displacement field, an RGB
 * image), in words that follow its file name; undefined for a scalar volume. `selecting`: a label or threshold was
 * given.
 */
export function vectorVolumeProblem(image: ImageLps, selecting = false): string | undefined {
  if (image.components === 1) return undefined;
  return `has ${image.components} components per voxel; ${selecting ? 'a label or threshold selects voxels of a scalar volume' : 'a mask or label map has 1'}`;
}
