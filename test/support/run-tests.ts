/**
 * `npm run test:unit` and `npm run test:e2e`: runs node:test over every `*.test.ts` under the folders given (sorted,
 * so the order is the same everywhere), as `$(find test -name '*.test.ts' | sort)` did — but in Node, so that the
 * scripts run in Windows' cmd.exe too, where npm runs them and neither `$(…)` nor `find` mean that. Node 20's --test
 * takes no glob of its own.
 *
 *   node test/support/run-tests.ts [--concurrency N] FOLDER...   (through tsx: node --import tsx …)
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const at = args.indexOf('--concurrency');
const concurrency = at >= 0 ? args.splice(at, 2)[1] : undefined;
const folders = args.length > 0 ? args : ['test'];
const files = folders
  .flatMap((folder) => readdirSync(folder, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.test.ts')).map((f) => join(folder, f)))
  .sort();
if (files.length === 0) {
  console.error(`run-tests: no *.test.ts under ${folders.join(', ')}`);
  process.exit(2);
}
const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...(concurrency ? [`--test-concurrency=${concurrency}`] : []), ...files], { stdio: 'inherit' });
process.exit(run.status ?? 1);
