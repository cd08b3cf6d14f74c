/**
 * What the page's controls, keys and drops and the host's menu commands ask of the app. App implements it; the
 * wiring modules (toolbar, panel controls, keyboard, drag and drop, host commands) reach the panels only through it.
 */
import type { ExportKind, FileSource, MongeClient } from '../../../main/service/api.ts';
import type { Messages } from '../messages.ts';
import type { Role } from './input-files.ts';
import type { Scene } from './scene.ts';

export interface AppActions {
  readonly client: MongeClient;
  readonly messages: Messages;
  readonly scene: Scene;
  /** Whether any job is running (Escape has something to cancel). */
  readonly jobsRunning: boolean;
  open(role: Role | 'prior' | 'auto', source: FileSource): Promise<void>;
  /** Opens a picked or dropped File: its host path on the desktop, else its bytes. */
  openDropped(file: File, role: Role | 'prior' | 'auto'): Promise<void>;
  openResults(path: string): Promise<void>;
  clearPrior(): void;
  /** Label or Threshold changed: the volume inputs' surfaces are extracted again with it. */
  reselectVolumes(): Promise<void>;
  register(): Promise<void>;
  cancelAll(): Promise<void>;
  export(kind: ExportKind, format?: string): Promise<void>;
  applyToFile(source: FileSource): Promise<void>;
  about(): Promise<void>;
}
