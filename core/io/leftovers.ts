import { existsSync, renameSync, rmSync } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';

/**
 * The temporary files and folders being written right now: an atomic write's hidden `.name.XXXX.tmp`, a
 * registration's `.OUTDIR.partial-XXXXXX`, and the `.OUTDIR.old-XXXXXX` an overwrite moves the previous results
 * into while it publishes the new ones; in `monge batch`, also its OUTDIR lock and what its worker processes are
 * writing (MirroredLeftovers below, in core/batch/worker-pool.ts). Their writers remove them on success and on every
 * error; what this registry adds is the one case their code cannot handle: a process that must end at once (a
 * Ctrl-C during a short command, a second Ctrl-C during a long one), when `removeLeftoversNow` undoes them
 * synchronously just before `process.exit`. The CLI calls it; a library user who ends the process the same way can too.
 */
const inFlight = new Map<string, string | undefined>();
const watchers = new Set<(path: string, inFlight: boolean, restoreTo?: string) => void>();

/**
 * Marks `path` as in flight; the returned function takes it off the list (call it once the path is final or gone).
 * With `restoreTo`, `path` holds what belongs there (the previous results an overwrite moved aside): undoing it puts
 * it back when nothing took its place, instead of deleting it.
 */
export function trackLeftover(path: string, restoreTo?: string): () => void {
  inFlight.set(path, restoreTo);
  for (const watch of watchers) watch(path, true, restoreTo);
  return () => {
    if (!inFlight.delete(path)) return;
    for (const watch of watchers) watch(path, false);
  };
}

/** Undoes one leftover: moves it back to `restoreTo` when that is free, else deletes it. Errors are ignored. */
export async function undoLeftover(path: string, restoreTo?: string): Promise<void> {
  if (restoreTo !== undefined && !(await stat(restoreTo).catch(() => undefined))) {
    if (await rename(path, restoreTo).then(() => true, () => false)) return;
  }
  await rm(path, { recursive: true, force: true }).catch(() => undefined);
}

/**
 * Follows the registry: `watch(path, true)` when a path goes in flight, `watch(path, false)` when it is final or gone.
 * A job worker thread mirrors it to its runner (main/service/job-runner.ts), which removes what a thread terminated
 * mid-write left, since the thread itself can then run nothing. Returns the function that stops watching.
 */
export function watchLeftovers(watch: (path: string, inFlight: boolean, restoreTo?: string) => void): () => void {
  watchers.add(watch);
  return () => {
    watchers.delete(watch);
  };
}

/** Undoes every path still in flight (as undoLeftover does), synchronously; errors are ignored. */
export function removeLeftoversNow(): void {
  for (const [path, restoreTo] of inFlight) {
    try {
      if (restoreTo !== undefined && !existsSync(restoreTo)) renameSync(path, restoreTo);
      else rmSync(path, { recursive: true, force: true });
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

/**
 * Another thread's or process's in-flight list, as its watchLeftovers reports it (a service job's worker thread, a
 * batch's worker process), kept here so that what it was writing can be undone once it is gone — terminated or
 * killed mid-write, it can run nothing itself. Each mirrored path is also in this process's registry, so that
 * removeLeftoversNow here (a batch stopped at once by a second Ctrl-C) undoes it too.
 */
export class MirroredLeftovers {
  private readonly paths = new Map<string, { restoreTo?: string; untrack: () => void }>();
  private removing: Promise<void> = Promise.resolve();

  /** One report of the other side's watchLeftovers. */
  update(path: string, inFlight: boolean, restoreTo?: string): void {
    this.paths.get(path)?.untrack();
    this.paths.delete(path);
    if (inFlight) this.paths.set(path, { restoreTo, untrack: trackLeftover(path, restoreTo) });
  }

  /**
   * Undoes every mirrored path (undoLeftover). Resolves when they are gone, and with them those an earlier call is
   * still undoing: the other side's exit may start the removal before a clean-up that awaits it (a host about to
   * exit) asks for it.
   */
  removeAll(): Promise<void> {
    const left = [...this.paths];
    this.paths.clear();
    const removal = Promise.all(
      left.map(async ([path, { restoreTo, untrack }]) => {
        await undoLeftover(path, restoreTo);
        untrack();
      }),
    );
    this.removing = Promise.all([this.removing, removal]).then(() => undefined);
    return this.removing;
  }
}
