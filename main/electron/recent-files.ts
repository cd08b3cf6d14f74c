/**
 * File › Recent files: the last opened paths, newest first, without duplicates, kept in a small JSON file in the
 * app's user-data folder. Electron's own `app.addRecentDocument` feeds the OS's list as well (main/index.ts).
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../core/io/atomic-write.ts';

export const MAX_RECENT = 10;

/** `path` moved (or added) to the front of `list`, at most MAX_RECENT long. */
export function withRecent(list: readonly string[], path: string, max = MAX_RECENT): string[] {
  return [path, ...list.filter((p) => p !== path)].slice(0, max);
}

export async function loadRecent(file: string): Promise<string[]> {
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    return Array.isArray(parsed) ? parsed.filter((p): p is string => typeof p === 'string').slice(0, MAX_RECENT) : [];
  } catch {
    return [];
  }
}

export async function saveRecent(file: string, list: readonly string[]): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(list, null, 2)}\n`);
}
