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
 * A second Ctrl-C stops at once (a user who insists). A second SIGTERM is ignored: a scheduler (Slurm's time limit
 * or preemption, Kubernetes deleting a pod) sends SIGTERM once and SIGKILL after its grace period, and the clean
 * stop should use that period.
 */
export function listenForInterrupts(commandName: string): Interrupts {
  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) {
      printMessage(`monge ${commandName}: stopped`);
      process.exit(EXIT.internal);
    }
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
