/**
 * Reading a registration's report.json (REGISTRATION_OUTPUTS.report) written by register(), or a hand-edited or
 * damaged one: every reader of an output folder (the app's results view and exports, `monge train-prior`) parses it
 * here.
 */
import { readInputBytes } from '../io/read-bytes.ts';

/** Deepest nesting a report may have: Monge's go 5 levels deep; the readers here recurse through it. */
export const MAX_REPORT_DEPTH = 64;

/**
 * Parses the text of a report.json. Throws where it is not JSON, or nests deeper than MAX_REPORT_DEPTH (a hand-made
 * or corrupted file; walking it would exhaust the stack, as a RangeError that names nothing).
 */
export function parseReport(text: string): unknown {
  const report = JSON.parse(text) as unknown;
  // Depth-first over containers, iteratively: the check itself must not recurse.
  const stack: [unknown, number][] = [[report, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_REPORT_DEPTH) throw new Error(`it nests deeper than ${MAX_REPORT_DEPTH} levels: not a Monge report`);
    for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
  return report;
}

/** Reads and parses a report.json file (a regular file, within the input size limits; see parseReport). */
export async function readReportFile(path: string): Promise<unknown> {
  return parseReport(new TextDecoder().decode(await readInputBytes(path)));
}
