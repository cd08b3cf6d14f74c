/**
 * The user interface: wires the panels, the 3D view and the slice views to the MongeClient (Electron's bridge or
 * the web host). State lives here: the opened inputs, the landmarks, the results on show, the running jobs.
 *
 * Flow: open moving and fixed (files, drops, paths on the host) → Register (Ctrl+Enter) runs a job whose progress
 * fills the progress panel (Cancel / Escape stops it) → its output folder opens as results: warped shape coloured
 * by displacement, confidence or distance, metrics, steps, before/after, exports. A finished folder can also be
 * opened directly. Every failure becomes a message naming the file; the views keep what they showed.
 */
import type { ExportKind, FileSource, HostCommand, JobEvent, MongeClient } from '../../../main/service/api.ts';
import { Messages } from '../messages.ts';
import { ApplyToFile } from './apply-to-file.ts';
import { byId } from './dom.ts';
import { messageOf } from './error-text.ts';
import { ExportPanel } from './export.ts';
import { FOLDER_BY_PATH, looksLikePoints, type Role, sourceOfFile } from './input-files.ts';
import { InputsPanel } from './inputs.ts';
import { JobProgress } from './job-progress.ts';
import { RegisterJob } from './register-job.ts';
import { ResultsPanel } from './results.ts';
import { Scene } from './scene.ts';

export class App {
  private readonly messages = new Messages(byId('messages'));
  private readonly scene: Scene;
  private readonly inputs: InputsPanel;
  private readonly results: ResultsPanel;
  private readonly jobs: JobProgress;
  private readonly registration: RegisterJob;
  private readonly exports: ExportPanel;
  private readonly applying: ApplyToFile;

  constructor(private readonly client: MongeClient) {
    this.scene = new Scene(() => ({ inputs: this.inputs.files, results: this.results.current }));
    this.results = new ResultsPanel(client, this.messages, this.scene, () => this.updateButtons());
    this.inputs = new InputsPanel(client, this.messages, this.results, this.scene, () => this.updateButtons());
    this.jobs = new JobProgress(client, this.messages);
    this.registration = new RegisterJob(client, this.messages, this.inputs, this.results, () => this.updateButtons());
    this.exports = new ExportPanel(client, this.messages, this.scene.view, this.results);
    this.applying = new ApplyToFile(client, this.messages, this.results);
    client.onJobEvent((event) => this.onJobEvent(event));
    client.host?.onCommand((command) => void this.onHostCommand(command));
    this.wireToolbar();
    this.wirePanels();
    this.wireKeyboard();
    this.wireDragAndDrop();
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

  /** Opens a results folder on the host and shows it as results. */
  openResults(path: string): Promise<void> {
    return this.results.open(path);
  }

  // ---------------------------------------------------------------- registration and jobs

  /** Starts a registration of the opened pair as the panels describe it. */
  register(): Promise<void> {
    return this.registration.start();
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

  // ---------------------------------------------------------------- export

  export(kind: ExportKind, format?: string): Promise<void> {
    return this.exports.export(kind, format);
  }

  /** Carries another file through the results' field: see ApplyToFile.apply. */
  applyToFile(source: FileSource): Promise<void> {
    return this.applying.apply(source);
  }

  // ---------------------------------------------------------------- wiring

  private async pick(role: Role | 'prior', input: HTMLInputElement): Promise<void> {
    const host = this.client.host;
    if (host) {
      const path = await host.pickOpenPath(role === 'moving-landmarks' || role === 'fixed-landmarks' ? 'landmarks' : role);
      if (path) await this.open(role, { path });
    } else {
      input.click();
    }
  }

  private wireToolbar(): void {
    for (const role of ['moving', 'fixed', 'moving-landmarks', 'fixed-landmarks', 'prior'] as const) {
      const input = byId<HTMLInputElement>(`file-${role}`);
      byId(`btn-open-${role}`).addEventListener('click', () => void this.pick(role, input));
      input.addEventListener('change', () => {
        const file = input.files?.[0];
        input.value = '';
        if (file) void this.openDropped(file, role);
      });
    }
    byId('btn-open-results').addEventListener('click', () => {
      const host = this.client.host;
      if (host) {
        void host.pickOpenPath('results').then((path) => (path ? this.openResults(path) : undefined));
      } else {
        byId<HTMLSelectElement>('path-role').value = 'results';
        const input = byId<HTMLInputElement>('path-input');
        input.focus();
        this.messages.info('Type the path of the results folder on the host, then press Enter.');
      }
    });
    byId('btn-prior-clear').addEventListener('click', () => this.inputs.clearPrior());
    byId('btn-register').addEventListener('click', () => void this.register());
    byId('btn-cancel-top').addEventListener('click', () => void this.cancelAll());
    byId('btn-about').addEventListener('click', () => void this.about());
    byId('about-close').addEventListener('click', () => byId<HTMLDialogElement>('about').close());
  }

  private wirePanels(): void {
    byId<HTMLFormElement>('path-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const path = byId<HTMLInputElement>('path-input').value.trim();
      if (!path) return;
      const role = byId<HTMLSelectElement>('path-role').value;
      if (role === 'results') void this.openResults(path);
      else void this.open(role as Role | 'prior', { path });
    });
    byId('btn-cancel').addEventListener('click', () => void this.cancelAll());
    for (const id of ['knob-label', 'knob-threshold']) byId(id).addEventListener('change', () => void this.inputs.reselectVolumes());
    for (const layer of ['moving', 'fixed', 'warped'] as const) {
      const show = byId<HTMLInputElement>(`show-${layer}`);
      const opacity = byId<HTMLInputElement>(`opacity-${layer}`);
      show.addEventListener('change', () => this.scene.view.setLayerVisible(layer, show.checked));
      opacity.addEventListener('input', () => this.scene.view.setLayerOpacity(layer, Number(opacity.value)));
    }
    byId('color-by').addEventListener('change', () => this.scene.applyColor());
    const glyphs = byId<HTMLInputElement>('show-glyphs');
    glyphs.addEventListener('change', () => this.scene.view.setGlyphs(glyphs.checked));
    const landmarks = byId<HTMLInputElement>('show-landmarks');
    landmarks.addEventListener('change', () => this.scene.view.setLandmarks(landmarks.checked));
    byId('step-select').addEventListener('change', () => this.scene.refresh(false));
    const beforeAfter = byId<HTMLInputElement>('before-after');
    beforeAfter.addEventListener('input', () => this.scene.view.setBlend(Number(beforeAfter.value)));
    const split = byId<HTMLInputElement>('split-view');
    split.addEventListener('change', () => this.scene.view.setSplit(split.checked));
    byId('btn-reset-camera').addEventListener('click', () => this.scene.view.resetCamera());
    const blend = byId<HTMLInputElement>('slice-blend');
    blend.addEventListener('input', () => this.scene.slices.setBlend(Number(blend.value)));
    byId('export-field').addEventListener('click', () => void this.export('field', byId<HTMLSelectElement>('export-field-format').value));
    byId('export-mesh').addEventListener('click', () => void this.export('warped-mesh', byId<HTMLSelectElement>('export-mesh-format').value));
    byId('export-landmarks').addEventListener('click', () => void this.export('warped-landmarks', byId<HTMLSelectElement>('export-landmarks-format').value));
    byId('export-screenshot').addEventListener('click', () => void this.export('screenshot'));
    byId('export-report').addEventListener('click', () => void this.export('report'));
    const applyInput = byId<HTMLInputElement>('file-apply');
    byId('export-apply').addEventListener('click', () => {
      const host = this.client.host;
      if (host) void host.pickOpenPath('apply').then((path) => (path ? this.applyToFile({ path }) : undefined));
      else applyInput.click();
    });
    applyInput.addEventListener('change', () => {
      const file = applyInput.files?.[0];
      applyInput.value = '';
      if (file) void sourceOfFile(this.client, file).then((source) => this.applyToFile(source));
    });
  }

  private wireKeyboard(): void {
    document.addEventListener('keydown', (e) => {
      if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
        e.preventDefault();
        void this.register();
      } else if (e.key === 'Escape' && this.jobs.running && !byId<HTMLDialogElement>('about').open) {
        e.preventDefault();
        void this.cancelAll();
      }
    });
    const view = byId('view3d');
    view.addEventListener('keydown', (e) => {
      const moves: Record<string, [number, number, number]> = {
        ArrowLeft: [-10, 0, 1],
        ArrowRight: [10, 0, 1],
        ArrowUp: [0, 10, 1],
        ArrowDown: [0, -10, 1],
        '+': [0, 0, 1.15],
        '=': [0, 0, 1.15],
        '-': [0, 0, 1 / 1.15],
      };
      if (e.key === 'r' || e.key === 'R') this.scene.view.resetCamera();
      else if (moves[e.key]) this.scene.view.nudgeCamera(...moves[e.key]);
      else return;
      e.preventDefault();
    });
  }

  private async openDropped(file: File, role: Role | 'prior' | 'auto'): Promise<void> {
    await this.open(role, await sourceOfFile(this.client, file));
  }

  private wireDragAndDrop(): void {
    const view = byId('view3d');
    document.addEventListener('dragover', (e) => {
      e.preventDefault();
      view.classList.add('dragging');
    });
    document.addEventListener('dragleave', (e) => {
      if (e.relatedTarget === null) view.classList.remove('dragging');
    });
    document.addEventListener('drop', (e) => {
      e.preventDefault();
      view.classList.remove('dragging');
      // Shapes before landmarks: opening a shape closes the landmarks of the previous pair, not the dropped ones.
      const transfer = e.dataTransfer;
      // A folder reaches a page as an unreadable empty file; only the desktop app has its path (a DICOM series, or
      // a results folder, which open() shows as results).
      const folders = new Set([...(transfer?.items ?? [])].filter((item) => item.webkitGetAsEntry()?.isDirectory).map((item) => item.getAsFile()?.name));
      const all = [...(transfer?.files ?? [])];
      const files = all.filter((f) => !folders.has(f.name) || this.client.host?.pathForFile(f));
      for (const f of all) if (!files.includes(f)) this.messages.error(`${f.name} is a folder, which a page cannot read: ${FOLDER_BY_PATH}.`);
      files.sort((a, b) => Number(looksLikePoints(a.name)) - Number(looksLikePoints(b.name)));
      void (async () => {
        for (const file of files) await this.openDropped(file, 'auto');
      })();
    });
  }

  private async onHostCommand(command: HostCommand): Promise<void> {
    switch (command.type) {
      case 'open':
        return this.open(command.role, { path: command.path });
      case 'open-results':
        return this.openResults(command.path);
      case 'export':
        return this.export(command.kind, command.format);
      case 'apply':
        return this.applyToFile({ path: command.path });
      case 'register':
        return this.register();
      case 'cancel':
        return this.cancelAll();
      case 'view':
        if (command.action === 'reset-camera') this.scene.view.resetCamera();
        else if (command.action === 'toggle-split') byId<HTMLInputElement>('split-view').click();
        else byId('slices').hidden = !byId('slices').hidden;
        return;
    }
  }

  private async about(): Promise<void> {
    try {
      const info = await this.client.hostInfo();
      const body = byId('about-body');
      body.replaceChildren();
      const rows: [string, string][] = [
        ['Monge', info.mongeVersion],
        ['Host', info.host === 'electron' ? 'desktop app (Electron)' : 'web host (loopback)'],
        ['Compute engine', `${info.engine.name}: ${info.engine.description}`],
        ...Object.entries(info.versions).map(([k, v]): [string, string] => [k, v]),
        ['Platform', info.platform],
      ];
      for (const [k, v] of rows) {
        const dt = document.createElement('dt');
        dt.textContent = k;
        const dd = document.createElement('dd');
        dd.textContent = v;
        body.append(dt, dd);
      }
      byId<HTMLDialogElement>('about').showModal();
    } catch (error) {
      this.messages.error(`About: ${messageOf(error)}`);
    }
  }
}

