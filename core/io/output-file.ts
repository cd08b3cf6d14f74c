/**
 * What is wrong with the one file a command writes (`convert`, `surface`, `ot`, `warp`), found before anything is read
 * or computed, so that a typo costs nothing and is told as such rather than as an internal error after the work:
 * OUT's folder must exist and be writable by this process, OUT must not be a folder, nor one of the command's inputs (Monge never overwrites an
 * input: the same path, or another name of the same file), and its suffix must be one Monge writes for what it holds.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isWritableImagePath, WRITABLE_IMAGE_SUFFIXES } from './images/image-format.ts';
import { MESH_CODECS, meshCodecFor } from './meshes/index.ts';
import { POINT_CODECS, pointCodecFor } from './points/index.ts';

/** What OUT will hold: an image, a mesh or point set, or either (decided by the input, checked later). */
export type OutputKind = 'image' | 'shape' | 'any';

/** The problem with `output`, or undefined; `inputs` are the files the command reads. */
export async function outputFileProblem(output: string, inputs: readonly string[], kind: OutputKind): Promise<string | undefined> {
  const target = resolve(output);
  const folder = dirname(target);
  const folderInfo = await stat(folder).catch(() => undefined);
  if (!folderInfo) return `${output}: the folder ${folder} does not exist`;
  if (!folderInfo.isDirectory()) return `${output}: ${folder} is not a folder`;
  const denied = await access(folder, constants.W_OK | constants.X_OK).then(
    () => undefined,
    (e: NodeJS.ErrnoException) => (e.code === 'EROFS' ? 'it is on a read-only file system' : e.code === 'EACCES' || e.code === 'EPERM' ? 'permission denied' : undefined),
  );
  if (denied) return `${output}: cannot write in the folder ${folder} (${denied})`;
  const info = await stat(target).catch(() => undefined);
  if (info?.isDirectory()) return `${output} is a folder; give the name of the file to write`;
  for (const input of inputs) {
    const inputInfo = resolve(input) === target ? info : await stat(input).catch(() => undefined);
    const same = resolve(input) === target || (info !== undefined && inputInfo !== undefined && inputInfo.dev === info.dev && inputInfo.ino === info.ino);
    if (same) return `${output} is the input ${input}; Monge never overwrites its inputs: choose another output name`;
  }
  if (kind === 'image' && !isWritableImagePath(output)) return `${output}: an image is written as ${WRITABLE_IMAGE_SUFFIXES.join(', ')}`;
  if (kind === 'shape' && !meshCodecFor(output) && !pointCodecFor(output)) {
    const suffixes = [...MESH_CODECS.filter((c) => c.serialize), ...POINT_CODECS].flatMap((c) => c.extensions);
    return `${output}: a mesh or point set is written as ${suffixes.join(', ')}`;
  }
  return undefined;
}
