/**
 * The `app://monge/` scheme the desktop renderer is loaded from. Electron's security guidance is to avoid
 * file:// (every file on disk would share one origin and 'self' would mean the whole disk); a privileged standard
 * scheme gives the renderer a proper origin, so its CSP's 'self' means exactly the bundled renderer files.
 *
 * The handler is plain Fetch API (Request → Response), so it is tested without Electron.
 */
import { readFile } from 'node:fs/promises';
import { contentSecurityPolicy, contentTypeOf, rendererFile } from '../security-policy.ts';
import { APP_SCHEME } from './channels.ts';

/** For protocol.registerSchemesAsPrivileged, before the app is ready. */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
};

/** Serves the renderer's files from `rendererDir`, each with the CSP; anything else is a 404. */
export function rendererHandler(rendererDir: string): (request: Request) => Promise<Response> {
  const notFound = (): Response => new Response('Not found', { status: 404, headers: { 'Content-Type': 'text/plain' } });
  return async (request) => {
    const url = new URL(request.url);
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== 'monge' || request.method !== 'GET') return notFound();
    const file = rendererFile(rendererDir, url.pathname);
    const body = file === undefined ? undefined : await readFile(file).catch(() => undefined);
    if (file === undefined || body === undefined) return notFound();
    return new Response(new Uint8Array(body), {
      headers: {
        'Content-Type': contentTypeOf(file),
        'Content-Security-Policy': contentSecurityPolicy(),
        'X-Content-Type-Options': 'nosniff',
      },
    });
  };
}
