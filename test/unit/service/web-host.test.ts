import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import type { JobEvent, MongeApi } from '../../../main/service/api.ts';
import { parseWebArgs, UsageExit } from '../../../main/web-host/cli-args.ts';
import { startWebHost, type WebHost } from '../../../main/web-host/server.ts';
import { decodeMessage, encodeMessage } from '../../../main/service/wire-codec.ts';

let dir = '';
let host: WebHost;
let emit: (event: JobEvent) => void = () => undefined;

/** A service double: answers hostInfo, echoes uploads, and lets the test emit job events. */
const service = {
  hostInfo: async () => ({ host: 'web' }),
  openFile: async (source: { name: string; bytes: Uint8Array }) => ({ name: source.name, sum: source.bytes.reduce((s, b) => s + b, 0), back: Float32Array.from([1.5, 2.5]) }),
  register: async () => 'job-1',
  cancel: async () => true,
  openResultsFolder: async () => {
    throw Object.assign(new Error('/r: no such folder'), { file: '/r' });
  },
  exportResult: async () => ({ fileName: 'x' }),
  onJobEvent: (listener: (event: JobEvent) => void) => {
    emit = listener;
    return () => (emit = () => undefined);
  },
} as unknown as MongeApi & { onJobEvent(listener: (event: JobEvent) => void): () => void };

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'monge-web-'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>Monge</title>');
  await writeFile(join(dir, 'app.js'), 'console.log(1)');
  await writeFile(join(dir, '.secret'), 'no');
  host = await startWebHost({ service, rendererDir: dir });
});
after(async () => {
  await host.close();
  await rm(dir, { recursive: true, force: true });
});

/** A raw HTTP GET (no URL normalisation) with the given headers. */
function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, path, method, headers: { host: `127.0.0.1:${host.port}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += String(d)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('HTTP: the token is required on every request, by query or by the cookie the first request sets', async () => {
  assert.equal((await get('/')).status, 401);
  assert.equal((await get('/app.js')).status, 401);
  assert.equal((await get(`/?token=${'0'.repeat(64)}`)).status, 401);
  assert.equal((await get(`/?token=${host.token.slice(1)}`)).status, 401);
  const first = await get(`/?token=${host.token}`);
  assert.equal(first.status, 200);
  assert.match(first.body, /<title>Monge<\/title>/);
  const cookie = String(first.headers['set-cookie']);
  assert.match(cookie, /^monge_token=[0-9a-f]{64}; HttpOnly; SameSite=Strict; Path=\//);
  const csp = String(first.headers['content-security-policy']);
  assert.match(csp, /default-src 'self'; script-src 'self' 'wasm-unsafe-eval';/);
  assert.match(csp, new RegExp(`connect-src 'self' ws://127\\.0\\.0\\.1:${host.port}`));
  assert.equal(first.headers['x-content-type-options'], 'nosniff');
  const script = await get('/app.js', { cookie: cookie.split(';')[0] });
  assert.equal(script.status, 200);
  assert.equal(script.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.match(host.url, new RegExp(`^http://127\\.0\\.0\\.1:${host.port}/\\?token=${host.token}$`));
});

test('HTTP: only the renderer folder, only GET/HEAD, only this host name (no DNS rebinding)', async () => {
  const auth = { cookie: `monge_token=${host.token}` };
  assert.equal((await get('/%2e%2e/%2e%2e/etc/passwd', auth)).status, 404);
  assert.equal((await get('/../package.json', auth)).status, 404);
  assert.equal((await get('/.secret', auth)).status, 404);
  assert.equal((await get('/missing.js', auth)).status, 404);
  assert.equal((await get('/', auth, 'POST')).status, 405);
  assert.equal((await get('/', auth, 'HEAD')).status, 200);
  assert.equal((await get('/', { ...auth, host: `evil.example:${host.port}` })).status, 403);
  assert.equal((await get('/', { ...auth, host: `localhost:${host.port}` })).status, 200);
});

/** Opens the socket with the given token and origin; resolves with it open, or rejects. */
function socket(token: string, origin: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws?token=${token}`, { origin });
    ws.binaryType = 'nodebuffer';
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function call(ws: WebSocket, id: number, method: string, args: unknown[]): Promise<unknown> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer): void => {
      const message = decodeMessage(data) as { t: string; id?: number };
      if (message.t === 'result' && message.id === id) {
        ws.off('message', onMessage);
        resolve(message);
      }
    };
    ws.on('message', onMessage);
    ws.send(encodeMessage({ t: 'call', id, method, args }));
  });
}

test('WebSocket: token and origin required; calls go through the dispatcher; job events reach every client', async () => {
  const origin = `http://127.0.0.1:${host.port}`;
  await assert.rejects(socket('wrong', origin), /403/);
  await assert.rejects(socket(host.token, 'http://evil.example'), /403/);
  const ws = await socket(host.token, origin);
  assert.deepEqual(await call(ws, 1, 'hostInfo', []), { t: 'result', id: 1, outcome: { ok: true, value: { host: 'web' } } });
  assert.deepEqual(await call(ws, 2, 'openFile', [{ name: 'a.vtk', bytes: Uint8Array.from([1, 2, 3, 250]) }]), {
    t: 'result',
    id: 2,
    outcome: { ok: true, value: { name: 'a.vtk', sum: 256, back: Float32Array.from([1.5, 2.5]) } },
  });
  assert.deepEqual(await call(ws, 3, 'openResultsFolder', ['/r']), { t: 'result', id: 3, outcome: { ok: false, error: { name: 'Error', message: '/r: no such folder', file: '/r' } } });
  assert.deepEqual(await call(ws, 4, 'dispose', []), { t: 'result', id: 4, outcome: { ok: false, error: { name: 'Error', message: 'unknown call "dispose"' } } });
  const event: JobEvent = { type: 'progress', jobId: 'j', kind: 'surface', stage: 'extracting the surface', fraction: 0.5 };
  const received = new Promise((resolve) => ws.once('message', (d: Buffer) => resolve(decodeMessage(d))));
  emit(event);
  assert.deepEqual(await received, { t: 'event', event });
  // A text frame is not a call: the socket is closed.
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  ws.send('hello');
  assert.equal(await closed, 1003);
});

test('command line: --port N, --help, and usage errors', () => {
  assert.deepEqual(parseWebArgs([]), { port: 0 });
  assert.deepEqual(parseWebArgs(['--port', '8123']), { port: 8123 });
  assert.deepEqual(parseWebArgs(['--port=0']), { port: 0 });
  for (const bad of [['--port'], ['--port', 'x'], ['--port', '70000'], ['--port', ''], ['--host', 'a']]) {
    assert.throws(() => parseWebArgs(bad), (e: unknown) => e instanceof UsageExit && e.code === 2, bad.join(' '));
  }
  assert.throws(() => parseWebArgs(['--help']), (e: unknown) => e instanceof UsageExit && e.code === 0);
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'main/web-host/main.ts', '--port', 'abc'], { cwd: new URL('../../../', import.meta.url), encoding: 'utf8' });
  assert.equal(run.status, 2);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /invalid port "abc"/);
});
