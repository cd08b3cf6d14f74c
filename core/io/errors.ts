/** What is wrong with an input file. */
export type InputProblem =
  | 'not-found'
  | 'permission-denied'
  | 'is-directory'
  | 'empty'
  | 'truncated'
  | 'bad-magic'
  | 'corrupt-compression'
  | 'non-finite'
  | 'index-out-of-range'
  | 'count-mismatch'
  | 'unsupported'
  | 'too-large'
  | 'malformed';

/**
 * A file that cannot be used, with the file's path and the problem in words.
 * The CLI turns it into exit code 3; the app shows its message.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    readonly file: string,
    readonly problem: InputProblem,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
  }
}

/** Throws an InputError unless `condition` holds. */
export function check(condition: unknown, file: string, problem: InputProblem, detail: string): asserts condition {
  if (!condition) throw new InputError(file, problem, detail);
}
