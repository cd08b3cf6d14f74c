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
