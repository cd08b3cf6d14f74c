import { Worker } from 'node:worker_threads';

/**
 * Runs itk-wasm's image pipelines (@itk-wasm/image-io, @itk-wasm/dicom) in a worker thread, so that what the
 * WebAssembly module does on a bad file cannot harm the Monge process:
 *  - the Emscripten runtime sets `process.exitCode = 1` when a C++ exception escapes (seen with itk-wasm 1.0.0-b.201
 *    on garbage and missing files), which would make a CLI that handled the error still exit with status 1;
 *  - a wasm trap or abort, an out-of-memory in the wasm heap, or an endless loop on a corrupt header would otherwise
 *    throw from deep inside the module, or block the event loop for good.
 * In a worker, `process.exitCode` and traps belong to the worker thread; a call that does not answer within its time
 * limit has its worker terminated. Failures come back as {@link ItkWasmError}; callers turn them into InputErrors.
 *
 * One worker is kept (unreferenced while idle, so it never keeps the process alive) and reused: importing itk-wasm
 * costs ~60 ms per fresh thread. A worker that failed, timed out or exited is dropped and the next call starts anew.
 * Voxel buffers come back by transfer (no copy); `SharedArrayBuffer` is hidden in the worker so itk-wasm hands out
 * plain ArrayBuffers (which transfer, and which Electron IPC and `structuredClone` accept everywhere).
 *
 * The worker's code is plain JavaScript in a string (`eval: true`, no loader flags), so it runs the same under tsx,
 * plain Node and Electron.
 */

/** The part of itk-wasm's `Image` interface (itk-wasm/dist/interface-types/image.d.ts) that Monge uses. */
export interface ItkImage {
  imageType: { dimension: number; componentType: string; pixelType: string; components: number };
  name: string;
  origin: number[];
  spacing: number[];
  /** Row-major dimension×dimension matrix; column c = direction of index axis c (verified in the tests). */
  direction: Float64Array;
  size: number[];
  metadata: Map<string, unknown>;
  data: ArrayBufferView | null;
}

/** One itk-wasm call. `fn` names an export of the package's Node entry point. */
export type ItkWasmRequest =
  | { op: 'read'; fn: string; path: string }
  | { op: 'read-dicom-series'; files: string[] }
  | { op: 'write'; fn: string; path: string; image: ItkImage; useCompression: boolean };

export type ItkWasmResponse =
  | { ok: true; couldRead?: boolean; couldWrite?: boolean; image?: ItkImage; sortedFilenames?: string[] }
  | { ok: false; message: string };

/** itk-wasm failed, crashed, or did not answer in time. */
export class ItkWasmError extends Error {
  override readonly name = 'ItkWasmError';
  constructor(
    message: string,
    readonly timedOut = false,
  ) {
    super(message);
  }
}

const WORKER_SOURCE = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
// itk-wasm allocates its outputs as SharedArrayBuffers when the global exists; plain ArrayBuffers can be transferred.
globalThis.SharedArrayBuffer = undefined;
// itk-wasm prints C++ diagnostics: keep the last of them for the error message, never on Monge's console. (Piping
// the worker's stdio to the parent instead would keep the parent process alive while the worker idles.)
let printed = '';
const keep = (...args) => { printed = (printed + args.map(String).join(' ') + '\n').slice(-2000); };
console.log = console.error = console.warn = console.info = console.debug = keep;
for (const stream of [process.stdout, process.stderr]) {
  stream.write = (chunk, ...rest) => { keep(String(chunk)); const cb = rest.find((r) => typeof r === 'function'); if (cb) cb(); return true; };
}
const modules = new Map();
function load(url) {
  if (!modules.has(url)) modules.set(url, import(url));
  return modules.get(url);
}
function describe(e) {
  let text = e instanceof Error ? e.message || e.name
    : typeof e === 'number' ? 'ITK rejected it (a C++ exception; the release build gives no detail)'
    : String(e);
  const said = printed
    .replace(/\s+/g, ' ')
    .replace(/(stdout|stderr):/g, '')
    .replace(/Build module in Debug mode for exception message information\.?/g, '')
    .replace(/Exception while running pipeline:?/g, '')
    .trim();
  if (said !== '' && !text.includes(said)) text += '; itk-wasm printed: ' + said.slice(-500);
  return text;
}
function transferables(image) {
  const list = [];
  if (image && image.data && image.data.buffer) list.push(image.data.buffer);
  if (image && image.direction && image.direction.buffer && image.direction.buffer !== (image.data && image.data.buffer)) list.push(image.direction.buffer);
  return list;
}
parentPort.on('message', async ({ id, request }) => {
  printed = '';
  try {
    let answer;
    if (request.op === 'read') {
      const io = await load(workerData.imageIoUrl);
      const r = await io[request.fn](request.path);
      answer = { ok: true, couldRead: !!r.couldRead, image: r.couldRead ? r.image : undefined };
    } else if (request.op === 'read-dicom-series') {
      const dicom = await load(workerData.dicomUrl);
      const r = await dicom.readImageDicomFileSeriesNode({ inputImages: request.files });
      answer = { ok: true, couldRead: !!r.outputImage, image: r.outputImage, sortedFilenames: r.sortedFilenames };
    } else if (request.op === 'write') {
      const io = await load(workerData.imageIoUrl);
      const r = await io[request.fn](request.image, request.path, { useCompression: request.useCompression });
      answer = { ok: true, couldWrite: !!r.couldWrite };
    } else {
      answer = { ok: false, message: 'unknown request ' + request.op };
    }
    parentPort.postMessage({ id, answer }, answer.image ? transferables(answer.image) : []);
  } catch (e) {
    parentPort.postMessage({ id, answer: { ok: false, message: describe(e) } });
  }
});
`;

interface Pending {
  id: number;
  worker: Worker;
  resolve: (answer: ItkWasmResponse) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

let worker: Worker | undefined;
let pending: Pending | undefined;
let nextId = 1;
/** Calls wait their turn: the worker runs one pipeline at a time. */
let queue: Promise<unknown> = Promise.resolve();

function dropWorker(w: Worker): void {
  if (worker === w) worker = undefined;
  void w.terminate().catch(() => undefined);
}

/** Drops worker `w` and rejects the call it was running, if any (a late event of an old worker touches nothing). */
function failPending(w: Worker, error: Error): void {
  dropWorker(w);
  const p = pending;
  if (!p || p.worker !== w) return;
  pending = undefined;
  clearTimeout(p.timer);
  p.reject(error);
}

function startWorker(): Worker {
  const w = new Worker(WORKER_SOURCE, {
    eval: true,
    execArgv: [],
    workerData: {
      imageIoUrl: import.meta.resolve('@itk-wasm/image-io'),
      dicomUrl: import.meta.resolve('@itk-wasm/dicom'),
    },
  });
  w.on('message', (msg: { id: number; answer: ItkWasmResponse }) => {
    const p = pending;
    if (!p || p.id !== msg.id) return;
    pending = undefined;
    clearTimeout(p.timer);
    w.unref();
    p.resolve(msg.answer);
  });
  w.on('error', (e) => failPending(w, new ItkWasmError(`itk-wasm crashed: ${e.message}`)));
  w.on('exit', (code) => failPending(w, new ItkWasmError(`itk-wasm's worker exited (code ${code})`)));
  w.unref();
  return w;
}

/** Default time limit: generous for a slow disk, yet finite so a corrupt file cannot hang Monge. */
export function defaultTimeoutMs(bytes: number): number {
  return 60_000 + Math.ceil(bytes / (10 * 1024 * 1024)) * 1_000;
}

function runNow(request: ItkWasmRequest, timeoutMs: number, transfer: ArrayBuffer[], signal?: AbortSignal): Promise<ItkWasmResponse> {
  return new Promise<ItkWasmResponse>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new ItkWasmError('cancelled'));
      return;
    }
    const w = worker ?? (worker = startWorker());
    const id = nextId++;
    const onAbort = (): void => failPending(w, new ItkWasmError('cancelled'));
    const timer = setTimeout(() => {
      const limit = timeoutMs < 10_000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`;
      failPending(w, new ItkWasmError(`itk-wasm did not finish within ${limit}`, true));
    }, timeoutMs);
    const settle = <T>(f: (value: T) => void) => (value: T): void => {
      signal?.removeEventListener('abort', onAbort);
      f(value);
    };
    pending = { id, worker: w, resolve: settle(resolve), reject: settle(reject), timer };
    signal?.addEventListener('abort', onAbort, { once: true });
    w.ref();
    try {
      w.postMessage({ id, request }, transfer);
    } catch (e) {
      failPending(w, new ItkWasmError(`could not hand the request to itk-wasm: ${(e as Error).message}`));
    }
  });
}

/**
 * Runs one itk-wasm call in the worker and resolves with its answer; rejects with ItkWasmError when the worker
 * crashes, exits or exceeds `timeoutMs`, or when `signal` aborts (a running call then has its worker terminated, so a
 * caller that no longer needs the answer does not make later calls wait). `transfer` lists buffers to move (not
 * copy) into the worker; they are detached afterwards.
 */
export function runItkWasm(
  request: ItkWasmRequest,
  timeoutMs: number,
  transfer: ArrayBuffer[] = [],
  signal?: AbortSignal,
): Promise<ItkWasmResponse> {
  const run = queue.then(() => runNow(request, timeoutMs, transfer, signal));
  queue = run.catch(() => undefined);
  return run;
}

/** Stops the worker (it is restarted on the next call); for tests and orderly shutdown. */
export async function stopItkWasmWorker(): Promise<void> {
  const w = worker;
  worker = undefined;
  if (w) await w.terminate();
}
