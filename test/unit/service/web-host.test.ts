import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { connect } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import type { JobEvent, MongeApi } from '../../../main/service/api.ts';
import { parseWebArgs, UsageExit } from '../../../main/web-host/cli-args.ts';
import { startWebHost, type WebHost } from '../../../main/web-host/server.ts';
import { MongeService } from '../../../main/service/service.ts';
import { tempDir } from '../../support/temp-dir.ts';
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

test('HTTP: the static bundle is served without the token, and the token is never put in a cookie', async () => {
  // Cookies are not separated by port: a cookie would carry the token to every other server on 127.0.0.1.
  for (const path of ['/', `/?token=${host.token}`, `/?token=${'0'.repeat(64)}`]) {
    const page = await get(path);
    assert.equal(page.status, 200, path);
    assert.match(page.body, /<title>Monge<\/title>/);
    assert.equal(page.headers['set-cookie'], undefined, path);
  }
  const first = await get(`/?token=${host.token}`);
  const csp = String(first.headers['content-security-policy']);
  assert.match(csp, /default-src 'self'; script-src 'self' 'wasm-unsafe-eval';/);
  assert.match(csp, new RegExp(`connect-src 'self' ws://127\\.0\\.0\\.1:${host.port}`));
  assert.equal(first.headers['x-content-type-options'], 'nosniff');
  const script = await get('/app.js');
  assert.equal(script.status, 200);
  assert.equal(script.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.match(host.url, new RegExp(`^http://127\\.0\\.0\\.1:${host.port}/\\?token=${host.token}$`));
});

test('HTTP: only the renderer folder, only GET/HEAD, only this host name (no DNS rebinding)', async () => {
  const auth = {};
  assert.equal((await get('/%2e%2e/%2e%2e/etc/passwd', auth)).status, 404);
  assert.equal((await get('/../package.json', auth)).status, 404);
  assert.equal((await get('/.secret', auth)).status, 404);
  assert.equal((await get('/missing.js', auth)).status, 404);
  assert.equal((await get('/', auth, 'POST')).status, 405);
  assert.equal((await get('/', auth, 'HEAD')).status, 200);
  assert.equal((await get('/', { ...auth, host: `evil.example:${host.port}` })).status, 403);
  assert.equal((await get('/', { ...auth, host: `localhost:${host.port}` })).status, 200);
  assert.equal((await get('/', { host: `127.0.0.1` })).status, 403);
  assert.equal((await get('/', { host: `127.0.0.1.evil.example:${host.port}` })).status, 403);
  // Through an SSH tunnel the browser names its own local port; the page's CSP lets it connect back there.
  const tunnelled = await get('/', { host: 'localhost:8080' });
  assert.equal(tunnelled.status, 200);
  assert.match(String(tunnelled.headers['content-security-policy']), /connect-src 'self' ws:\/\/localhost:8080/);
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
  // Another server's page on 127.0.0.1 (another port) is another origin.
  await assert.rejects(socket(host.token, 'http://127.0.0.1:47099'), /403/);
  // Through an SSH tunnel (browser at localhost:8080): Host and Origin agree, so the page may connect.
  const tunnel = new WebSocket(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`, { origin: 'http://localhost:8080', headers: { host: 'localhost:8080' } });
  await new Promise((resolve, reject) => (tunnel.once('open', resolve), tunnel.once('error', reject)));
  tunnel.close();
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

/** Sends raw bytes to the host and resolves with what came back when the connection ends (or after 2 s). */
function raw(bytes: string | Uint8Array, then?: (reply: string) => Uint8Array | undefined): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(host.port, '127.0.0.1');
    let reply = '';
    let followed = false;
    const timer = setTimeout(() => s.destroy(), 2000);
    s.on('data', (d: Buffer) => {
      reply += d.toString('latin1');
      const next = !followed && then?.(reply);
      if (next) {
        followed = true;
        s.write(next);
      }
    });
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      resolve(reply);
    });
    s.write(bytes);
  });
}

test('WebSocket: no token by cookie; nothing a client sends ends the host (unparseable URL, malformed frame)', async () => {
  const origin = `http://127.0.0.1:${host.port}`;
  const cookieOnly = new WebSocket(`ws://127.0.0.1:${host.port}/ws`, { origin, headers: { cookie: `monge_token=${host.token}` } });
  await assert.rejects(new Promise((resolve, reject) => (cookieOnly.once('open', resolve), cookieOnly.once('error', reject))), /403/);
  const upgrade = (path: string): string =>
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nOrigin: ${origin}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';
  // `new URL('//', base)` throws: it ended the process before any check ran.
  for (const path of ['//', '//:80', '///']) assert.match(await raw(upgrade(path)), /^HTTP\/1\.1 403/, path);
  // A frame with a reserved opcode (0x3), masked as a client's must be: ws reports an error on the socket.
  const reply = await raw(upgrade(`/ws?token=${host.token}`), (r) => (r.includes('\r\n\r\n') ? Uint8Array.from([0x83, 0x80, 1, 2, 3, 4]) : undefined));
  assert.match(reply, /^HTTP\/1\.1 101/);
  // A frame announcing more than maxPayload (here 2^40 bytes).
  const big = await raw(upgrade(`/ws?token=${host.token}`), (r) => (r.includes('\r\n\r\n') ? Uint8Array.from([0x82, 0xff, 0, 0, 1, 0, 0, 0, 0, 0, 1, 2, 3, 4]) : undefined));
  assert.match(big, /^HTTP\/1\.1 101/);
  // Still serving.
  assert.equal((await get('/')).status, 200);
  const ws = await socket(host.token, origin);
  assert.deepEqual(await call(ws, 1, 'hostInfo', []), { t: 'result', id: 1, outcome: { ok: true, value: { host: 'web' } } });
  ws.close();
});

test('command line: --port N, --results DIR, --help, and usage errors', () => {
  assert.deepEqual(parseWebArgs([]), { port: 0 });
  assert.deepEqual(parseWebArgs(['--port', '8123']), { port: 8123 });
  assert.deepEqual(parseWebArgs(['--port=0']), { port: 0 });
  assert.deepEqual(parseWebArgs(['--results', 'runs', '--port', '9'], '/data'), { port: 9, resultsRoot: '/data/runs' });
  assert.deepEqual(parseWebArgs(['--results=/scratch/monge'], '/data'), { port: 0, resultsRoot: '/scratch/monge' });
  for (const bad of [['--port'], ['--port', 'x'], ['--port', '70000'], ['--port', ''], ['--host', 'a'], ['--results'], ['--results', ' ']]) {
    assert.throws(() => parseWebArgs(bad), (e: unknown) => e instanceof UsageExit && e.code === 2, bad.join(' '));
  }
  assert.throws(() => parseWebArgs(['--help']), (e: unknown) => e instanceof UsageExit && e.code === 0);
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'main/web-host/main.ts', '--port', 'abc'], { cwd: new URL('../../../', import.meta.url), encoding: 'utf8' });
  assert.equal(run.status, 2);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /invalid port "abc"/);
});

test('jobs belong to the connection that started them: their events go to it alone, and closing it cancels them', { timeout: 60_000 }, async (t) => {
  const results = await tempDir(t, 'monge-web-owner');
  // The real service, with a register job that loops until its thread is ended (the job runner's test module).
  const real = new MongeService({ host: 'web', resultsRoot: results, jobModules: { register: new URL('./fixtures/slow-job.ts', import.meta.url) } });
  const own = await startWebHost({ service: real, rendererDir: dir });
  const events: { event: JobEvent; owner: string | undefined }[] = [];
  real.onJobEvent((event, owner) => events.push({ event, owner }));
  try {
    const origin = `http://127.0.0.1:${own.port}`;
    const open = (): Promise<WebSocket> =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${own.port}/ws?token=${own.token}`, { origin });
        ws.binaryType = 'nodebuffer';
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
      });
    const [a, b] = await Promise.all([open(), open()]);
    const seenBy = { a: [] as JobEvent[], b: [] as JobEvent[] };
    for (const [ws, seen] of [[a, seenBy.a], [b, seenBy.b]] as const) {
      ws.on('message', (d: Buffer) => {
        const m = decodeMessage(d) as { t: string; event?: JobEvent };
        if (m.t === 'event' && m.event) seen.push(m.event);
      });
    }
    const reply = (await call(a, 1, 'register', [{ moving: '/m.vtk', fixed: '/f.vtk', mode: 'busy', ms: 30_000 }])) as { outcome: { ok: boolean; value: string } };
    assert.equal(reply.outcome.ok, true);
    const id = reply.outcome.value;
    await waitUntil(() => seenBy.a.some((e) => e.jobId === id && e.type === 'started'));
    assert.ok(events.some((e) => e.event.jobId === id && e.owner !== undefined), 'the job has an owner');
    // B asks something too: its calls run under its own owner, and it sees nothing of A's job.
    await call(b, 2, 'hostInfo', []);
    assert.deepEqual(seenBy.b, []);
    // A goes away (a tab closed or reloaded): its job is cancelled, and B still hears nothing of it.
    a.close();
    await waitUntil(() => events.some((e) => e.event.jobId === id && e.event.type === 'cancelled'));
    assert.deepEqual(seenBy.b, []);
    b.close();
  } finally {
    await own.close();
    await real.dispose();
  }
});

async function waitUntil(ready: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    assert.ok(Date.now() < deadline, 'timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
