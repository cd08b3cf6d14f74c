/** What a failure says to the user: a thrown value's message, whether it was a cancel, and a message's file prefix. */

/** A thrown value's message (ApiErrors carry the file in the message already). */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function isCancel(error: unknown): boolean {
  return error instanceof Error && error.name === 'CancelledError';
}

/**
 * The message without its leading `FILE: ` when FILE is the file the sentence already names: the name itself, or its
 * path on the host (a file opened by path), so that "Could not open empty.vtk: the file is empty" is not followed by
 * the same file's full path. (Core's InputErrors start with the file they are about.)
 */
export function withoutPrefix(message: string, name: string): string {
  const colon = message.indexOf(': ');
  if (colon < 0) return message;
  const head = message.slice(0, colon);
  return head === name || head.endsWith(`/${name}`) || head.endsWith(`\\${name}`) ? message.slice(colon + 2) : message;
}
