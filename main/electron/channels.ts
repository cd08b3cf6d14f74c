/** IPC channel names between the Electron main process (main/index.ts, ipc.ts) and the preload (main/preload.ts). */
export const CHANNELS = {
  /** renderer → main, invoke: one API call (method, args) → CallOutcome. */
  call: 'monge:call',
  /** renderer → main, invoke: a native open dialog (purpose) → path | undefined. */
  pickOpen: 'monge:pick-open',
  /** renderer → main, invoke: a native save dialog (suggested name) → path | undefined. */
  pickSave: 'monge:pick-save',
  /** main → renderer: a JobEvent. */
  jobEvent: 'monge:job-event',
  /** main → renderer: a HostCommand (menus, files from the OS). */
  command: 'monge:command',
} as const;

/** The custom scheme the renderer is served from (never file://: see app-protocol.ts). */
export const APP_SCHEME = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://monge`;
