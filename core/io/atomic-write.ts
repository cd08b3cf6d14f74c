import { closeSync, openSync, writeFile as writeFileToDescriptor } from 'node:fs';
import { rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, extname, join } from 'node:path';
import { promisify } from 'node:util';
import { throwIfCancelled } from '../progress/index.ts';
import { trackLeftover } from './leftovers.ts';
import { renameRetrying } from './rename-retrying.ts';

const writeToDescriptor = promisify(writeFileToDescriptor);

const TEMPORARY_END = '.tmp';

/**
 * Whether `name` is a temporary name writeFileAtomic gives `finalName` (`.<finalName>.<8 hex digits>.tmp`, in the same
 * folder): what a process killed mid-write leaves, for clean-ups that must recognise it.
 */
export function isAtomicTemporaryOf(name: string, finalName: string): boolean {
  const head = `.${finalName}.`;
  return name.length === head.length + 8 + TEMPORARY_END.length && name.startsWith(head) && name.endsWith(TEMPORARY_END) && /^[0-9a-f]{8}$/.test(name.slice(head.length, head.length + 8));
}

/**
 * Writes `bytes` to `path` atomically: first to a hidden temporary name in the same folder, then a rename,
 * so a crash or an error never leaves a half-written file under the final name.
 *
 * The temporary file is created synchronously, in the same turn that lists it as in flight (core/io/leftovers.ts):
 * created by an asynchronous open, it could appear after a Ctrl-C's synchronous clean-up had looked for it, and
 * outlive the process as an empty hidden file.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}${TEMPORARY_END}`);
  const done = trackLeftover(tmp);
  try {
    const fd = openSync(tmp, 'wx');
    try {
      await writeToDescriptor(fd, bytes);
    } finally {
      closeSync(fd);
    }
    await renameRetrying(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  } finally {
    done();
  }
}

/**
 * Atomic publication for writers that need a PATH rather than bytes (itk-wasm writes the file itself): `fn` writes to
 * a hidden temporary name in the same folder that keeps `suffix` (so a writer that picks its encoding from the name,
 * like ITK's `.nii.gz` → gzip, sees the right one), e.g. `out.nii.gz` → `.out.1a2b3c4d.tmp.nii.gz`; the file is
 * renamed to `path` after `fn` resolves, and removed if `fn` or the rename fails. With `signal`, a cancel that came
 * while `fn` wrote is honoured before the rename (CancelledError, nothing published), so that a command told to stop
 * during its last write does not publish the output and report success.
 */
export async function withAtomicPath<T>(path: string, fn: (tmpPath: string) => Promise<T>, suffix = extname(path), signal?: AbortSignal): Promise<T> {
  const name = basename(path);
  const stem = suffix !== '' && name.toLowerCase().endsWith(suffix.toLowerCase()) ? name.slice(0, name.length - suffix.length) : name;
  const tmp = join(dirname(path), `.${stem}.${randomBytes(4).toString('hex')}.tmp${suffix}`);
  const done = trackLeftover(tmp);
  try {
    const result = await fn(tmp);
    throwIfCancelled(signal, 'writing');
    await renameRetrying(tmp, path);
    return result;
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  } finally {
    done();
  }
}
