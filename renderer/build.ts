/**
 * Builds the renderer with esbuild into dist/renderer: app.js (one bundle with vtk.js; no CDN, nothing fetched at
 * run time), app.css and index.html. `npm run build:renderer` runs it; the web host and the end-to-end tests call
 * ensureRendererBuilt(), which rebuilds only when a source the last bundle was made from (esbuild's metafile
 * lists them) is newer than the bundle.
 */
import { build } from 'esbuild';
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(HERE, '..');
export const RENDERER_OUT = join(REPO_ROOT, 'dist', 'renderer');
const STATIC_FILES = ['index.html', 'app.css'];
const META = 'build-meta.json';

export interface BuildOptions {
  minify?: boolean;
}

/** Bundles the renderer; returns the output folder. */
export async function buildRenderer(options: BuildOptions = {}): Promise<string> {
  await mkdir(RENDERER_OUT, { recursive: true });
  const result = await build({
    entryPoints: [join(HERE, 'src', 'main.ts')],
    outfile: join(RENDERER_OUT, 'app.js'),
    absWorkingDir: REPO_ROOT,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome120'],
    minify: options.minify ?? true,
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
    legalComments: 'linked',
  });
  for (const name of STATIC_FILES) await copyFile(join(HERE, name), join(RENDERER_OUT, name));
  // Inputs such as `(disabled):crypto` (a Node module a browser package opts out of) are not files.
  const files = Object.keys(result.metafile.inputs).filter((p) => !/^\([a-z-]+\):/.test(p));
  const inputs = [...files.map((p) => resolve(REPO_ROOT, p)), ...STATIC_FILES.map((n) => join(HERE, n))];
  await writeFile(join(RENDERER_OUT, META), JSON.stringify({ builtAt: Date.now(), inputs }));
  return RENDERER_OUT;
}

/** True when the bundle is missing or a source it was built from changed since. */
export async function rendererIsStale(): Promise<boolean> {
  let meta: { builtAt: number; inputs: string[] };
  try {
    meta = JSON.parse(await readFile(join(RENDERER_OUT, META), 'utf8')) as { builtAt: number; inputs: string[] };
    for (const name of [...STATIC_FILES, 'app.js']) await stat(join(RENDERER_OUT, name));
  } catch {
    return true;
  }
  for (const input of meta.inputs) {
    const info = await stat(input).catch(() => undefined);
    if (!info || info.mtimeMs > meta.builtAt) return true;
  }
  return false;
}

/** Builds the renderer unless an up-to-date bundle is there. */
export async function ensureRendererBuilt(): Promise<{ built: boolean; dir: string }> {
  if (!(await rendererIsStale())) return { built: false, dir: RENDERER_OUT };
  return { built: true, dir: await buildRenderer() };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = await buildRenderer({ minify: !process.argv.includes('--dev') });
  process.stderr.write(`renderer built in ${dir}\n`);
}
