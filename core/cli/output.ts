/**
 * Where CLI output goes: machine-readable results (JSON or tables) on stdout, human messages on stderr, so that
 * `monge … --json | jq` always sees clean JSON.
 */
import { isAbsolute, relative } from 'node:path';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printResult(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function printMessage(text: string): void {
  process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** A path as the user will recognise it: relative to the working directory when inside it, else absolute. */
export function shortPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

let outputClosureHandled = false;

/**
 * Keeps a command working when whoever reads its output goes away (`monge batch … 2>&1 | head -1`). Writing to a
 * closed pipe fails with EPIPE, emitted as an 'error' event that, unhandled, ends the process mid-work: a batch then
 * left hidden partial folders, a temporary summary and a stale lock. The results are the files, not the messages, so
 * the work goes on and what is written to the closed stream afterwards is dropped. Other stream errors stay fatal.
 */
export function keepWorkingWhenOutputCloses(): void {
  if (outputClosureHandled) return;
  outputClosureHandled = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return;
      throw error;
    });
  }
}
