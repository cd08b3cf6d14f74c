/** Command-line arguments of `npm run web`. */

export const USAGE = 'usage: npm run web -- [--port N]   (N: 1–65535; default: a free port)';

/** A request to stop with a message and an exit code (0 for --help, 2 for a usage error). */
export class UsageExit extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

/** The port asked for (0: any free port); throws UsageExit for --help and for bad arguments. */
export function parseWebArgs(argv: string[]): { port: number } {
  let port = 0;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') throw new UsageExit(USAGE, 0);
    const value = arg === '--port' ? argv[++i] : arg.startsWith('--port=') ? arg.slice('--port='.length) : undefined;
    if (value === undefined) throw new UsageExit(`unknown argument "${arg}"\n${USAGE}`, 2);
    port = Number(value);
    if (value.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) throw new UsageExit(`invalid port "${value}"\n${USAGE}`, 2);
  }
  return { port };
}
