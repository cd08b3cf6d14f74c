/** The shape of one `monge` sub-command. */
export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Full `--help` text. */
  help: string;
  /**
   * True when run() stops cleanly once its signal aborts; `monge` then turns Ctrl-C and SIGTERM into that signal
   * (core/cli/interrupt.ts) and, once run() has returned, ends the process by the same signal. Commands without it
   * are short: the signal ends them at once, as Node's default does, but their temporary files are removed first
   * (stopOnInterrupts).
   */
  cancellable?: boolean;
  /** Runs with the arguments after the command name; returns the exit code. */
  run(argv: string[], signal?: AbortSignal): Promise<number>;
}
