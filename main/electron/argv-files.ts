/**
 * Files the operating system hands to Monge: on the command line at launch (`monge-app lung.vtk`), in the argv a
 * second instance forwards (`second-instance`), or through macOS's `open-file`. Only existing files and folders
 * of kinds Monge opens are taken; Electron's and Chromium's own switches are skipped.
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { imageFormatOf } from '../../core/io/images/image-format.ts';
import { meshCodecFor } from '../../core/io/meshes/index.ts';
import { pointCodecFor } from '../../core/io/points/index.ts';

/** True for a file name Monge can open (mesh, landmarks, volume) or an existing folder (DICOM series or results). */
export function isOpenable(path: string): boolean {
  if (!existsSync(path)) return false;
  if (statSync(path).isDirectory()) return true;
  return meshCodecFor(path) !== undefined || pointCodecFor(path) !== undefined || imageFormatOf(path) !== undefined;
}

/**
 * The openable paths in `argv`, resolved against `cwd`. `skip` is how many leading entries are the executable
 * (and, unpackaged, the app's folder): 1 for a packaged app, 2 for `electron .`.
 */
export function filesFromArgv(argv: readonly string[], cwd: string, skip: number): string[] {
  return argv
    .slice(skip)
    .filter((arg) => arg !== '' && !arg.startsWith('-'))
    .map((arg) => (isAbsolute(arg) ? arg : resolve(cwd, arg)))
    .filter(isOpenable);
}
