/**
 * Everything a pair may have left in OUTDIR, complete or not: its folder (with its completion mark, removed first
 * so that no later crash can leave a mark beside half-deleted files), the hidden `.<id>.partial-XXXXXX` /
 * `.<id>.old-XXXXXX` siblings the registration's all-or-nothing output folder uses (core/registration/pipeline/
 * output-folder.ts) — a process killed mid-write leaves one behind — and the pair's thumbnails and their temporary
 * files. Cleared before a pair is (re)done.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isAtomicTemporaryOf } from '../io/atomic-write.ts';
import { isOutputFolderSiblingOf } from '../registration/pipeline/output-folder.ts';
import { DONE_MARKER } from './done-marker.ts';
import { THUMBNAILS_DIR } from './pair-thumbnails.ts';

/** Removes pair `id`'s outputs and leftovers under `outDir`. */
export async function clearPairLeftovers(outDir: string, id: string): Promise<void> {
  await rm(join(outDir, id, DONE_MARKER), { force: true });
  await rm(join(outDir, id), { recursive: true, force: true });
  for (const name of await readdir(outDir).catch(() => [] as string[])) {
    if (isOutputFolderSiblingOf(name, id)) await rm(join(outDir, name), { recursive: true, force: true });
  }
  const finals = [`${id}.before.png`, `${id}.after.png`];
  const thumbnails = join(outDir, THUMBNAILS_DIR);
  for (const name of await readdir(thumbnails).catch(() => [] as string[])) {
    if (finals.some((f) => name === f || isAtomicTemporaryOf(name, f))) await rm(join(thumbnails, name), { force: true });
  }
}
