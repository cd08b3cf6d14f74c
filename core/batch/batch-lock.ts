/**
 * One batch at a time per OUTDIR: `OUTDIR/.batch.lock` holds the host name and process id of the run writing it,
 * and that run touches it every HEARTBEAT_MS. A second run (a job-array task submitted twice, say) is refused while
 * the first is alive; a lock left by a run that was killed is taken over — on the same host when its process is
 * gone, from any host once it has not been touched for STALE_MS (a node that died on a cluster; on the same host,
 * a process id since reused by an unrelated process) — which is what `--resume` after a crash needs. A lock with
 * no readable holder is one being written this instant (it is created empty, then filled) or one a kill cut short:
 * it is respected for WRITE_GRACE_MS, then taken over.
 */
import { hostname } from 'node:os';
import { open, readFile, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { trackLeftover } from '../io/leftovers.ts';
import { UsageError } from '../options/index.ts';

export const LOCK_FILE = '.batch.lock';
export const HEARTBEAT_MS = 20_000;
export const STALE_MS = 90_000;
export const WRITE_GRACE_MS = 5_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock of `outDir` (which exists); returns its release. */
export async function lockOutDir(outDir: string): Promise<() => Promise<void>> {
  const path = join(outDir, LOCK_FILE);
  const me = { host: hostname(), pid: process.pid, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, 'wx');
      // Listed with the files being written (core/io/leftovers.ts), so that a batch stopped at once (a second Ctrl-C)
      // removes its lock too: left behind, it would hold off a batch started on another host for STALE_MS.
      const untrack = trackLeftover(path);
      await handle.writeFile(`${JSON.stringify(me)}\n`);
      await handle.close();
      const heartbeat = setInterval(() => {
        const now = new Date();
        utimes(path, now, now).catch(() => undefined);
      }, HEARTBEAT_MS);
      heartbeat.unref();
      return async () => {
        clearInterval(heartbeat);
        await rm(path, { force: true });
        untrack();
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let holder: { host?: string; pid?: number } = {};
    try {
      holder = (JSON.parse(await readFile(path, 'utf8')) as typeof holder | null) ?? {};
    } catch {
      // Empty or cut short: being written right now, or a kill interrupted the writing.
    }
    const age = Date.now() - ((await stat(path).catch(() => undefined))?.mtimeMs ?? 0);
    const sameHost = holder.host === me.host;
    const holderAlive =
      typeof holder.pid !== 'number' ? age < WRITE_GRACE_MS : sameHost ? holder.pid !== process.pid && alive(holder.pid) && age < STALE_MS : age < STALE_MS;
    if (holderAlive) {
      const who = typeof holder.pid !== 'number' ? 'another batch that is starting' : sameHost ? `another batch (pid ${holder.pid})` : `a batch on host ${holder.host} (pid ${holder.pid})`;
      throw new UsageError(`${outDir} is being written by ${who}; wait for it or stop it first (a lock not renewed for ${STALE_MS / 1000} s is taken over)`);
    }
    await rm(path, { force: true });
  }
  throw new UsageError(`cannot lock ${outDir}: another batch is starting there`);
}
