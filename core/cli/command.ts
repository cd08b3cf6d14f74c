/** The shape of one `monge` sub-command. */
export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Full `--help` text. */
  help: string;
  /** Runs with the arguments after the command name; returns the exit code. */
  run(argv: string[]): Promise<number>;
}
