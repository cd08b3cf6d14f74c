/**
 * Preload: the renderer's only window onto the main process, exposed through contextBridge as `window.monge`
 * (MongeBridge, main/service/api.ts): the API calls as one `call` answered with a CallOutcome, job events, and the
 * desktop host's extras (native dialogs, menu commands, paths of dropped files).
 *
 * It runs in the sandbox, where a preload may require only 'electron' and a few built-ins, so it is bundled into
 * dist/main/preload.cjs (main/build-electron.ts); it holds no logic beyond forwarding.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import type { HostCommand, JobEvent, MongeBridge } from './service/api.ts';
import { CHANNELS } from './electron/channels.ts';

/** Subscribes to a main → renderer channel; returns the unsubscribe function. */
function subscribe<T>(channel: string, listener: (value: T) => void): () => void {
  const handler = (_event: IpcRendererEvent, value: T): void => listener(value);
  ipcRenderer.on(channel, handler);
  return () => void ipcRenderer.removeListener(channel, handler);
}

const bridge: MongeBridge = {
  call: (method, args) => ipcRenderer.invoke(CHANNELS.call, method, args),
  onJobEvent: (listener) => subscribe<JobEvent>(CHANNELS.jobEvent, listener),
  host: {
    pickOpenPath: (purpose) => ipcRenderer.invoke(CHANNELS.pickOpen, purpose),
    pickSavePath: (suggestedName) => ipcRenderer.invoke(CHANNELS.pickSave, suggestedName),
    pathForFile: (file) => {
      try {
        return webUtils.getPathForFile(file as File) || undefined;
      } catch {
        return undefined;
      }
    },
    onCommand: (listener) => subscribe<HostCommand>(CHANNELS.command, listener),
  },
};

contextBridge.exposeInMainWorld('monge', bridge);
