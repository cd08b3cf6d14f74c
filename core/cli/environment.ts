/**
 * The MONGE_* environment variables that the work of a `monge` command reads, checked before any command runs. The
 * library reads them deep inside the work (an engine is made after the inputs are read, the network's backend when
 * its step starts) and throws a RangeError there, which the CLI could only report as an internal error with a stack
 * trace, after the reading; a misconfigured shell is a usage error, told at once whichever command is run.
 *
 * MONGE_NET_MODEL is not checked: it names a folder, and one that holds no model skips the 'net' step with a note
 * in the report (its documented default).
 */
import { ENGINE_NAMES, engineNameOf } from '../kernels/index.ts';
import { UsageError } from '../options/index.ts';
import { NET_BACKENDS, netBackendOf } from '../registration/net/backend.ts';
import { threadCountOf } from '../runtime/index.ts';

interface EnvironmentVariable {
  name: string;
  /** What it takes, for the message. */
  accepted: string;
  /** Whether a value (not blank) is one the library takes: the library's own parser decides. */
  valid(value: string): boolean;
}

export const CHECKED_VARIABLES: readonly EnvironmentVariable[] = [
  { name: 'MONGE_ENGINE', accepted: `one of ${ENGINE_NAMES.join(', ')} (any case)`, valid: (v) => engineNameOf(v) !== undefined },
  { name: 'MONGE_THREADS', accepted: 'a positive integer (the CPU threads to use)', valid: (v) => threadCountOf(v) !== undefined },
  { name: 'MONGE_NET_BACKEND', accepted: `one of ${NET_BACKENDS.join(', ')} (any case)`, valid: (v) => netBackendOf(v) !== undefined },
];

/**
 * Throws a UsageError naming the first variable set to a value the work would refuse, with that value and what it
 * takes. A blank value counts as unset, as the library reads it.
 */
export function checkEnvironment(env: NodeJS.ProcessEnv = process.env): void {
  for (const variable of CHECKED_VARIABLES) {
    const value = env[variable.name];
    if (value === undefined || value.trim() === '' || variable.valid(value)) continue;
    throw new UsageError(`the environment variable ${variable.name} is '${value}'; it takes ${variable.accepted}, or unset it`);
  }
}
