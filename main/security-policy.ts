/**
 * What both hosts serve the renderer with: its Content Security Policy (only the app's own files, plus
 * WebAssembly compilation — `'wasm-unsafe-eval'`, never `'unsafe-eval'`), the content types of its files, and the
 * one way a request path becomes a file (inside the renderer folder, no hidden files, no `..`).
 */
import { extname, resolve, sep } from 'node:path';

/** The CSP; `connect` adds sources the page may connect to besides 'self' (the web host's WebSocket). */
export function contentSecurityPolicy(connect: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    `connect-src ${["'self'", ...connect].join(' ')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** The file a URL path names inside `rendererDir` ('/' is index.html), or undefined when it names none there. */
export function rendererFile(rendererDir: string, urlPath: string): string | undefined {
  let name: string;
  try {
    name = urlPath === '/' || urlPath === '' ? 'index.html' : decodeURIComponent(urlPath.replace(/^\/+/, ''));
  } catch {
    return undefined;
  }
  if (name.includes('\0') || name.split(/[\\/]/).some((part) => part.startsWith('.'))) return undefined;
  const root = resolve(rendererDir);
  const file = resolve(root, name);
  return file.startsWith(root + sep) ? file : undefined;
}
