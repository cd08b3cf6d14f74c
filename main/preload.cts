/**
 * Preload: the renderer's only window onto the main process, a small typed API exposed through contextBridge.
 * It grows with the desktop-app work (open files, register, progress, cancel, export).
 */
import { contextBridge } from 'electron';

export interface MongeBridge {
  versions: { electron: string; chrome: string; node: string };
}

const bridge: MongeBridge = {
  versions: {
    electron: process.versions.electron ?? '',
    chrome: process.versions.chrome ?? '',
    node: process.versions.node,
  },
};

contextBridge.exposeInMainWorld('monge', bridge);
