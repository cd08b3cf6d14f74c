import { resolve } from 'node:path';
import { parseCommandLine } from '../../core/options/index.ts';

/** Command-line arguments of `npm run web`. */

export const USAGE = `usage: npm run web -- [--port N] [--results DIR]
  --port N       N: 1–65535; default: a free port
  --results DIR  where registrations go when the user names no output folder, and where a relative output folder
                 is taken from (default: ~/Monge results, as the desktop app's Documents/Monge results; it outlives the
                 host, unlike its session folder of uploads)`;

/** A request to stop with a message and an exit code (0 for --help, 2 for a usage error). */
export class UsageExit extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

/** What `npm run web` was asked for. */
export interface WebArgs {
  /** The port asked for (0: any free port). */
  port: number;
  /** `--results`, absolute (resolved against `cwd`); undefined: the default. */
  resultsRoot?: string;
}

/** The arguments of `npm run web` (node:util parseArgs, as every monge command); throws UsageExit for --help and for bad arguments. */
export function parseWebArgs(argv: string[], cwd = process.cwd()): WebArgs {
  let values: { port?: string; results?: string; help?: boolean };
  try {
    ({ values } = parseCommandLine(argv, { port: { type: 'string' }, results: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, { min: 0, max: 0, names: 'no arguments' }));
  } catch (e) {
    throw new UsageExit(`${(e as Error).message}\n${USAGE}`, 2);
  }
  if (values.help) throw new UsageExit(USAGE, 0);
  const args: WebArgs = { port: 0 };
  if (values.results !== undefined) {
    if (values.results.trim() === '') throw new UsageExit(`--results needs a folder\n${USAGE}`, 2);
    args.resultsRoot = resolve(cwd, values.results);
  }
  if (values.port !== undefined) {
    const port = Number(values.port);
    if (values.port.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) throw new UsageExit(`invalid port "${values.port}"\n${USAGE}`, 2);
    args.port = port;
  }
  return args;
}
