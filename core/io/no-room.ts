/**
 * Write errors that mean there is no room for an output: a full disk, a used-up quota, a file-size limit. They are
 * the user's to mend (another disk, a higher limit), not bugs, so the CLI (exit 2) and `monge batch` (error kind
 * `output`) say them in words; the atomic writers (atomic-write.ts) have then left no partial file.
 */
const NO_ROOM: Readonly<Record<string, string>> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EFBIG: 'the file would exceed the largest file this process may write (ulimit -f, or the file system)',
};

/** The message for an error that means no room for the output, or undefined for any other. */
export function noRoomMessage(e: unknown): string | undefined {
  const err = e as NodeJS.ErrnoException | undefined;
  const room = typeof err?.code === 'string' ? NO_ROOM[err.code] : undefined;
  if (room === undefined) return undefined;
  return `cannot write the output: ${room} (${err?.code})${err?.path ? `: ${err.path}` : ''}; nothing was left half-written`;
}
