/**
 * The application menu: File (open moving / fixed / landmarks / results folder, export, recent files), View and
 * Help (About). Built as a template from actions so that it is tested without Electron; main/index.ts turns it into
 * a Menu. Register and Cancel show their shortcuts (Ctrl+Enter, Esc) but leave the keys to the renderer, which
 * handles them itself (also in the web host).
 */
import type { MenuItemConstructorOptions } from 'electron';
import { EXPORT_FORMATS, type ExportKind } from '../service/api.ts';

export interface MenuActions {
  open(role: 'moving' | 'fixed' | 'moving-landmarks' | 'fixed-landmarks'): void;
  openResults(): void;
  openRecent(path: string): void;
  clearRecent(): void;
  export(kind: ExportKind, format?: string): void;
  /** Export › Apply to another file: carry a file through the results' field (the renderer does the work). */
  applyToFile(): void;
  view(action: 'reset-camera' | 'toggle-split' | 'toggle-slices'): void;
  register(): void;
  cancel(): void;
  about(): void;
}

const EXPORT_LABELS: Record<ExportKind, string> = {
  field: 'Displacement field',
  'warped-mesh': 'Warped mesh',
  'warped-landmarks': 'Warped landmarks',
  report: 'Report',
  screenshot: 'Screenshot',
};

/** The menu template. `recent` newest first; `isMac` adds the macOS app menu. */
export function menuTemplate(actions: MenuActions, recent: readonly string[], options: { isMac: boolean; devTools: boolean }): MenuItemConstructorOptions[] {
  const exportItems: MenuItemConstructorOptions[] = (Object.keys(EXPORT_LABELS) as ExportKind[]).map((kind) => {
    const formats = EXPORT_FORMATS[kind];
    if (formats.length === 1) return { label: `${EXPORT_LABELS[kind]} (.${formats[0]})…`, click: () => actions.export(kind, formats[0]) };
    return { label: EXPORT_LABELS[kind], submenu: formats.map((format) => ({ label: `.${format}…`, click: () => actions.export(kind, format) })) };
  });
  const recentItems: MenuItemConstructorOptions[] =
    recent.length === 0
      ? [{ label: 'No recent files', enabled: false }]
      : [...recent.map((path) => ({ label: path, click: () => actions.openRecent(path) })), { type: 'separator' }, { label: 'Clear recent files', click: () => actions.clearRecent() }];
  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      { label: 'Open moving…', accelerator: 'CmdOrCtrl+O', click: () => actions.open('moving') },
      { label: 'Open fixed…', accelerator: 'CmdOrCtrl+Shift+O', click: () => actions.open('fixed') },
      {
        label: 'Open landmarks',
        submenu: [
          { label: 'Moving landmarks…', click: () => actions.open('moving-landmarks') },
          { label: 'Fixed landmarks…', click: () => actions.open('fixed-landmarks') },
        ],
      },
      { label: 'Open results folder…', accelerator: 'CmdOrCtrl+Shift+R', click: () => actions.openResults() },
      { label: 'Recent files', submenu: recentItems },
      { type: 'separator' },
      { label: 'Register', accelerator: 'CmdOrCtrl+Enter', registerAccelerator: false, click: () => actions.register() },
      { label: 'Cancel', accelerator: 'Escape', registerAccelerator: false, click: () => actions.cancel() },
      { type: 'separator' },
      { label: 'Export', submenu: exportItems },
      { label: 'Apply to another file…', click: () => actions.applyToFile() },
      { type: 'separator' },
      options.isMac ? { role: 'close' } : { role: 'quit' },
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      { label: 'Reset camera', click: () => actions.view('reset-camera') },
      { label: 'Before | after side by side', click: () => actions.view('toggle-split') },
      { label: 'Show or hide slices', click: () => actions.view('toggle-slices') },
      { type: 'separator' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
      ...(options.devTools ? [{ role: 'toggleDevTools' } as MenuItemConstructorOptions] : []),
    ],
  };
  const help: MenuItemConstructorOptions = { role: 'help', submenu: [{ label: 'About Monge', click: () => actions.about() }] };
  const mac: MenuItemConstructorOptions[] = options.isMac ? [{ role: 'appMenu' }] : [];
  return [...mac, file, { role: 'editMenu' }, view, help];
}
