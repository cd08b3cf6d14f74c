/**
 * `monge`: the command-line door to Monge. Sub-commands live in ./commands, one file each.
 * Exit codes: 0 ok, 2 usage, 3 bad input, 4 some pairs of a batch failed, 1 internal error (README, `monge --help`);
 * a command cancelled by Ctrl-C or SIGTERM ends by that signal instead (runCliProgram).
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InputError } from '../io/errors.ts';
import { FolderCreationError } from '../io/make-folder.ts';
import { UsageError } from '../options/index.ts';
import { CancelledError } from '../progress/index.ts';
import type { Command } from './command.ts';
import { batchCommand } from './commands/batch.ts';
import { convertCommand } from './commands/convert.ts';
import { infoCommand } from './commands/info.ts';
import { landmarksErrorCommand } from './commands/landmarks-error.ts';
import { trainPriorCommand } from './commands/train-prior.ts';
import { mergeCommand } from './commands/merge.ts';
import { otCommand } from './commands/ot.ts';
import { registerCommand } from './commands/register.ts';
import { trainCommand } from './commands/train.ts';
import { surfaceCommand } from './commands/surface.ts';
import { warpCommand } from './commands/warp.ts';
import { checkEnvironment } from './environment.ts';
import { outputWriteMessage } from '../io/output-write-error.ts';
import { EXIT } from './exit-codes.ts';
import { endBySignal, listenForInterrupts, stopOnInterrupts, type StopSignal } from './interrupt.ts';
import { keepWorkingWhenOutputCloses, printMessage, printResult } from './output.ts';
import { MONGE_VERSION } from '../runtime/index.ts';

export const COMMANDS: readonly Command[] = [infoCommand, convertCommand, surfaceCommand, landmarksErrorCommand, otCommand, registerCommand, warpCommand, batchCommand, mergeCommand, trainCommand, trainPriorCommand];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `monge ${MONGE_VERSION} — optimal-transport registration of medical shapes`,
    '',
    'Usage: monge <command> [options]   (monge <command> --help for details)',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Coordinates are millimetres; Monge works in LPS and writes outputs in the frame their input came in (surfaces',
    'extracted from images in LPS, as ITK reads images, unless --frame says otherwise).',
    'Exit codes: 0 ok, 2 usage error, 3 bad input, 4 some pairs failed (batch, merge), 1 internal error.',
    'Cancelled by Ctrl-C or SIGTERM, a command cleans up and ends by that signal (shell status 130 / 143).',
  ].join('\n');
}

/** How a run of the CLI ended: its exit code, and the signal that cancelled it, if one did. */
interface CliOutcome {
  exitCode: number;
  /** Set when Ctrl-C or SIGTERM cancelled the command and it stopped for it (exit code not 0). */
  cancelledBy?: StopSignal;
}

/** Runs the CLI; returns the exit code (never calls process.exit, so it can be tested in-process). */
export async function runCli(argv: string[]): Promise<number> {
  return (await runCliOutcome(argv)).exitCode;
}

/**
 * Runs the CLI as the `monge` program: sets the exit code, or, when Ctrl-C or SIGTERM cancelled the command, ends the
 * process by that signal once the command has cleaned up (endBySignal: a shell loop or xargs over cases then stops
 * too, instead of going on to the next case).
 */
export async function runCliProgram(argv: string[]): Promise<void> {
  keepWorkingWhenOutputCloses();
  const outcome = await runCliOutcome(argv);
  if (outcome.cancelledBy !== undefined) endBySignal(outcome.cancelledBy);
  process.exitCode = outcome.exitCode;
}

/** Runs the CLI; returns how it ended (never calls process.exit). */
async function runCliOutcome(argv: string[]): Promise<CliOutcome> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    printResult(usage());
    return { exitCode: name === undefined ? EXIT.usage : EXIT.ok };
  }
  if (name === '--version' || name === '-v') {
    printResult(MONGE_VERSION);
    return { exitCode: EXIT.ok };
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    printMessage(`monge: unknown command '${name}'\n\n${usage()}`);
    return { exitCode: EXIT.usage };
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    printResult(command.help);
    return { exitCode: EXIT.ok };
  }
  // Long commands turn Ctrl-C into their cancellation signal; short ones stop at once, without leftovers.
  const interrupts = command.cancellable ? listenForInterrupts(command.name) : undefined;
  const stopper = interrupts ? undefined : stopOnInterrupts(command.name);
  let exitCode: number;
  try {
    checkEnvironment(); // before any work: the library would find a bad MONGE_* value only deep inside it
    exitCode = await command.run(rest, interrupts?.signal);
  } catch (e) {
    exitCode = reportError(command.name, e);
  } finally {
    interrupts?.dispose();
    stopper?.dispose();
  }
  // A command that finished its work before it saw the cancel ends as it would have.
  const cancelledBy = exitCode === EXIT.ok ? undefined : interrupts?.stoppedBy();
  return cancelledBy === undefined ? { exitCode } : { exitCode, cancelledBy };
}

/** Maps an error to a message on stderr and an exit code. */
export function reportError(commandName: string, e: unknown): number {
  // An output folder that cannot be made (core/io/make-folder.ts) is the user's choice to change, like a usage error.
  if (e instanceof UsageError || e instanceof FolderCreationError) {
    printMessage(`monge ${commandName}: ${e.message}\nTry 'monge ${commandName} --help'.`);
    return EXIT.usage;
  }
  if (e instanceof InputError) {
    printMessage(`monge ${commandName}: error: ${e.message}`);
    return EXIT.badInput;
  }
  if (e instanceof CancelledError) {
    printMessage(`monge ${commandName}: ${e.message}`);
    return EXIT.internal;
  }
  const err = e as NodeJS.ErrnoException;
  if (err?.code && String(err.code).startsWith('ERR_PARSE_ARGS')) {
    printMessage(`monge ${commandName}: ${err.message}\nTry 'monge ${commandName} --help'.`);
    return EXIT.usage;
  }
  // The output cannot be written where asked (no room, no permission, a file held open by another program): the
  // user's to mend, like a folder without write permission found up front (exit 2), not a bug.
  const unwritable = outputWriteMessage(e);
  if (unwritable !== undefined) {
    printMessage(`monge ${commandName}: ${unwritable}`);
    return EXIT.usage;
  }
  printMessage(`monge ${commandName}: internal error: ${err?.stack ?? String(e)}`);
  return EXIT.internal;
}

/**
 * Run as the program itself (`node core/cli/main.ts`, `npm run monge`, or this module bundled as dist/cli/monge.mjs,
 * perhaps through a symlink such as npm's bin link), not imported by bin/monge.mjs or a test.
 */
function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedDirectly()) void runCliProgram(process.argv.slice(2));
