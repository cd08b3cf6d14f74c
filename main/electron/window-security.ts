/**
 * Electron's security checklist (electronjs.org/docs/latest/tutorial/security) applied to Monge's one window:
 *  - webPreferences: context isolation, sandboxed renderer, no Node integration (nor in workers or subframes), web
 *    security on, no <webview>, no insecure content, spell-checker off (it would fetch dictionaries);
 *  - navigation is refused (a single-page app never navigates), redirects away from its origin too, new windows are denied, <webview>
 *    attachment is refused;
 *  - no remote content: the session cancels every request that is not to the app's own scheme (or devtools,
 *    data: and blob:), and denies every permission request (camera, notifications, …);
 *  - IPC: a call is answered only when it comes from the main frame of this window showing the app's origin.
 */
import type { BrowserWindow, IpcMainInvokeEvent, Session, WebPreferences } from 'electron';
import { APP_ORIGIN } from './channels.ts';

export function secureWebPreferences(preload: string): WebPreferences {
  return {
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
    navigateOnDragDrop: false,
    preload,
  };
}

/** True for URLs of the app's own origin (`app://monge/…`; WHATWG URL gives custom schemes no origin, so by prefix). */
export function isAppUrl(url: string): boolean {
  return url === APP_ORIGIN || url.startsWith(`${APP_ORIGIN}/`);
}

/** URLs the renderer's session may load: its own files, and in-memory data. */
export function isAllowedRequest(url: string): boolean {
  return isAppUrl(url) || url.startsWith('devtools://') || url.startsWith('data:') || url.startsWith('blob:');
}

/** True when an IPC call comes from this window's main frame showing the app. */
export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>, window: BrowserWindow | undefined): boolean {
  if (!window || window.isDestroyed() || event.sender !== window.webContents) return false;
  const frame = event.senderFrame;
  return frame !== null && frame === window.webContents.mainFrame && isAppUrl(frame.url);
}

export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isAllowedRequest(details.url) }));
}

export function hardenWindow(window: BrowserWindow): void {
  const contents = window.webContents;
  // A single-page app: it never navigates (dropped files are read, not opened as pages).
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}
