import { resolve } from 'node:path';

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

/** The arguments of `npm run web`; throws UsageExit for --help and for bad arguments. */
export function parseWebArgs(argv: string[], cwd = process.cwd()): WebArgs {
  const args: WebArgs = { port: 0 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') throw new UsageExit(USAGE, 0);
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (name !== '--port' && name !== '--results') throw new UsageExit(`unknown argument "${arg}"\n${USAGE}`, 2);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageExit(`${name} needs a value\n${USAGE}`, 2);
    if (name === '--results') {
      if (value.trim() === '') throw new UsageExit(`--results needs a folder\n${USAGE}`, 2);
      args.resultsRoot = resolve(cwd, value);
      continue;
    }
    const port = Number(value);
    if (value.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) throw new UsageExit(`invalid port "${value}"\n${USAGE}`, 2);
    args.port = port;
  }
  return args;
}
