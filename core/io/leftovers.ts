import { rmSync } from 'node:fs';

/**
 * The temporary files and folders being written right now: an atomic write's hidden `.name.XXXX.tmp`, a
 * registration's `.OUTDIR.partial-XXXXXX`. Their writers remove them on success and on every error; what this
 * registry adds is the one case their code cannot handle: a process that must end at once (a Ctrl-C during a short
 * command, a second Ctrl-C during a long one), when `removeLeftoversNow` deletes them synchronously just before
 * `process.exit`. The CLI calls it; a library user who ends the process the same way can too.
 */
const inFlight = new Set<string>();
const watchers = new Set<(path: string, inFlight: boolean) => void>();

/** Marks `path` as in flight; the returned function takes it off the list (call it once the path is final or gone). */
export function trackLeftover(path: string): () => void {
  inFlight.add(path);
  for (const watch of watchers) watch(path, true);
  return () => {
    if (!inFlight.delete(path)) return;
    for (const watch of watchers) watch(path, false);
  };
}

/**
 * Follows the registry: `watch(path, true)` when a path goes in flight, `watch(path, false)` when it is final or gone.
 * A job worker thread mirrors it to its runner (main/service/job-runner.ts), which removes what a thread terminated
 * mid-write left, since the thread itself can then run nothing. Returns the function that stops watching.
 */
export function watchLeftovers(watch: (path: string, inFlight: boolean) => void): () => void {
  watchers.add(watch);
  return () => {
    watchers.delete(watch);
  };
}

/** Deletes every path still in flight (files, or folders with what they hold), synchronously; errors are ignored. */
export function removeLeftoversNow(): void {
  for (const path of inFlight) {
    try {
      rmSync(path, { recursive: true, force: true });
    } catch {
      // Best effort: the process is ending, and a path that cannot be removed is no worse than before.
    }
  }
  inFlight.clear();
}

/** How many paths are in flight (for tests). */
export function leftoversInFlight(): number {
  return inFlight.size;
}
