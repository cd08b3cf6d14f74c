/**
 * The Electron host's IPC: the renderer's API calls go to the shared dispatcher (main/service/dispatcher.ts), the
 * same one the web host uses; dialogs are answered here. Every handler first checks that the call comes from the
 * app's window (window-security.ts isTrustedSender).
 */
import { ipcMain, type BrowserWindow } from 'electron';
import { OPEN_PURPOSES, type CallOutcome, type MongeApi, type OpenPurpose } from '../service/api.ts';
import { dispatch } from '../service/dispatcher.ts';
import { CHANNELS } from './channels.ts';
import { pickOpenPath, pickSavePath } from './dialogs.ts';
import { isTrustedSender } from './window-security.ts';

export interface IpcOptions {
  service: MongeApi;
  window(): BrowserWindow | undefined;
  /** A file or folder was opened by path (for File › Recent files). */
  onOpened(path: string): void;
}

const REFUSED: CallOutcome = { ok: false, error: { name: 'Error', message: "refused: the call does not come from Monge's window" } };

/** The path an openFile / openResultsFolder call opened, if it was by path. */
function openedPath(method: unknown, args: unknown): string | undefined {
  if (!Array.isArray(args)) return undefined;
  if (method === 'openResultsFolder' && typeof args[0] === 'string') return args[0];
  const source = args[0] as { path?: unknown } | undefined;
  return method === 'openFile' && typeof source?.path === 'string' ? source.path : undefined;
}

export function registerIpc(options: IpcOptions): () => void {
  ipcMain.handle(CHANNELS.call, async (event, method: unknown, args: unknown): Promise<CallOutcome> => {
    if (!isTrustedSender(event, options.window())) return REFUSED;
    const outcome = await dispatch(options.service, method, args);
    const path = outcome.ok ? openedPath(method, args) : undefined;
    if (path !== undefined) options.onOpened(path);
    return outcome;
  });
  ipcMain.handle(CHANNELS.pickOpen, async (event, purpose: unknown): Promise<string | undefined> => {
    const window = options.window();
    if (!window || !isTrustedSender(event, window) || !OPEN_PURPOSES.includes(purpose as OpenPurpose)) return undefined;
    return pickOpenPath(window, purpose as OpenPurpose);
  });
  ipcMain.handle(CHANNELS.pickSave, async (event, suggestedName: unknown): Promise<string | undefined> => {
    const window = options.window();
    if (!window || !isTrustedSender(event, window) || typeof suggestedName !== 'string') return undefined;
    return pickSavePath(window, suggestedName.replace(/[\\/]/g, '_'));
  });
  return () => {
    for (const channel of [CHANNELS.call, CHANNELS.pickOpen, CHANNELS.pickSave]) ipcMain.removeHandler(channel);
  };
}
