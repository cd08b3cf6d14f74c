import { removeLeftoversNow } from '../io/leftovers.ts';
import { printMessage } from './output.ts';

/** The process signals that cancel a command. */
export type StopSignal = 'SIGINT' | 'SIGTERM';

/** The cancellation signal of one command run, and the listeners to remove when it ends. */
export interface Interrupts {
  /** Aborted by the first Ctrl-C (SIGINT) or SIGTERM. */
  signal: AbortSignal;
  /** The process signal that aborted `signal`, if one did. */
  stoppedBy(): StopSignal | undefined;
  /** Removes the signal listeners: Node's default handling returns. */
  dispose(): void;
}

/**
 * Turns Ctrl-C and a scheduler's SIGTERM into an AbortSignal, so that long work stops the clean way: the command
 * sees CancelledError at its next check and removes what it had half-written (a registration's hidden `.OUTDIR.partial-`
 * folder, a batch's running pairs); the program then ends by the same signal (endBySignal). Node's default for these
 * signals ends the process at once and leaves such leftovers behind.
 *
 * A second Ctrl-C stops at once (a user who insists), removing the temporary files and folders still being written
 * (core/io/leftovers.ts) but nothing else. A second SIGTERM is ignored: a scheduler (Slurm's time limit
 * or preemption, Kubernetes deleting a pod) sends SIGTERM once and SIGKILL after its grace period, and the clean
 * stop should use that period.
 */
export function listenForInterrupts(commandName: string): Interrupts {
  const controller = new AbortController();
  let stoppedBy: StopSignal | undefined;
  const onSigint = (): void => {
    if (controller.signal.aborted) stopNow(commandName, 'SIGINT');
    printMessage(`\nmonge ${commandName}: cancelling (Ctrl-C again to stop at once)…`);
    stoppedBy = 'SIGINT';
    controller.abort();
  };
  const onSigterm = (): void => {
    if (controller.signal.aborted) return;
    printMessage(`monge ${commandName}: terminated; cancelling…`);
    stoppedBy = 'SIGTERM';
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  return {
    signal: controller.signal,
    stoppedBy: () => stoppedBy,
    dispose() {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigterm);
    },
  };
}

/**
 * For the short commands (a surface, a conversion, a merge: seconds, no cancellation points): Ctrl-C or SIGTERM
 * ends the process at once as Node's default does, but first removes the temporary file of a write in progress, so
 * that no hidden `.name.XXXX.tmp` is left beside the outputs. The process then ends by the signal, as a cancelled
 * long command does.
 */
export function stopOnInterrupts(commandName: string): { dispose(): void } {
  const onSigint = (): void => stopNow(commandName, 'SIGINT');
  const onSigterm = (): void => stopNow(commandName, 'SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  return {
    dispose() {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigterm);
    },
  };
}

function stopNow(commandName: string, signal: StopSignal): never {
  removeLeftoversNow();
  printMessage(`monge ${commandName}: stopped`);
  endBySignal(signal);
}

/**
 * Ends the process by `signal` itself, with the system's default action, instead of an exit code: a program that
 * catches SIGINT to clean up must then die of it (Cracauer, "Proper handling of SIGINT/SIGQUIT"; bash(1), SIGNALS).
 * A shell waiting on a command that merely exits after Ctrl-C takes it that the command handled the Ctrl-C, and a
 * `for` loop over cases goes on to the next one; xargs and make stop only for a command killed by a signal; a
 * scheduler records the job as ended by the signal. The shell shows status 128 + n: 130 for SIGINT, 143 for SIGTERM.
 *
 * Only for the program itself (runCliProgram, or a second Ctrl-C): it removes every listener of both signals first,
 * so that Node's default handling, not a handler, receives it.
 */
export function endBySignal(signal: StopSignal): never {
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  // Windows has no such signals: libuv ends a process "killed" by one with TerminateProcess(…, 1), status 1, which
  // Monge's exit codes call an internal error. There the status is the shell's 128 + n, as the README promises.
  if (process.platform !== 'win32') process.kill(process.pid, signal);
  // A signal sent to one's own process is delivered before kill(2) returns, except where the process is PID 1 (a
  // container's entry point without an init), which ignores signals it has no handler for: there, the same status.
  process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
}
