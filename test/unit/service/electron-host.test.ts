/**
 * The Electron host's logic that runs without Electron: the app:// handler, the security predicates, the menu
 * template, files from argv, recent files, and the bundles (main, sandboxed preload, job workers) — the bundled
 * job worker is run for real in a worker thread.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { MenuItemConstructorOptions } from 'electron';
import { PARALLEL_MIN_VOXELS } from '../../../core/field/sample-on-grid.ts';
import { defaultThreadCount } from '../../../core/runtime/index.ts';
import { extractSurface } from '../../../core/shape/index.ts';
import type { DisplayShape, JobEvent } from '../../../main/service/api.ts';
import { JobRunner } from '../../../main/service/job-runner.ts';
import { rendererHandler } from '../../../main/electron/app-protocol.ts';
import { filesFromArgv } from '../../../main/electron/argv-files.ts';
import { menuTemplate, type MenuActions } from '../../../main/electron/menu.ts';
import { loadRecent, saveRecent, withRecent } from '../../../main/electron/recent-files.ts';
import { isAllowedRequest, isAppUrl, isTrustedSender, secureWebPreferences } from '../../../main/electron/window-security.ts';
import { build } from 'esbuild';
import { buildElectron } from '../../../main/build-electron.ts';
import { ESM_BUNDLE_OPTIONS } from '../../../core/runtime/bundle.ts';
import { imageFrom, type Vec3 } from '../shape/synthetic.ts';
import { writeSyntheticPairs } from '../../integration/batch/support.ts';
import { REPO_ROOT } from '../../support/data.ts';
import { productionLayout } from '../../support/production-layout.ts';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'monge-electron-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('app:// serves only the renderer folder, with the CSP', async () => {
  const renderer = join(dir, 'renderer');
  await mkdir(renderer, { recursive: true });
  await writeFile(join(renderer, 'index.html'), '<!doctype html>');
  await writeFile(join(renderer, 'app.js'), '1');
  await writeFile(join(dir, 'secret.txt'), 'no');
  const handle = rendererHandler(renderer);
  const index = await handle(new Request('app://monge/index.html'));
  assert.equal(index.status, 200);
  assert.equal(index.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.match(index.headers.get('content-security-policy') ?? '', /^default-src 'self'; script-src 'self' 'wasm-unsafe-eval';.*connect-src 'self';/);
  assert.equal(await index.text(), '<!doctype html>');
  assert.equal((await handle(new Request('app://monge/'))).status, 200);
  for (const url of ['app://monge/../secret.txt', 'app://monge/%2e%2e/secret.txt', 'app://other/index.html', 'app://monge/missing.js']) {
    assert.equal((await handle(new Request(url))).status, 404, url);
  }
  assert.equal((await handle(new Request('app://monge/index.html', { method: 'POST', body: 'x' }))).status, 404);
});

test('security: web preferences, allowed URLs, and IPC sender validation', () => {
  const prefs = secureWebPreferences('/app/preload.cjs');
  assert.deepEqual(
    [prefs.contextIsolation, prefs.sandbox, prefs.nodeIntegration, prefs.nodeIntegrationInWorker, prefs.webSecurity, prefs.webviewTag, prefs.allowRunningInsecureContent],
    [true, true, false, false, true, false, false],
  );
  assert.equal(isAppUrl('app://monge/index.html'), true);
  assert.equal(isAppUrl('app://monge.evil/index.html'), false);
  assert.equal(isAppUrl('https://example.com'), false);
  assert.equal(isAllowedRequest('https://cdn.example.com/vtk.js'), false);
  assert.equal(isAllowedRequest('http://127.0.0.1:8000/'), false);
  assert.equal(isAllowedRequest('file:///etc/passwd'), false);
  assert.equal(isAllowedRequest('data:image/png;base64,AA'), true);

  const mainFrame = { url: 'app://monge/index.html' };
  const contents = { mainFrame };
  const window = { isDestroyed: () => false, webContents: contents };
  const trusted = (event: unknown, w: unknown = window): boolean => isTrustedSender(event as never, w as never);
  const noWindow = (event: unknown): boolean => isTrustedSender(event as never, undefined);
  assert.equal(trusted({ sender: contents, senderFrame: mainFrame }), true);
  assert.equal(trusted({ sender: {}, senderFrame: mainFrame }), false, 'another webContents');
  assert.equal(trusted({ sender: contents, senderFrame: { url: 'app://monge/index.html' } }), false, 'a subframe');
  assert.equal(trusted({ sender: contents, senderFrame: null }), false);
  const navigated = { url: 'https://evil.example/' };
  assert.equal(trusted({ sender: { mainFrame: navigated }, senderFrame: navigated }, { isDestroyed: () => false, webContents: { mainFrame: navigated } }), false, 'remote content');
  assert.equal(noWindow({ sender: contents, senderFrame: mainFrame }), false, 'no window');
  assert.equal(trusted({ sender: contents, senderFrame: mainFrame }, { isDestroyed: () => true, webContents: contents }), false, 'a closed window');
});

/** Labels of a menu level. */
const labels = (items: MenuItemConstructorOptions[] | undefined): (string | undefined)[] => (items ?? []).map((i) => i.label ?? i.role ?? i.type);

test('menus: File, View and Help with the actions, exports in every format, recent files', () => {
  const calls: unknown[][] = [];
  const record = (name: string) => (...args: unknown[]) => void calls.push([name, ...args]);
  const actions: MenuActions = {
    open: record('open'),
    openResults: record('openResults'),
    openRecent: record('openRecent'),
    clearRecent: record('clearRecent'),
    export: record('export'),
    applyToFile: record('applyToFile'),
    view: record('view'),
    register: record('register'),
    cancel: record('cancel'),
    about: record('about'),
  };
  const template = menuTemplate(actions, ['/data/b.vtk', '/data/a.nii.gz'], { isMac: false, devTools: false });
  assert.deepEqual(labels(template), ['File', 'editMenu', 'View', 'help']);
  const file = template[0].submenu as MenuItemConstructorOptions[];
  assert.deepEqual(labels(file), ['Open moving…', 'Open fixed…', 'Open landmarks', 'Open results folder…', 'Recent files', 'separator', 'Register', 'Cancel', 'separator', 'Export', 'Apply to another file…', 'separator', 'quit']);
  file[0].click?.(undefined as never, undefined, undefined as never);
  (file[2].submenu as MenuItemConstructorOptions[])[1].click?.(undefined as never, undefined, undefined as never);
  const recent = file[4].submenu as MenuItemConstructorOptions[];
  assert.deepEqual(labels(recent), ['/data/b.vtk', '/data/a.nii.gz', 'separator', 'Clear recent files']);
  recent[1].click?.(undefined as never, undefined, undefined as never);
  assert.equal(file[6].accelerator, 'CmdOrCtrl+Enter');
  assert.equal(file[6].registerAccelerator, false);
  const exports = file[9].submenu as MenuItemConstructorOptions[];
  assert.deepEqual(labels(exports), ['Displacement field', 'Warped mesh', 'Warped landmarks', 'Report (.json)…', 'Screenshot (.png)…']);
  assert.deepEqual(labels(exports[0].submenu as MenuItemConstructorOptions[]), ['.nii.gz…', '.nrrd…', '.mha…']);
  (exports[0].submenu as MenuItemConstructorOptions[])[1].click?.(undefined as never, undefined, undefined as never);
  file[10].click?.(undefined as never, undefined, undefined as never);
  const help = template[3].submenu as MenuItemConstructorOptions[];
  help[0].click?.(undefined as never, undefined, undefined as never);
  assert.deepEqual(calls, [['open', 'moving'], ['open', 'fixed-landmarks'], ['openRecent', '/data/a.nii.gz'], ['export', 'field', 'nrrd'], ['applyToFile'], ['about']]);
  const empty = menuTemplate(actions, [], { isMac: true, devTools: true });
  assert.deepEqual(labels(empty).slice(0, 2), ['appMenu', 'File']);
  assert.deepEqual(labels((empty[1].submenu as MenuItemConstructorOptions[])[4].submenu as MenuItemConstructorOptions[]), ['No recent files']);
  assert.ok(labels(empty[3].submenu as MenuItemConstructorOptions[]).includes('toggleDevTools'));
});

test('files from argv and recent files', async () => {
  const mesh = join(dir, 'lung.vtk');
  await writeFile(mesh, '');
  await writeFile(join(dir, 'notes.docx'), '');
  const argv = ['/opt/Monge/monge', '--enable-logging', 'lung.vtk', 'missing.stl', 'notes.docx', dir, ''];
  assert.deepEqual(filesFromArgv(argv, dir, 1), [mesh, dir]);
  assert.deepEqual(filesFromArgv(['electron', '.', mesh], '/', 2), [mesh]);
  // Linux desktop entries launch with %U: files arrive as file:// URLs, percent-encoded.
  const spaced = join(dir, 'left lung.vtk');
  await writeFile(spaced, '');
  const url = `file://${spaced.split('/').map(encodeURIComponent).join('/')}`;
  assert.ok(url.includes('left%20lung.vtk'));
  assert.deepEqual(filesFromArgv(['/opt/Monge/monge', url, 'https://example.org/lung.vtk', 'file://remote-host/x.vtk'], '/', 1), [spaced]);
  assert.deepEqual(withRecent(['/a', '/b', '/c'], '/b'), ['/b', '/a', '/c']);
  assert.equal(withRecent(Array.from({ length: 10 }, (_, i) => `/${i}`), '/new').length, 10);
  const store = join(dir, 'recent.json');
  assert.deepEqual(await loadRecent(store), []);
  await saveRecent(store, ['/x', '/y']);
  assert.deepEqual(await loadRecent(store), ['/x', '/y']);
  await writeFile(store, '{ not json');
  assert.deepEqual(await loadRecent(store), []);
});

/** The app as electron-builder packages it (electron-builder.yml `files`): dist/main, built here, in a production layout. */
async function packagedLayout(root: string): Promise<string> {
  await productionLayout(root, { optional: true });
  return buildElectron(join(root, 'dist', 'main'));
}

test('bundles: main, a preload that requires only electron, and job workers that run in the packaged layout', async () => {
  const root = await mkdtemp(join(tmpdir(), 'monge-packaged-'));
  try {
    const out = await packagedLayout(root);
    const preload = await readFile(join(out, 'preload.cjs'), 'utf8');
    assert.deepEqual([...new Set(preload.match(/require\("[^"]+"\)/g))], ['require("electron")']);
    assert.match(preload, /exposeInMainWorld\("monge"/);
    const main = await readFile(join(out, 'index.mjs'), 'utf8');
    assert.match(main, /from "electron"/);
    assert.match(main, /registerSchemesAsPrivileged/);
    // The bundled worker and jobs, run by the runner as the packaged app runs them.
    const jobs = new JobRunner({ workerUrl: pathToFileURL(join(out, 'job-worker.mjs')), modules: { surface: pathToFileURL(join(out, 'surface-job.mjs')) } });
    const centre: Vec3 = [0, 0, 0];
    const image = imageFrom([20, 20, 20], [1, 1, 1], Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), centre, (p) => (Math.hypot(...p) <= 7 ? 1 : 0));
    const shape = await jobs.start<DisplayShape>('surface', { image, targetVertices: 200 }).result;
    assert.equal(shape.triangles.length, (extractSurface(image, { smoothIterations: 20, targetVertices: 200 }).triangles ?? []).length);

    // A registration with every step: the pipeline, the kernel engine's worker threads and kernels.wasm, the lung
    // network's weights under assets/, the version from package.json, and itk-wasm writing the field.
    const data = join(root, 'data');
    await mkdir(data);
    await writeSyntheticPairs(data, 1);
    // Through the service as the main process bundles it, so that it finds the job worker and job by itself.
    await build({ ...ESM_BUNDLE_OPTIONS, entryPoints: { 'service-probe': 'main/service/service.ts' }, outdir: out });
    const bundled = (await import(pathToFileURL(join(out, 'service-probe.mjs')).href)) as typeof import('../../../main/service/service.ts');
    const service = new bundled.MongeService({ host: 'web', resultsRoot: root });
    const outDir = join(root, 'registered');
    try {
      const ended = new Promise<JobEvent>((resolve) => service.onJobEvent((e) => ['done', 'failed', 'cancelled'].includes(e.type) && resolve(e)));
      await service.register({ moving: join(data, 'm0.vtk'), fixed: join(data, 'f0.vtk'), outDir, preset: 'lung', fieldSpacingMm: 0.9 });
      const end = await ended;
      assert.equal(end.type, 'done', JSON.stringify(end));
      // The app then opens the folder (the main process reads the meshes and the field's header).
      const results = await service.openResultsFolder(outDir);
      assert.deepEqual(results.steps.map((s) => s.step), ['prealign', 'net', 'finetune']);
      assert.equal(results.fieldFormat, 'nii.gz');
      assert.deepEqual(results.warnings, []);
      // Export › Apply to another file runs the bundled warp job (warp-job.mjs).
      const applied = await service.applyRegistration({ resultsDir: outDir, input: { path: join(data, 'm0.vtk') } });
      assert.deepEqual([applied.kind, applied.fileName, applied.outsideField], ['mesh', 'm0_in_fixed.vtk', 0]);
      assert.ok((applied.bytes?.length ?? 0) > 0);
    } finally {
      await service.dispose();
    }
    const report = JSON.parse(await readFile(join(outDir, 'report.json'), 'utf8')) as {
      version: string;
      field: { grid: { size: number[] }; samplingThreads: number };
      engine: { engine: string; backend?: string };
      steps: { name: string; status: string }[];
      metrics: Record<string, { vertexError?: { mean: number } }>;
    };
    assert.equal(report.version, JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')).version);
    assert.deepEqual([report.engine.engine, report.engine.backend], ['cpu', 'wasm-simd']);
    assert.deepEqual(report.steps.map((s) => [s.name, s.status]), [['prealign', 'done'], ['net', 'done'], ['finetune', 'done']]);
    assert.ok(report.metrics.finetune.vertexError!.mean < report.metrics.before.vertexError!.mean / 3, JSON.stringify(report.metrics.finetune.vertexError));
    assert.ok((await stat(join(outDir, 'field.nii.gz'))).size > 0);
    // A field of over a million voxels is sampled by worker threads too (field-sample-worker.mjs) on a multi-core host.
    assert.ok(report.field.grid.size.reduce((a, b) => a * b) >= PARALLEL_MIN_VOXELS);
    assert.equal(report.field.samplingThreads, Math.min(defaultThreadCount(), 8));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
