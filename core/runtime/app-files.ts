/**
 * Where Monge's own files are at run time. The same code runs in two layouts:
 *  - the sources, through tsx (the CLI, the tests, the web host): each module is core/<area>/<file>.ts, and a worker
 *    thread starts from a .mjs bootstrap that loads its .ts through tsx;
 *  - the bundles (core/runtime/bundle.ts): the Electron side in dist/main/ (main/build-electron.ts) and the command
 *    in dist/cli/ (core/cli/build-cli.ts). Each entry (main process, command, job or batch worker, kernel or sampling
 *    thread) is one .mjs file with what it imports inlined, so `import.meta.url` in inlined code is the ENTRY's URL,
 *    and tsx — a development dependency — is not shipped.
 * Every layout is two folders below the root that holds package.json and assets/ (core/runtime/, dist/main/,
 * dist/cli/), so that root is '../../' from here in any.
 */

/**
 * True in the bundles, false when the TypeScript sources run. The path, not the whole URL: modules loaded
 * through tsx's scoped API (the worker bootstraps) carry a query (`?tsx-namespace=…`).
 */
export const BUNDLED: boolean = !new URL(import.meta.url).pathname.endsWith('.ts');

/** The folder holding package.json and assets/: the repository, or the packaged app's root. */
export const APP_ROOT: URL = new URL('../../', import.meta.url);

/** A file under APP_ROOT, e.g. appFile('assets/models'). */
export function appFile(relative: string): URL {
  return new URL(relative, APP_ROOT);
}

/**
 * A file that exists in one form per layout: in the bundles `bundledName` beside the entries (a worker entry or a
 * copied binary, see core/runtime/bundle.ts), in the sources `source` (a bootstrap .mjs, a .ts module,
 * a committed binary).
 */
export function runtimeFile(bundledName: string, source: URL): URL {
  return BUNDLED ? new URL(`./${bundledName}`, import.meta.url) : source;
}
