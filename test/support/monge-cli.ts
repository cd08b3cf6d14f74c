/** Running the `monge` command line as a user does (`node bin/monge.mjs …`), to completion, for CLI tests. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './data.ts';

export const MONGE_BIN = join(REPO_ROOT, 'bin', 'monge.mjs');

export interface MongeRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `monge ARGS` with `env` added to this process's environment (two minutes at most). */
export function mongeWith(env: Readonly<Record<string, string>>, ...args: string[]): MongeRun {
  const r = spawnSync(process.execPath, [MONGE_BIN, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `monge ARGS` (two minutes at most). */
export function monge(...args: string[]): MongeRun {
  return mongeWith({}, ...args);
}
