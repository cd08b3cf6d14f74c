/**
 * All-or-nothing output folders: the pipeline writes into a hidden sibling `.<name>.partial-XXXXXX` and renames it
 * to OUTDIR only when every file is written, so OUTDIR never holds half-written results — after a crash, a
 * cancellation or an error there is either the previous OUTDIR or none (the partial folder is removed). An
 * existing non-empty OUTDIR is refused unless overwriting was asked for; it is then replaced at the end, in one
 * rename, and the old contents removed.
 */
import { randomInt } from 'node:crypto';
import { mkdir, readdir, realpath, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, isAbsolute } from 'node:path';
import { trackLeftover } from '../../io/leftovers.ts';
import { renameRetrying } from '../../io/rename-retrying.ts';
import { folderErrorReason, FolderCreationError, makeFolder } from '../../io/make-folder.ts';

/** OUTDIR cannot be used as asked (exists and is not empty, or is a file). */
export class OutputFolderError extends Error {
  override readonly name = 'OutputFolderError';
  constructor(
    readonly folder: string,
    message: string,
  ) {
    super(message);
  }
}

export interface PartialFolder {
  /** The final folder. */
  outDir: string;
  /** Where to write meanwhile. */
  partial: string;
  /** Publishes the partial folder as OUTDIR. */
  commit(): Promise<void>;
  /** Removes the partial folder. */
  abort(): Promise<void>;
}

const NAME_CHARACTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const SIBLING_KINDS = ['partial', 'old'] as const;

/**
 * Whether `name` is one of the hidden siblings an output folder named `folderName` is written through
 * (`.<folderName>.partial-XXXXXX`, `.<folderName>.old-XXXXXX`): what a process killed mid-write leaves.
 */
export function isOutputFolderSiblingOf(name: string, folderName: string): boolean {
  return SIBLING_KINDS.some((kind) => {
    const head = `.${folderName}.${kind}-`;
    return name.length === head.length + 6 && name.startsWith(head) && [...name.slice(head.length)].every((c) => NAME_CHARACTERS.includes(c));
  });
}

/**
 * Creates the folder `<prefix>XXXXXX` (six random letters or digits, as mkdtemp names it) with the mode a plain mkdir
 * gives, 0777 less the umask. mkdtemp's folders are 0700, and a published OUTDIR kept it: other members of a group
 * sharing a cohort folder could not enter the results.
 */
async function mkdirUnique(prefix: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const path = prefix + Array.from({ length: 6 }, () => NAME_CHARACTERS[randomInt(NAME_CHARACTERS.length)]).join('');
    try {
      await mkdir(path);
      return path;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 100) throw e;
    }
  }
}

/** Why OUTDIR cannot take the outputs now: it is a file, or it holds files and overwriting was not asked for. */
export async function outputFolderObstacle(outDir: string, overwrite: boolean): Promise<'is-file' | 'not-empty' | undefined> {
  const info = await stat(outDir).catch(() => undefined);
  if (info && !info.isDirectory()) return 'is-file';
  if (info && !overwrite && (await readdir(outDir)).length > 0) return 'not-empty';
  return undefined;
}

/**
 * The first of `inputs` that lies inside `folder` (by their real paths: a link into it counts), or undefined. An
 * overwrite replaces the whole folder, so it would delete such an input.
 */
export async function inputInsideFolder(folder: string, inputs: readonly string[]): Promise<string | undefined> {
  const real = await realpath(folder).catch(() => undefined);
  if (real === undefined) return undefined;
  for (const input of inputs) {
    const path = await realpath(input).catch(() => undefined);
    if (path === undefined) continue;
    const inside = relative(real, path);
    if (inside === '' || (!inside.startsWith('..') && !isAbsolute(inside))) return input;
  }
  return undefined;
}

/** Throws the OutputFolderError for an obstacle (outputFolderObstacle) to OUTDIR, if there is one. */
async function checkOutputFolder(target: string, overwrite: boolean, inputs: readonly string[]): Promise<void> {
  const obstacle = await outputFolderObstacle(target, overwrite);
  if (obstacle === 'is-file') throw new OutputFolderError(target, `${target} exists and is a file; give a folder name for the outputs`);
  if (obstacle === 'not-empty') throw new OutputFolderError(target, `${target} exists and is not empty; choose another folder or allow overwriting (--overwrite)`);
  const input = overwrite ? await inputInsideFolder(target, inputs) : undefined;
  if (input !== undefined) {
    throw new OutputFolderError(target, `${target} holds the input ${input}, which overwriting it would delete; Monge never overwrites its inputs: choose another output folder`);
  }
}

/**
 * Checks OUTDIR and creates the partial sibling folder. OUTDIR is checked again when publishing: another run, or a
 * user, may have filled it meanwhile, and only an overwrite asked for replaces what it then holds, and never when
 * it holds one of `inputs`.
 */
export async function openPartialFolder(outDir: string, overwrite: boolean, inputs: readonly string[] = []): Promise<PartialFolder> {
  const target = resolve(outDir);
  await checkOutputFolder(target, overwrite, inputs);
  const parent = dirname(target);
  try {
    await makeFolder(parent);
  } catch (e) {
    if (e instanceof FolderCreationError) throw new OutputFolderError(target, e.message);
    throw e;
  }
  let partial: string;
  try {
    partial = await mkdirUnique(join(parent, `.${basename(target)}.partial-`));
  } catch (e) {
    // The parent exists but takes no new folder (no write permission, a read-only file system): say so, naming it.
    const code = (e as NodeJS.ErrnoException).code;
    if (code === undefined || code === 'EEXIST') throw e;
    throw new OutputFolderError(target, `${target}: cannot write the output folder in ${parent} (${folderErrorReason(code)})`);
  }
  const published = trackLeftover(partial);
  return {
    outDir: target,
    partial,
    async commit() {
      await checkOutputFolder(target, overwrite, inputs);
      const existing = await stat(target).catch(() => undefined);
      if (!existing) {
        await renameRetrying(partial, target);
        published();
        return;
      }
      // Move the old folder aside, publish, then remove the old one (a failure to publish puts it back). Between the
      // two renames OUTDIR does not exist: the old folder is in flight to be put back, should the process or the
      // job's thread be ended there.
      const old = await mkdirUnique(join(parent, `.${basename(target)}.old-`));
      await rm(old, { recursive: true, force: true });
      const settled = trackLeftover(old, target);
      await renameRetrying(target, old);
      try {
        await renameRetrying(partial, target);
      } catch (e) {
        await renameRetrying(old, target);
        settled();
        throw e;
      }
      published();
      await rm(old, { recursive: true, force: true });
      settled();
    },
    async abort() {
      await rm(partial, { recursive: true, force: true });
      published();
    },
  };
}
