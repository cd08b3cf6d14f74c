/**
 * Errors as data: what crosses a thread or host boundary is the message and, for bad input, the file (core/io
 * InputError), so the user interface can name the file. Programming errors keep their message too: a readable
 * message beats a blank view.
 */
import type { ApiErrorInfo } from './api.ts';

/** The transferable description of any thrown value. */
export function toErrorInfo(error: unknown): ApiErrorInfo {
  if (error instanceof Error) {
    const file = (error as { file?: unknown }).file;
    return { name: error.name, message: error.message, ...(typeof file === 'string' ? { file } : {}) };
  }
  return { name: 'Error', message: String(error) };
}

/** An error rebuilt from its description (on the receiving side of a boundary). */
export class ApiError extends Error {
  readonly file?: string;
  constructor(info: ApiErrorInfo) {
    super(info.message);
    this.name = info.name;
    if (info.file !== undefined) this.file = info.file;
  }
}
