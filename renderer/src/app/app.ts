/**
 * The user interface's coordinator: builds the panels (inputs, results, scene, progress, registration, export) around
 * the MongeClient (Electron's bridge or the web host), wires the page's controls, keys, drops and the host's commands
 * to them, and keeps the buttons in step with what is open and running. Each panel holds its own state.
 *
 * Flow: open moving and fixed (files, drops, paths on the host) → Register (Ctrl+Enter) runs a job whose progress
 * fills the progress panel (Cancel / Escape stops it) → its output folder opens as results: warped shape coloured
 * by displacement, confidence or distance, metrics, steps, before/after, exports. A finished folder can also be
 * opened directly. Every failure becomes a message naming the file; the views keep what they showed.
 */
import type { ExportKind, FileSource, JobEvent, MongeClient } from '../../../main/service/api.ts';
import { Messages } from '../messages.ts';
import { showAbout } from './about.ts';
import type { AppActions } from './actions.ts';
import { ApplyToFile } from './apply-to-file.ts';
import { byId } from './dom.ts';
import { wireDragAndDrop } from './drag-and-drop.ts';
import { ExportPanel } from './export.ts';
import { runHostCommand } from './host-commands.ts';
import { type Role, sourceOfFile } from './input-files.ts';
import { InputsPanel } from './inputs.ts';
import { JobProgress } from './job-progress.ts';
import { wireKeyboard } from './keyboard.ts';
import { wirePanelControls } from './panel-controls.ts';
import { RegisterJob } from './register-job.ts';
import { ResultsPanel } from './results.ts';
import { Scene } from './scene.ts';
import { wireToolbar } from './toolbar.ts';

export class App implements AppActions {
  readonly messages = new Messages(byId('messages'));
  readonly scene: Scene;
  private readonly inputs: InputsPanel;
  private readonly results: ResultsPanel;
  private readonly jobs: JobProgress;
  private readonly registration: RegisterJob;
  private readonly exports: ExportPanel;
  private readonly applying: ApplyToFile;

  constructor(readonly client: MongeClient) {
    this.scene = new Scene(() => ({ inputs: this.inputs.files, results: this.results.current }));
    this.results = new ResultsPanel(client, this.messages, this.scene, () => this.updateButtons());
    this.inputs = new InputsPanel(client, this.messages, this.results, this.scene, () => this.updateButtons());
    this.jobs = new JobProgress(client, this.messages);
    this.registration = new RegisterJob(client, this.messages, this.inputs, this.results, () => this.updateButtons());
    this.exports = new ExportPanel(client, this.messages, this.scene.view, this.results);
    this.applying = new ApplyToFile(client, this.messages, this.results);
    client.onJobEvent((event) => this.onJobEvent(event));
    client.host?.onCommand((command) => void runHostCommand(this, command));
    wireToolbar(this);
    wirePanelControls(this);
    wireKeyboard(this);
    wireDragAndDrop(this);
    this.updateButtons();
    document.body.dataset.ready = 'true';
  }

  /** Errors from outside the app's own handlers (a lost connection). */
  error(text: string): void {
    this.messages.error(text);
  }

  /**
   * The host is gone (`npm run web` stopped, the machine asleep): its jobs died with it, so none is shown running any
   * more, and Register is free again for when the page is reloaded against a new host.
   */
  connectionLost(reason: string): void {
    this.messages.error(`Lost the connection to Monge: ${reason}`);
    this.jobs.clear();
    this.registration.forget();
    this.jobs.show();
    this.updateButtons();
  }

  // ---------------------------------------------------------------- opening

  /** Opens a file as `role`, or by what it holds ('auto'): see InputsPanel.open. */
  open(role: Role | 'prior' | 'auto', source: FileSource): Promise<void> {
    return this.inputs.open(role, source);
  }

  async openDropped(file: File, role: Role | 'prior' | 'auto'): Promise<void> {
    await this.open(role, await sourceOfFile(this.client, file));
  }

  /** Opens a results folder on the host and shows it as results. */
  openResults(path: string): Promise<void> {
    return this.results.open(path);
  }

  clearPrior(): void {
    this.inputs.clearPrior();
  }

  reselectVolumes(): Promise<void> {
    return this.inputs.reselectVolumes();
  }

  // ---------------------------------------------------------------- registration and jobs

  /** Starts a registration of the opened pair as the panels describe it. */
  register(): Promise<void> {
    return this.registration.start();
  }

  get jobsRunning(): boolean {
    return this.jobs.running;
  }

  cancelAll(): Promise<void> {
    return this.jobs.cancelAll();
  }

  private onJobEvent(event: JobEvent): void {
    const ended = this.jobs.update(event);
    if (ended) this.registration.jobEnded(ended);
    this.jobs.show();
    this.updateButtons();
  }

  // ---------------------------------------------------------------- export, about

  export(kind: ExportKind, format?: string): Promise<void> {
    return this.exports.export(kind, format);
  }

  /** Carries another file through the results' field: see ApplyToFile.apply. */
  applyToFile(source: FileSource): Promise<void> {
    return this.applying.apply(source);
  }

  about(): Promise<void> {
    return showAbout(this.client, this.messages);
  }

  // ---------------------------------------------------------------- buttons

  /** Register, Cancel and the exports are on only when what they need is open, running or not. */
  private updateButtons(): void {
    const running = this.jobs.running;
    byId<HTMLButtonElement>('btn-cancel').disabled = !running;
    byId<HTMLButtonElement>('btn-cancel-top').disabled = !running;
    byId<HTMLButtonElement>('btn-register').disabled = this.registration.busy || !this.inputs.files.moving || !this.inputs.files.fixed;
    const files = new Set(this.results.current?.files ?? []);
    byId<HTMLButtonElement>('export-field').disabled = !this.results.current?.fieldFormat;
    byId<HTMLButtonElement>('export-mesh').disabled = !this.results.current;
    byId<HTMLButtonElement>('export-landmarks').disabled = !files.has('landmarks_warped.csv');
    byId<HTMLButtonElement>('export-report').disabled = !files.has('report.json');
    byId<HTMLButtonElement>('export-apply').disabled = !this.results.current?.fieldFormat;
  }
}
