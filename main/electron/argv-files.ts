/**
 * Files the operating system hands to Monge: on the command line at launch (`monge-app lung.vtk`), in the argv a
 * second instance forwards (`second-instance`), or through macOS's `open-file`. Only existing files and folders
 * of kinds Monge opens are taken; Electron's and Chromium's own switches are skipped.
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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
 * An argument as a path: a `file://` URL as the file it names (Linux desktops launch the app through its desktop
 * entry's `%U`, which hands over URLs), a relative path resolved against `cwd`. Undefined for a URL of another kind
 * or a malformed one.
 */
function pathOfArgument(arg: string, cwd: string): string | undefined {
  if (/^file:/i.test(arg)) {
    try {
      return fileURLToPath(arg);
    } catch {
      return undefined;
    }
  }
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(arg)) return undefined;
  return isAbsolute(arg) ? arg : resolve(cwd, arg);
}

/**
 * The openable paths in `argv`, resolved against `cwd`. `skip` is how many leading entries are the executable
 * (and, unpackaged, the app's folder): 1 for a packaged app, 2 for `electron .`.
 */
export function filesFromArgv(argv: readonly string[], cwd: string, skip: number): string[] {
  return argv
    .slice(skip)
    .filter((arg) => arg !== '' && !arg.startsWith('-'))
    .map((arg) => pathOfArgument(arg, cwd))
    .filter((path): path is string => path !== undefined && isOpenable(path));
}
