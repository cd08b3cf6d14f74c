/**
 * The one place that maps a call arriving at a host (an IPC invoke, a WebSocket message) onto the service: it
 * accepts only the API's method names, checks the arguments' shape (they come from a renderer, which a host must
 * not trust blindly), runs the call, and turns the result or the error into a CallOutcome (an error in the app's
 * words: app-words.ts). Both hosts use it, so neither duplicates any of this.
 */
import { API_METHODS, EXPORT_KINDS, type ApiMethod, type CallOutcome, type MongeApi } from './api.ts';
import { errorInAppWords } from './app-words.ts';
import { toErrorInfo } from './error-info.ts';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optionalObject = (v: unknown): boolean => v === undefined || isObject(v);

/** Why `source` is not a FileSource ({ path } or { name, bytes }), or undefined when it is one. */
function fileSourceProblem(source: unknown): string | undefined {
  if (isObject(source) && typeof source.path === 'string') return undefined;
  if (isObject(source) && typeof source.name === 'string' && source.bytes instanceof Uint8Array) return undefined;
  return 'needs { path } or { name, bytes }';
}

/** Why the arguments of `method` are unacceptable, or undefined when they are fine. */
function argumentProblem(method: ApiMethod, args: unknown[]): string | undefined {
  switch (method) {
    case 'hostInfo':
      return args.length === 0 ? undefined : 'takes no arguments';
    case 'openFile': {
      const [source, options] = args;
      if (args.length > 2 || !optionalObject(options)) return 'takes a file source and optional options';
      return fileSourceProblem(source);
    }
    case 'openPrior':
      return args.length === 1 ? fileSourceProblem(args[0]) : 'takes one file source';
    case 'register': {
      const [request] = args;
      return args.length === 1 && isObject(request) && typeof request.moving === 'string' && typeof request.fixed === 'string'
        ? undefined
        : 'needs a request with moving and fixed paths';
    }
    case 'cancel':
    case 'openResultsFolder':
      return args.length === 1 && typeof args[0] === 'string' ? undefined : 'takes one string';
    case 'exportResult': {
      const [request] = args;
      return args.length === 1 && isObject(request) && (EXPORT_KINDS as readonly unknown[]).includes(request.kind)
        ? undefined
        : `needs a request with a kind among ${EXPORT_KINDS.join(', ')}`;
    }
    case 'applyRegistration': {
      const [request] = args;
      if (args.length !== 1 || !isObject(request) || typeof request.resultsDir !== 'string') return 'needs a request with a results folder and an input file';
      if (request.destination !== undefined && typeof request.destination !== 'string') return 'destination must be a path';
      if (request.inverse !== undefined && typeof request.inverse !== 'boolean') return 'inverse must be true or false';
      return fileSourceProblem(request.input);
    }
  }
}

/** Runs one call from a host on `api`. Never throws: every failure comes back as an outcome. */
export async function dispatch(api: MongeApi, method: unknown, args: unknown): Promise<CallOutcome> {
  if (typeof method !== 'string' || !(API_METHODS as readonly string[]).includes(method)) {
    return { ok: false, error: { name: 'Error', message: `unknown call "${String(method)}"` } };
  }
  const list = args === undefined ? [] : args;
  if (!Array.isArray(list)) return { ok: false, error: { name: 'Error', message: `${method}: arguments must be a list` } };
  const problem = argumentProblem(method as ApiMethod, list);
  if (problem !== undefined) return { ok: false, error: { name: 'Error', message: `${method}: ${problem}` } };
  try {
    const fn = api[method as ApiMethod] as (...a: unknown[]) => Promise<unknown>;
    return { ok: true, value: await fn.apply(api, list) };
  } catch (error) {
    return { ok: false, error: errorInAppWords(toErrorInfo(error)) };
  }
}
