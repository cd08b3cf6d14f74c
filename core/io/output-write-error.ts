/**
 * Write errors that are the user's to mend, not bugs: no room for an output (a full disk, a used-up quota, a
 * file-size limit), or a file or folder the system will not let Monge write or replace (no permission, a read-only
 * file system, or — on Windows — a file another program holds open: Excel watching summary.csv, a viewer showing a
 * field, an antivirus scan that outlasted renameRetrying's retries). The CLI (exit 2) and `monge batch` (error kind
 * `output`) say them in words; the atomic writers (atomic-write.ts) have then left no partial file.
 */
const NO_ROOM: Readonly<Record<string, string>> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EFBIG: 'the file would exceed the largest file this process may write (ulimit -f, or the file system)',
};

/**
 * Refusals by the system, for calls that write. Reading an input that may not be read is an InputError already
 * (core/io/read-bytes.ts); a refusal from any other call is not taken for a write's.
 */
const REFUSED: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'not permitted (on Windows: the file is open in another program, or the folder is protected)',
  EBUSY: 'the file is in use by another program',
  EROFS: 'the file system is read-only',
};
const WRITING_CALLS: ReadonlySet<string> = new Set(['open', 'write', 'rename', 'mkdir', 'unlink', 'rmdir', 'rm', 'copyfile']);

/** The message for an error that means the output cannot be written, or undefined for any other error. */
export function outputWriteMessage(e: unknown): string | undefined {
  const err = e as NodeJS.ErrnoException | undefined;
  const code = typeof err?.code === 'string' ? err.code : undefined;
  if (code === undefined) return undefined;
  const reason = NO_ROOM[code] ?? (err?.syscall !== undefined && WRITING_CALLS.has(err.syscall) ? REFUSED[code] : undefined);
  if (reason === undefined) return undefined;
  // A rename names both files: the one it would have replaced (dest) is the one the user knows.
  const where = (err as { dest?: string }).dest ?? err?.path;
  return `cannot write the output: ${reason} (${code})${where ? `: ${where}` : ''}; nothing was left half-written`;
}
