/**
 * Electron main process: a thin adapter over the service (main/service), like the web host. It owns what only a
 * desktop app has: one window, one instance, menus, native dialogs, files handed over by the OS, and Electron's
 * security checklist (electron/window-security.ts). API calls go through the shared dispatcher (electron/ipc.ts).
 *
 * Layout at run time (main/build-electron.ts bundles it): dist/main/index.mjs (this file), dist/main/preload.cjs,
 * dist/main/job-worker.mjs, the job modules dist/main/*-job.mjs and the kernel threads' cpu-worker.mjs and
 * kernels.wasm (worker threads, found by core/runtime/app-files.ts), dist/renderer/ (served as app://monge/).
 */
import { app, BrowserWindow, dialog, Menu, protocol, session } from 'electron';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostCommand, JobEvent } from './service/api.ts';
import { MongeService } from './service/service.ts';
import { APP_ORIGIN, APP_SCHEME, CHANNELS } from './electron/channels.ts';
import { APP_SCHEME_PRIVILEGES, rendererHandler } from './electron/app-protocol.ts';
import { filesFromArgv } from './electron/argv-files.ts';
import { registerIpc } from './electron/ipc.ts';
import { menuTemplate, type MenuActions } from './electron/menu.ts';
import { loadRecent, saveRecent, withRecent } from './electron/recent-files.ts';
import { hardenSession, hardenWindow, secureWebPreferences } from './electron/window-security.ts';
import { pickOpenPath } from './electron/dialogs.ts';

const here = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));
const RENDERER_DIR = here('../renderer/');
const PRELOAD = here('./preload.cjs');

// Privileged schemes must be declared before the app is ready.
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

let window: BrowserWindow | undefined;
let rendererReady = false;
const pendingCommands: HostCommand[] = [];
let recent: string[] = [];
const recentFile = (): string => join(app.getPath('userData'), 'recent-files.json');

/** Sends a command to the renderer, or keeps it until the page has loaded. */
function send(command: HostCommand): void {
  if (window && rendererReady) window.webContents.send(CHANNELS.command, command);
  else pendingCommands.push(command);
}

/** Opens files handed over by the OS: folders as results, files by what they hold ('auto'). */
function openPaths(paths: string[]): void {
  for (const path of paths.filter((p) => existsSync(p))) send(statSync(path).isDirectory() ? { type: 'open-results', path } : { type: 'open', role: 'auto', path });
}

function rebuildMenu(): void {
  const actions: MenuActions = {
    open: (role) => {
      if (!window) return;
      void pickOpenPath(window, role === 'moving' || role === 'fixed' ? role : 'landmarks').then((path) => path && send({ type: 'open', role, path }));
    },
    openResults: () => {
      if (window) void pickOpenPath(window, 'results').then((path) => path && send({ type: 'open-results', path }));
    },
    openRecent: (path) => (existsSync(path) ? openPaths([path]) : void dialog.showErrorBox('Monge', `${path} is no longer there.`)),
    clearRecent: () => void setRecent([]),
    export: (kind, format) => send({ type: 'export', kind, ...(format ? { format } : {}) }),
    applyToFile: () => {
      if (window) void pickOpenPath(window, 'apply').then((path) => path && send({ type: 'apply', path }));
    },
    view: (action) => send({ type: 'view', action }),
    register: () => send({ type: 'register' }),
    cancel: () => send({ type: 'cancel' }),
    about: () => void showAbout(),
  };
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(actions, recent, { isMac: process.platform === 'darwin', devTools: !app.isPackaged })));
}

async function setRecent(list: string[]): Promise<void> {
  recent = list;
  rebuildMenu();
  await saveRecent(recentFile(), list).catch(() => undefined);
}

let service: MongeService;

async function showAbout(): Promise<void> {
  const info = await service.hostInfo();
  const versions = Object.entries(info.versions)
    .map(([k, v]) => `${k} ${v}`)
    .join('\n');
  await dialog.showMessageBox({
    type: 'info',
    title: 'About Monge',
    message: `Monge ${info.mongeVersion}`,
    detail: `Optimal-transport registration of medical shapes.\n\nCompute engine: ${info.engine.name} — ${info.engine.description}\n\n${versions}\n${info.platform}`,
  });
}

function createWindow(): BrowserWindow {
  const created = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'Monge',
    show: false,
    backgroundColor: '#1b1d22',
    webPreferences: secureWebPreferences(PRELOAD),
  });
  hardenWindow(created);
  created.once('ready-to-show', () => created.show());
  created.webContents.on('did-finish-load', () => {
    rendererReady = true;
    for (const command of pendingCommands.splice(0)) created.webContents.send(CHANNELS.command, command);
  });
  created.on('closed', () => {
    window = undefined;
    rendererReady = false;
  });
  void created.loadURL(`${APP_ORIGIN}/index.html`);
  return created;
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  // macOS hands files over by event, possibly before the app is ready.
  app.on('open-file', (event, path) => {
    event.preventDefault();
    openPaths([path]);
  });
  app.on('second-instance', (_event, argv, workingDirectory) => {
    openPaths(filesFromArgv(argv, workingDirectory, app.isPackaged ? 1 : 2));
    if (window?.isMinimized()) window.restore();
    window?.focus();
  });
  app.on('window-all-closed', () => app.quit());
  // A registration still running is cancelled and its partial output folder removed before the app exits (quitting
  // would otherwise end the process while the folder is being deleted): the first quit waits for that, then quits again.
  let disposed = false;
  app.on('before-quit', (event) => {
    if (disposed || !service) return;
    event.preventDefault();
    disposed = true;
    void service.dispose().finally(() => app.quit());
  });

  void app.whenReady().then(async () => {
    // The job worker and job modules are found beside this bundle (core/runtime/app-files.ts).
    service = new MongeService({
      host: 'electron',
      resultsRoot: join(app.getPath('documents'), 'Monge results'),
      mongeVersion: app.getVersion(),
      versions: { electron: process.versions.electron ?? '', chrome: process.versions.chrome ?? '' },
    });
    service.onJobEvent((event: JobEvent) => {
      if (window && !window.isDestroyed()) window.webContents.send(CHANNELS.jobEvent, event);
    });
    hardenSession(session.defaultSession);
    protocol.handle(APP_SCHEME, rendererHandler(RENDERER_DIR));
    recent = await loadRecent(recentFile());
    registerIpc({
      service,
      window: () => window,
      onOpened: (path) => {
        app.addRecentDocument(path);
        void setRecent(withRecent(recent, path));
      },
    });
    rebuildMenu();
    window = createWindow();
    openPaths(filesFromArgv(process.argv, process.cwd(), app.isPackaged ? 1 : 2));
  });
}
