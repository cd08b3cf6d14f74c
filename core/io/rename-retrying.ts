/**
 * fs.rename, retried on Windows while the target or the source is briefly held by another program. There, replacing
 * a file that an antivirus scan, the search indexer or a thumbnailer has just opened fails with EPERM, EACCES or EBUSY
 * for a moment; graceful-fs retries rename for this reason (node-graceful-fs, polyfills.js), as do npm and git. A file
 * held for longer (open in Excel) still fails once the retries are spent, and outputWriteMessage says so in words.
 * Elsewhere a rename is tried once: POSIX replaces a file that is open.
 */
import { rename } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

const TRANSIENT: ReadonlySet<string> = new Set(['EPERM', 'EACCES', 'EBUSY']);

/** How long the retries may take in all, on Windows; each waits twice as long as the last, from 10 ms, at most 1 s. */
export const RENAME_RETRY_MS = 10_000;

export interface RenameRetrying {
  /** The system's name (process.platform); for tests. */
  platform?: NodeJS.Platform;
  /** The rename to try (fs.promises.rename); for tests. */
  rename?: (from: string, to: string) => Promise<void>;
  /** Total time the retries may take (RENAME_RETRY_MS). */
  limitMs?: number;
}

/** Renames `from` to `to`, retrying as above. */
export async function renameRetrying(from: string, to: string, options: RenameRetrying = {}): Promise<void> {
  const move = options.rename ?? rename;
  if ((options.platform ?? process.platform) !== 'win32') return move(from, to);
  const limit = options.limitMs ?? RENAME_RETRY_MS;
  const started = Date.now();
  for (let wait = 10; ; wait = Math.min(2 * wait, 1_000)) {
    try {
      return await move(from, to);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === undefined || !TRANSIENT.has(code) || Date.now() - started + wait > limit) throw e;
      await sleep(wait);
    }
  }
}
