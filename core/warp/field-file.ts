import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../io/errors.ts';
import { readImage } from '../io/images/read-image.ts';
import type { ImageLps } from '../io/images/types.ts';
import { FIELD_FORMATS, REGISTRATION_OUTPUTS } from '../registration/types.ts';

/** A displacement field in ITK's resampling convention, read from disk. */
export interface ItkFieldFile {
  /** The field file read (for a results folder, its field.<fmt>). */
  path: string;
  /** T on the fixed grid: fixed-space point y + T(y) = the moving-space point (LPS mm, 3 components). */
  field: ImageLps;
}

/**
 * Reads a displacement field: a file (.nii.gz, .nrrd, .mha … as `monge register`, ANTs, ITK or Slicer write it: ITK's
 * resampling convention, read in LPS by itk-wasm), or a `monge register` output folder, whose field.<fmt> is taken.
 */
export async function readItkField(fileOrFolder: string): Promise<ItkFieldFile> {
  const info = await stat(fileOrFolder).catch(() => undefined);
  if (!info) throw new InputError(fileOrFolder, 'not-found', 'no such file or folder');
  let path = fileOrFolder;
  if (info.isDirectory()) {
    const names = await readdir(fileOrFolder);
    const name = FIELD_FORMATS.map((f) => `${REGISTRATION_OUTPUTS.field}.${f}`).find((n) => names.includes(n));
    // A DICOM series is a folder too, but never a displacement field.
    if (!name) throw new InputError(fileOrFolder, 'not-found', `holds no ${REGISTRATION_OUTPUTS.field}.${FIELD_FORMATS.join(' / .')}: give a \`monge register\` output folder or a field file`);
    path = join(fileOrFolder, name);
  }
  const field = await readImage(path);
  if (field.components !== 3) throw new InputError(path, 'unsupported', `is not a displacement field: ${field.components} component(s) per voxel, a field has 3`);
  return { path, field };
}
