/**
 * The web host: the renderer and the service over HTTP + WebSocket on 127.0.0.1, for end-to-end tests and for a
 * user on a remote workstation (through an SSH tunnel). A thin adapter like the Electron one: calls go through
 * the shared dispatcher (main/service/dispatcher.ts), messages through the shared binary codec (wire-codec.ts).
 *
 * Access control, because anything on the machine can reach a loopback port:
 *  - bound to 127.0.0.1 only, and connections from elsewhere are refused anyway;
 *  - the WebSocket, which is the service and so the user's files, needs a random session token (256 bits) in its
 *    URL (`/ws?token=`), which the page takes from its own address. The token is never put in a cookie: cookies are
 *    not separated by port, so a browser would send it to every other server on 127.0.0.1 the user visits;
 *  - the static files are the renderer's bundle, the same for everyone and holding no data, so they are served
 *    without the token; a page opened without it shows that it cannot connect;
 *  - the Host header must name a loopback address (a DNS-rebinding page cannot then talk to it; any port, for SSH
 *    tunnels), and the WebSocket's Origin must be that same host (no other page in the browser can open it);
 *  - static files come only from the renderer folder; only GET and HEAD are served; every answer carries a CSP
 *    allowing 'self' (and 'wasm-unsafe-eval' for WebAssembly) and no caching;
 *  - a request whose URL cannot be parsed, or a socket that sends a malformed frame, is refused or closed: nothing
 *    a client sends ends the host.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { JobEvent, MongeApi } from '../service/api.ts';
import { dispatch } from '../service/dispatcher.ts';
import { asJobOwner } from '../service/job-owner.ts';
import { decodeMessage, encodeMessage } from '../service/wire-codec.ts';
import { contentSecurityPolicy, contentTypeOf, rendererFile } from '../security-policy.ts';

export interface WebHostOptions {
  /**
   * The service (anything with the API and job events). Its jobs are owned by the connection whose call started them
   * (job-owner.ts): their events go to that connection only, and they are cancelled when it closes (a tab closed or
   * reloaded), so no tab sees, or cancels with Escape, another's jobs.
   */
  service: MongeApi & { onJobEvent(listener: (event: JobEvent, owner?: string) => void): () => void; cancelJobsOf?(owner: string): number };
  /** The built renderer (dist/renderer). */
  rendererDir: string;
  /** Port (0 or absent: a free one). */
  port?: number;
  /** Session token (default: 32 random bytes, hex). */
  token?: string;
  /** Largest WebSocket message accepted (default 1 GiB: uploads of whole CT volumes). */
  maxMessageBytes?: number;
}

export interface WebHost {
  port: number;
  token: string;
  /** The address to open, token included. */
  url: string;
  close(): Promise<void>;
}

/** Messages on the socket. */
export type ClientMessage = { t: 'call'; id: number; method: string; args: unknown[] };
export type ServerMessage = { t: 'result'; id: number; outcome: unknown } | { t: 'event'; event: JobEvent };

const LOOPBACK_HOST = /^(?:127\.0\.0\.1|localhost|\[::1\]):\d{1,5}$/;

const isLoopback = (address: string | undefined): boolean => address === '127.0.0.1' || address === '::ffff:127.0.0.1' || address === '::1';

function sameSecret(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = options.token ?? randomBytes(32).toString('hex');
  const rendererDir = resolve(options.rendererDir);
  // Each open connection, with the owner id its calls start jobs under.
  const sockets = new Map<WebSocket, string>();
  let port = 0;

  /**
   * The Host header must name a loopback address, with a port: a DNS-rebinding page sends its own domain there. Any
   * port, because an SSH tunnel (`ssh -L 8080:127.0.0.1:N`) delivers the browser's local port, not N.
   */
  const hostAllowed = (request: IncomingMessage): boolean => LOOPBACK_HOST.test(request.headers.host ?? '');
  /** The request's URL, or undefined where it cannot be parsed (`//`, `//:80`: `new URL` throws on them). */
  const urlOf = (request: IncomingMessage): URL | undefined => {
    try {
      return new URL(request.url ?? '/', `http://127.0.0.1:${port}`);
    } catch {
      return undefined;
    }
  };

  const refuse = (response: ServerResponse, status: number, text: string): void => {
    response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    response.end(`${text}\n`);
  };

  const server = createServer((request, response) => {
    void (async () => {
      if (!isLoopback(request.socket.remoteAddress) || !hostAllowed(request)) return refuse(response, 403, 'Forbidden');
      if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(response, 405, 'Method not allowed');
      const url = urlOf(request);
      if (url === undefined) return refuse(response, 400, 'Bad request');
      const file = rendererFile(rendererDir, url.pathname);
      const info = file === undefined ? undefined : await stat(file).catch(() => undefined);
      if (file === undefined || !info?.isFile()) return refuse(response, 404, 'Not found');
      const headers: Record<string, string> = {
        'Content-Type': contentTypeOf(file),
        'Content-Security-Policy': contentSecurityPolicy([`ws://${request.headers.host ?? `127.0.0.1:${port}`}`]),
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
        'Cache-Control': 'no-store',
        'Cross-Origin-Opener-Policy': 'same-origin',
        'X-Frame-Options': 'DENY',
      };
      response.writeHead(200, headers);
      response.end(request.method === 'HEAD' ? undefined : await readFile(file));
    })().catch(() => {
      if (!response.headersSent) refuse(response, 500, 'Internal error');
      else response.destroy();
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes ?? 1024 ** 3 });
  server.on('upgrade', (request, socket, head) => {
    socket.on('error', () => socket.destroy()); // a client that resets mid-handshake must not end the host
    const url = urlOf(request);
    const origin = request.headers.origin;
    // Same origin as the address the browser used (the page this host served); a page of any other origin, another
    // server on 127.0.0.1 included, cannot open the socket.
    const originAllowed = origin !== undefined && origin === `http://${request.headers.host ?? ''}`;
    const given = url?.searchParams.get('token') ?? undefined;
    if (url?.pathname !== '/ws' || !isLoopback(request.socket.remoteAddress) || !hostAllowed(request) || !originAllowed || !sameSecret(given, token)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  });

  wss.on('connection', (ws: WebSocket) => {
    const owner = randomUUID();
    sockets.set(ws, owner);
    ws.on('close', () => {
      sockets.delete(ws);
      options.service.cancelJobsOf?.(owner);
    });
    // A malformed frame or a message over maxPayload: ws reports it here and closes the socket. Without a listener
    // the error would be thrown and end the host, its jobs and every other client with it.
    ws.on('error', () => ws.terminate());
    ws.on('message', (data: RawData, isBinary: boolean) => {
      void (async () => {
        let message: ClientMessage;
        try {
          if (!isBinary) throw new Error('text frame');
          message = decodeMessage(Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : new Uint8Array(data)) as ClientMessage;
          if (message?.t !== 'call' || typeof message.id !== 'number') throw new Error('not a call');
        } catch {
          ws.close(1003, 'unsupported message');
          return;
        }
        const outcome = await asJobOwner(owner, () => dispatch(options.service, message.method, message.args));
        if (ws.readyState === ws.OPEN) ws.send(encodeMessage({ t: 'result', id: message.id, outcome } satisfies ServerMessage));
      })();
    });
  });

  const unsubscribe = options.service.onJobEvent((event, jobOwner) => {
    const frame = encodeMessage({ t: 'event', event } satisfies ServerMessage);
    for (const [ws, owner] of sockets) if (ws.readyState === ws.OPEN && (jobOwner === undefined || jobOwner === owner)) ws.send(frame);
  });

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolvePromise();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    port,
    token,
    url: `http://127.0.0.1:${port}/?token=${token}`,
    close: async () => {
      unsubscribe();
      for (const ws of sockets.keys()) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
