/**
 * `npm run web -- [--port N] [--results DIR]`: builds the renderer if its bundle is stale, starts the service and the web host on
 * 127.0.0.1, and prints exactly one line to stdout:
 *   Monge is at http://127.0.0.1:N/?token=…
 * Everything else (build notes, errors) goes to stderr. Ctrl+C (SIGINT) or SIGTERM stops the jobs and exits.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ensureRendererBuilt } from '../../renderer/build.ts';
import { MongeService } from '../service/service.ts';
import { parseWebArgs, UsageExit, type WebArgs } from './cli-args.ts';
import { startWebHost } from './server.ts';

async function main(): Promise<void> {
  let args: WebArgs;
  try {
    args = parseWebArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageExit)) throw error;
    (error.code === 0 ? process.stdout : process.stderr).write(`${error.message}\n`);
    process.exit(error.code);
  }
  const { built, dir } = await ensureRendererBuilt();
  if (built) process.stderr.write(`built the renderer into ${dir}\n`);
  const { port } = args;
  // Results outlive the host (its session folder of uploads does not), as the desktop app's Documents/Monge results.
  const service = new MongeService({ host: 'web', resultsRoot: args.resultsRoot ?? join(homedir(), 'Monge results') });
  const host = await startWebHost({ service, rendererDir: dir, port }).catch((error: NodeJS.ErrnoException) => {
    process.stderr.write(`cannot listen on 127.0.0.1:${port}: ${error.code === 'EADDRINUSE' ? 'the port is in use' : error.message}\n`);
    process.exit(1);
  });
  process.stdout.write(`Monge is at ${host.url}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void Promise.all([host.close(), service.dispose()]).finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

await main();
