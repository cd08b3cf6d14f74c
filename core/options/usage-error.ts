/** A command-line usage mistake (unknown option, missing argument): exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
