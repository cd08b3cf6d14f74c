/**
 * Everything a pair may have left in OUTDIR, complete or not: its folder (with its completion mark, removed first
 * so that no later crash can leave a mark beside half-deleted files), the hidden `.<id>.partial-XXXXXX` /
 * `.<id>.old-XXXXXX` siblings the registration's all-or-nothing output folder uses (core/registration/pipeline/
 * output-folder.ts) — a process killed mid-write leaves one behind — and the pair's thumbnails and their temporary
 * files. Cleared before a pair is (re)done.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DONE_MARKER } from './done-marker.ts';
import { THUMBNAILS_DIR } from './pair-thumbnails.ts';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Removes pair `id`'s outputs and leftovers under `outDir`. */
export async function clearPairLeftovers(outDir: string, id: string): Promise<void> {
  await rm(join(outDir, id, DONE_MARKER), { force: true });
  await rm(join(outDir, id), { recursive: true, force: true });
  // The partial and old folders end in six random letters or digits.
  const sibling = new RegExp(`^\\.${escape(id)}\\.(partial|old)-[A-Za-z0-9]{6}$`);
  for (const name of await readdir(outDir).catch(() => [] as string[])) {
    if (sibling.test(name)) await rm(join(outDir, name), { recursive: true, force: true });
  }
  // writeFileAtomic's temporary names: `.<name>.<8 hex>.tmp`.
  const thumbnail = new RegExp(`^\\.?${escape(id)}\\.(before|after)\\.png(\\.[0-9a-f]{8}\\.tmp)?$`);
  const thumbnails = join(outDir, THUMBNAILS_DIR);
  for (const name of await readdir(thumbnails).catch(() => [] as string[])) {
    if (thumbnail.test(name)) await rm(join(thumbnails, name), { force: true });
  }
}
