import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { skipUnlessRequired } from './skip-unless-required.ts';

/** Repository root. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The shared real data beside the checkout (never copied into the repo). */
export const SHARED_DATA = process.env.MONGE_SHARED_DATA ?? resolve(REPO_ROOT, '../shared/data');

/** A path under the shared data folder. */
export function sharedPath(...parts: string[]): string {
  return join(SHARED_DATA, ...parts);
}

/**
 * `skip` option for tests that need the shared data: they run wherever the data is present and are required in
 * CI (CI=true), where a missing folder is a failure rather than a skip.
 */
export function needsSharedData(): false | string {
  return skipUnlessRequired(!existsSync(SHARED_DATA) && `shared data not found at ${SHARED_DATA}`);
}
