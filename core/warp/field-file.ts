import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { declaredFieldConvention } from '../field/export-displacement-field.ts';
import { FIELD_FILE_STEMS, FIELD_FORMATS } from '../field/field-files.ts';
import type { ImageLps } from '../image/index.ts';
import { InputError } from '../io/errors.ts';
import { readImage } from '../io/images/read-image.ts';

/** A displacement field in ITK's resampling convention, read from disk. */
export interface ItkFieldFile {
  /** The field file read (for a results folder, its field.<fmt> or inverse_field.<fmt>). */
  path: string;
  /**
   * 'fixed': T on the fixed grid, fixed-space point y + T(y) = the moving-space point (field.<fmt>, or any ITK field);
   * 'moving': the inverse field φ − id on the moving grid, moving point + vector = fixed point (inverse_field.<fmt>).
   */
  space: 'fixed' | 'moving';
  /** The vectors (LPS mm, 3 components). */
  field: ImageLps;
  /** What reading the file warned of (readImage's warnings). */
  warnings: string[];
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
    const name = await fieldFileIn(fileOrFolder, FIELD_FILE_STEMS.field);
    // A DICOM series is a folder too, but never a displacement field.
    if (!name) throw new InputError(fileOrFolder, 'not-found', `holds no ${FIELD_FILE_STEMS.field}.${FIELD_FORMATS.join(' / .')}: give a \`monge register\` output folder or a field file`);
    path = join(fileOrFolder, name);
  }
  return readFieldFile(path, 'fixed');
}

/**
 * The inverse field of a `monge register` output folder (`register --inverse-field`: φ − id on the moving grid, moving
 * point + vector = fixed point), or undefined when the folder has none or FIELD is a file.
 */
export async function readInverseFieldIn(fileOrFolder: string): Promise<ItkFieldFile | undefined> {
  const path = await inverseFieldIn(fileOrFolder);
  return path ? readFieldFile(path, 'moving') : undefined;
}

/** The path of the folder's inverse_field.<fmt>, if FIELD is a folder that has one. */
export async function inverseFieldIn(fileOrFolder: string): Promise<string | undefined> {
  if (!(await stat(fileOrFolder).catch(() => undefined))?.isDirectory()) return undefined;
  const name = await fieldFileIn(fileOrFolder, FIELD_FILE_STEMS.inverseField);
  return name ? join(fileOrFolder, name) : undefined;
}

/**
 * Every field file FIELD stands for: the file itself, or the folder's field.<fmt> and inverse_field.<fmt> files —
 * what a command reading FIELD must never write over.
 */
export async function fieldFilesOf(fileOrFolder: string): Promise<string[]> {
  if (!(await stat(fileOrFolder).catch(() => undefined))?.isDirectory()) return [fileOrFolder];
  const names = await readdir(fileOrFolder);
  const stems = [FIELD_FILE_STEMS.field, FIELD_FILE_STEMS.inverseField];
  return stems.flatMap((stem) => FIELD_FORMATS.map((f) => `${stem}.${f}`)).filter((n) => names.includes(n)).map((n) => join(fileOrFolder, n));
}

/** `<stem>.<fmt>` in the folder for the first field format present. */
async function fieldFileIn(folder: string, stem: string): Promise<string | undefined> {
  const names = await readdir(folder);
  return FIELD_FORMATS.map((f) => `${stem}.${f}`).find((n) => names.includes(n));
}

async function readFieldFile(path: string, space: ItkFieldFile['space']): Promise<ItkFieldFile> {
  const field = await readImage(path);
  if (field.components !== 3) throw new InputError(path, 'unsupported', `is not a displacement field: ${field.components} component(s) per voxel, a field has 3`);
  // A `monge register` field says which way it points (its header's key, a NIfTI's descrip): an inverse field taken as
  // T would move every point the wrong way without a word. (Inverse fields written before this key was set say
  // 'forward': the folder's inverse_field.<fmt> is therefore not checked the other way.)
  if (space === 'fixed' && declaredFieldConvention(field.metadata) === 'inverse') {
    throw new InputError(path, 'unsupported', "is the inverse field of a `monge register` run (moving point + vector = fixed point), not a field in ITK's resampling convention: give the run's folder or its field file (with --inverse to map the other way)");
  }
  const bad = firstNonFinite(field.data);
  if (bad >= 0) {
    const v = Math.floor(bad / 3);
    const [nx, ny] = field.size;
    const voxel = [v % nx, Math.floor(v / nx) % ny, Math.floor(v / (nx * ny))];
    throw new InputError(path, 'malformed', `holds a non-finite vector (NaN or infinite) at voxel (${voxel.join(', ')}): a displacement field must be finite everywhere`);
  }
  return { path, space, field, warnings: field.warnings };
}

/** Index of the first NaN or infinite value, or -1. */
function firstNonFinite(data: ArrayLike<number>): number {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return i;
  return -1;
}
