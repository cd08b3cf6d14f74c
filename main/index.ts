/**
 * Electron main process: one window, single instance, and Electron's security checklist (context isolation,
 * sandbox, no Node in the renderer, navigation and new windows blocked). The registration service and the
 * menus arrive with the desktop-app work; this adapter stays thin over them.
 */
import { app, BrowserWindow, shell } from 'electron';
import { fileURLToPath } from 'node:url';

const RENDERER_HTML = fileURLToPath(new URL('../renderer/index.html', import.meta.url));
const PRELOAD = fileURLToPath(new URL('./preload.cjs', import.meta.url));

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'Monge',
    webPreferences: {
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      preload: PRELOAD,
    },
  });
  // No remote content: navigation away from the bundled renderer and new windows are refused.
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  void window.loadFile(RENDERER_HTML);
  return window;
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let mainWindow: BrowserWindow | undefined;
  app.on('second-instance', () => {
    if (mainWindow?.isMinimized()) mainWindow.restore();
    mainWindow?.focus();
  });
  void app.whenReady().then(() => {
    mainWindow = createWindow();
  });
  app.on('window-all-closed', () => app.quit());
}
