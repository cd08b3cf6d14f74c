/**
 * Options of the evaluation scripts (`npm run eval:*`), checked before any work: each run registers real cases for
 * minutes, so a typo must stop it at once (exit 2, naming the option), not after the first cases or by running
 * everything. `--help` prints the script's usage.
 */
import { existsSync } from 'node:fs';
import { ENGINE_NAMES } from '../../core/kernels/index.ts';
import { STEP_NAMES, type PresetName, type StepName } from '../../core/registration/types.ts';

/** Stops the script with a usage error (exit 2). */
export function usageExit(script: string, message: string): never {
  process.stderr.write(`${script}: ${message} (--help lists the options)\n`);
  process.exit(2);
}

/** Runs the script's option parser: --help prints `usage` and exits 0; an unknown or malformed option exits 2. */
export function evalOptions<T>(script: string, usage: string, parse: () => T): T {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(usage);
    process.exit(0);
  }
  try {
    return parse();
  } catch (e) {
    return usageExit(script, (e as Error).message);
  }
}

/** A comma-separated list of distinct values, each one of `allowed` (or passing `valid`). */
export function listOption(script: string, option: string, text: string, valid: (item: string) => boolean, expected: string): string[] {
  const items = text.split(',').map((s) => s.trim());
  const bad = items.filter((s) => !valid(s));
  if (bad.length > 0) usageExit(script, `${option}: ${bad.map((b) => `'${b}'`).join(', ')} is not ${expected}`);
  const twice = items.find((s, i) => items.indexOf(s) !== i);
  if (twice !== undefined) usageExit(script, `${option}: '${twice}' is given twice`);
  return items;
}

/** --steps: pipeline steps. */
export function stepsOption(script: string, text: string | undefined): StepName[] | undefined {
  if (text === undefined) return undefined;
  return listOption(script, '--steps', text, (s) => (STEP_NAMES as readonly string[]).includes(s), `a step (${STEP_NAMES.join(', ')})`) as StepName[];
}

/** --preset and --engine. */
export function presetOption(script: string, text: string): PresetName {
  if (!['lung', 'brain', 'generic'].includes(text)) usageExit(script, `--preset: '${text}' is not lung, brain or generic`);
  return text as PresetName;
}

export function engineOption(script: string, text: string | undefined): string | undefined {
  if (text !== undefined && !(ENGINE_NAMES as readonly string[]).includes(text)) usageExit(script, `--engine: '${text}' is not one of ${ENGINE_NAMES.join(', ')}`);
  return text;
}

/** A file the run will read later: it must be there now. */
export function existingFile(script: string, option: string, path: string): string {
  if (!existsSync(path)) usageExit(script, `${option}: ${path} does not exist`);
  return path;
}
