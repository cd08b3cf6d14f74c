/**
 * `npm run web -- [--port N]`: builds the renderer if its bundle is stale, starts the service and the web host on
 * 127.0.0.1, and prints exactly one line to stdout:
 *   Monge is at http://127.0.0.1:N/?token=…
 * Everything else (build notes, errors) goes to stderr. Ctrl+C (SIGINT) or SIGTERM stops the jobs and exits.
 */
import { ensureRendererBuilt } from '../../renderer/build.ts';
import { MongeService } from '../service/service.ts';
import { parseWebArgs, UsageExit } from './cli-args.ts';
import { startWebHost } from './server.ts';

async function main(): Promise<void> {
  let port: number;
  try {
    port = parseWebArgs(process.argv.slice(2)).port;
  } catch (error) {
    if (!(error instanceof UsageExit)) throw error;
    (error.code === 0 ? process.stdout : process.stderr).write(`${error.message}\n`);
    process.exit(error.code);
  }
  const { built, dir } = await ensureRendererBuilt();
  if (built) process.stderr.write(`built the renderer into ${dir}\n`);
  const service = new MongeService({ host: 'web' });
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
