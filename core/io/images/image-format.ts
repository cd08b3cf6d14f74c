import { basename } from 'node:path';

/** Image formats Monge reads or writes. */
export type ImageFormat = 'nifti' | 'nrrd' | 'metaimage' | 'mgh' | 'dicom';

/**
 * File-name suffixes of the image formats Monge reads (longest first, so `.nii.gz` wins over `.gz`). A DICOM series
 * is a folder, not a suffix; see read-image.ts.
 */
export const IMAGE_SUFFIXES: readonly (readonly [string, ImageFormat])[] = [
  ['.nii.gz', 'nifti'],
  ['.nii', 'nifti'],
  ['.nrrd', 'nrrd'],
  ['.nhdr', 'nrrd'],
  ['.mha', 'metaimage'],
  ['.mhd', 'metaimage'],
  ['.mgh.gz', 'mgh'],
  ['.mgz', 'mgh'],
  ['.mgh', 'mgh'],
];

/** Suffixes writeImage accepts (single-file formats only, so one atomic rename publishes the whole image). */
export const WRITABLE_IMAGE_SUFFIXES: readonly string[] = ['.nii.gz', '.nii', '.nrrd', '.mha'];

/** The image suffix of `path` (lower-cased, e.g. `.nii.gz`), or undefined for an unknown one. */
export function imageSuffixOf(path: string): string | undefined {
  const name = basename(path).toLowerCase();
  for (const [suffix] of IMAGE_SUFFIXES) if (name.endsWith(suffix) && name.length > suffix.length) return suffix;
  return undefined;
}

/** The image format of a file, from its suffix; undefined for an unknown suffix. */
export function imageFormatOf(path: string): ImageFormat | undefined {
  const suffix = imageSuffixOf(path);
  return IMAGE_SUFFIXES.find(([s]) => s === suffix)?.[1];
}

/** Whether writeImage can write `path` (its suffix, in any case, is one of WRITABLE_IMAGE_SUFFIXES). */
export function isWritableImagePath(path: string): boolean {
  const suffix = imageSuffixOf(path);
  return suffix !== undefined && WRITABLE_IMAGE_SUFFIXES.includes(suffix);
}
