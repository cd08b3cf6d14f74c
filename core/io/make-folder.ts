/**
 * Creating an output folder and its missing parents, one level at a time.
 *
 * Node's `mkdir(path, { recursive: true })` loops for ever where a level cannot be created but its parent exists,
 * as anywhere under /proc (`monge register … -o /proc/x/out` hung instead of failing). Creating each missing level
 * with a plain mkdir fails at once, and says which folder could not be made and why.
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** A folder that could not be made (read-only or special file system, no permission, a file in the way). */
export class FolderCreationError extends Error {
  override readonly name = 'FolderCreationError';
  constructor(
    readonly folder: string,
    readonly code: string,
  ) {
    super(`${folder}: cannot create this folder (${folderErrorReason(code)})`);
  }
}

/** Why a folder could not be made, in words ('permission denied', 'read-only file system', …; else the error code). */
export function folderErrorReason(code: string): string {
  return REASONS[code] ?? code;
}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  EROFS: 'read-only file system',
  ENOENT: 'its parent does not accept new folders',
  ENOTDIR: 'a file is in the way',
  ENOSPC: 'no space left on the device',
};

/** Creates `path` and any missing parents; an existing folder is fine. Throws FolderCreationError. */
export async function makeFolder(path: string): Promise<void> {
  const missing: string[] = [];
  let level = resolve(path);
  for (;;) {
    const info = await stat(level).catch(() => undefined);
    if (info) {
      if (!info.isDirectory()) throw new FolderCreationError(missing.at(-1) ?? level, 'ENOTDIR');
      break;
    }
    missing.push(level);
    const parent = dirname(level);
    if (parent === level) break;
    level = parent;
  }
  for (const folder of missing.reverse()) {
    try {
      await mkdir(folder);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
      if (code !== 'EEXIST' || !(await stat(folder).catch(() => undefined))?.isDirectory()) throw new FolderCreationError(folder, code);
    }
  }
}
