/**
 * Where CLI output goes: machine-readable results (JSON or tables) on stdout, human messages on stderr, so that
 * `monge … --json | jq` always sees clean JSON.
 */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printResult(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function printMessage(text: string): void {
  process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
}
