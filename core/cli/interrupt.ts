import { removeLeftoversNow } from '../io/leftovers.ts';
import { EXIT } from './exit-codes.ts';
import { printMessage } from './output.ts';

/** The cancellation signal of one command run, and the listeners to remove when it ends. */
export interface Interrupts {
  /** Aborted by the first Ctrl-C (SIGINT) or SIGTERM. */
  signal: AbortSignal;
  /** Removes the signal listeners: Node's default handling returns. */
  dispose(): void;
}

/**
 * Turns Ctrl-C and a scheduler's SIGTERM into an AbortSignal, so that long work stops the clean way: the command
 * sees CancelledError at its next check, removes what it had half-written (a registration's hidden `.OUTDIR.partial-`
 * folder, a batch's running pairs) and exits with code 1. Node's default for these signals ends the process at once
 * and leaves such leftovers behind.
 *
 * A second Ctrl-C stops at once (a user who insists), removing the temporary files and folders still being written
 * (core/io/leftovers.ts) but nothing else. A second SIGTERM is ignored: a scheduler (Slurm's time limit
 * or preemption, Kubernetes deleting a pod) sends SIGTERM once and SIGKILL after its grace period, and the clean
 * stop should use that period.
 */
export function listenForInterrupts(commandName: string): Interrupts {
  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) stopNow(commandName);
    printMessage(`\nmonge ${commandName}: cancelling (Ctrl-C again to stop at once)…`);
    controller.abort();
  };
  const onSigterm = (): void => {
    if (controller.signal.aborted) return;
    printMessage(`monge ${commandName}: terminated; cancelling…`);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigterm);
    },
  };
}

/**
 * For the short commands (a surface, a conversion, a merge: seconds, no cancellation points): Ctrl-C or SIGTERM
 * ends the process at once as Node's default does, but first removes the temporary file of a write in progress, so
 * that no hidden `.name.XXXX.tmp` is left beside the outputs. Exit code 1, as a cancelled long command.
 */
export function stopOnInterrupts(commandName: string): { dispose(): void } {
  const onSignal = (): void => stopNow(commandName);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

function stopNow(commandName: string): never {
  removeLeftoversNow();
  printMessage(`monge ${commandName}: stopped`);
  process.exit(EXIT.internal);
}
