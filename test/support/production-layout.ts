/**
 * A folder laid out as Monge is shipped (the Electron package, the container image): the app root's package.json and
 * assets/ copied, and a node_modules holding only the production dependencies (links into the repository's), so that
 * a bundle reaching for the TypeScript sources, tsx or another development package fails in tests as it would for a
 * user. Bundles go two folders below the root (dist/main, dist/cli), as core/runtime/app-files.ts expects.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from './data.ts';

export interface ProductionLayoutOptions {
  /** Also link the optional dependencies that installed (electron-builder ships them; the image omits them). */
  optional: boolean;
}

export async function productionLayout(root: string, options: ProductionLayoutOptions): Promise<void> {
  await mkdir(root, { recursive: true });
  await cp(join(REPO_ROOT, 'package.json'), join(root, 'package.json'));
  await cp(join(REPO_ROOT, 'assets'), join(root, 'assets'), { recursive: true });
  const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; optionalDependencies?: Record<string, string> };
  const names = [...Object.keys(pkg.dependencies), ...(options.optional ? Object.keys(pkg.optionalDependencies ?? {}) : [])];
  for (const name of names) {
    const installed = join(REPO_ROOT, 'node_modules', name);
    if (!existsSync(installed)) continue; // an optional dependency that did not install
    await mkdir(dirname(join(root, 'node_modules', name)), { recursive: true });
    await symlink(installed, join(root, 'node_modules', name), 'dir');
  }
}
