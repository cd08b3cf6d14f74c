/**
 * The user interface: wires the panels, the 3D view and the slice views to the MongeClient (Electron's bridge or
 * the web host). State lives here: the opened inputs, the landmarks, the results on show, the running jobs.
 *
 * Flow: open moving and fixed (files, drops, paths on the host) → Register (Ctrl+Enter) runs a job whose progress
 * fills the progress panel (Cancel / Escape stops it) → its output folder opens as results: warped shape coloured
 * by displacement, confidence or distance, metrics, steps, before/after, exports. A finished folder can also be
 * opened directly. Every failure becomes a message naming the file; the views keep what they showed.
 */
import type {
  ExportKind,
  FileSource,
  HostCommand,
  JobEvent,
  MongeClient,
  OpenedFile,
  OpenedPrior,
  OpenOptions,
} from '../../../main/service/api.ts';
import { RESULTS_FOLDER_ERROR } from '../../../main/service/api.ts';
import { Messages } from '../messages.ts';
import { byId } from './dom.ts';
import { isCancel, messageOf, withoutPrefix } from './error-text.ts';
import {
  describe,
  describePrior,
  FOLDER_BY_PATH,
  isReportFile,
  type LandmarkRole,
  looksLikePoints,
  looksLikePrior,
  optionsFor,
  pointFileReading,
  type Role,
  sourceName,
  sourceOfFile,
} from './input-files.ts';
import { registerRequest, volumeSelection } from './register-request.ts';
import { ResultsPanel } from './results.ts';
import { Scene } from './scene.ts';

export class App {
  private readonly messages = new Messages(byId('messages'));
  private readonly scene: Scene;
  private inputs: Partial<Record<Role, OpenedFile>> = {};
  private readonly results: ResultsPanel;
  private readonly jobs = new Map<string, { kind: string; label: string; stage: string; fraction: number }>();
  private registerJob: string | undefined;
  /** A registration asked for whose job id has not come back yet; and register jobs that ended meanwhile, by id. */
  private registerStarting = false;
  private endedEarly = new Map<string, JobEnd>();
  /** The options each landmark file was opened with: a registration must read it the same way (prefix, frame). */
  private landmarkOptions: Partial<Record<LandmarkRole, OpenOptions>> = {};
  /** The cohort residual prior the next registrations apply (it belongs to the cohort, so new pairs keep it). */
  private prior: OpenedPrior | undefined;

  constructor(private readonly client: MongeClient) {
    this.scene = new Scene(() => ({ inputs: this.inputs, results: this.results.current }));
    this.results = new ResultsPanel(client, this.messages, this.scene, () => this.updateButtons());
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
    this.registerJob = undefined;
    this.showProgress();
    this.updateButtons();
  }

  // ---------------------------------------------------------------- opening

  /** Label or Threshold changed: the volume inputs' surfaces are extracted again with it (their landmarks stay). */
  private async reselectVolumes(): Promise<void> {
    const surface = volumeSelection() ?? {};
    for (const role of ['moving', 'fixed'] as const) {
      const input = this.inputs[role];
      if (input?.kind !== 'image') continue;
      try {
        const opened = await this.client.openFile({ path: input.path }, { surface });
        if (this.inputs[role] !== input) continue; // replaced meanwhile
        this.inputs[role] = { ...opened, name: input.name };
      } catch (error) {
        if (!isCancel(error)) this.messages.error(`Could not show ${input.name} with the new selection: ${withoutPrefix(messageOf(error), input.name)}`);
      }
    }
    this.showInputs();
    this.scene.refresh(false);
  }

  private statusElement(role: Role): HTMLElement {
    return byId(role === 'moving' ? 'input-moving' : role === 'fixed' ? 'input-fixed' : 'input-landmarks');
  }

  /**
   * Opens a file as `role` ('auto': by what it holds and what is already open; a `.json` other than Slicer
   * landmarks is taken for a residual prior).
   */
  async open(role: Role | 'prior' | 'auto', source: FileSource): Promise<void> {
    const name = sourceName(source);
    if (role === 'prior' || (role === 'auto' && looksLikePrior(name))) return this.openPrior(source);
    if (role === 'auto' && isReportFile(name)) {
      if ('path' in source) return this.openResults(source.path);
      this.messages.error(`${name} belongs to a results folder, which a page cannot open from a dropped file: ${FOLDER_BY_PATH}.`);
      return;
    }
    const status = role === 'auto' ? undefined : this.statusElement(role);
    const before = status ? { text: status.textContent, state: status.dataset.state } : undefined;
    if (status) {
      status.textContent = `opening ${name}…`;
      status.dataset.state = 'loading';
    }
    try {
      const options = optionsFor(role, name);
      const opened = await this.client.openFile(source, options);
      const target = role !== 'auto' ? role : this.autoRole(opened);
      if ((target === 'moving-landmarks' || target === 'fixed-landmarks') && opened.kind !== 'points' && opened.kind !== 'mesh') {
        throw new Error(`${name} is a volume, not a landmark file`);
      }
      if (target === 'moving-landmarks' || target === 'fixed-landmarks') this.landmarkOptions[target] = options;
      if ((target === 'moving' || target === 'fixed') && this.inputs[target]) this.closeLandmarks(`a new ${target} shape (${name}) was opened`);
      this.inputs[target] = opened;
      for (const w of opened.warnings) this.messages.warning(w);
      if (target === 'moving' || target === 'fixed') this.results.set(undefined);
      this.showInputs();
      this.scene.refresh(target === 'moving' || target === 'fixed');
    } catch (error) {
      if (status && before) {
        status.textContent = before.text;
        status.dataset.state = before.state ?? 'empty';
      }
      // A results folder dropped on the window (the desktop app passes its path): show it as results.
      if (role === 'auto' && 'path' in source && error instanceof Error && error.name === RESULTS_FOLDER_ERROR) return this.openResults(source.path);
      if (isCancel(error)) this.messages.info(`Opening ${name} was cancelled.`);
      else this.messages.error(`Could not open ${name}: ${withoutPrefix(messageOf(error), name)}`);
    } finally {
      this.updateButtons();
    }
  }

  /** Opens a residual prior for the registrations that follow; a bad file leaves the previous choice in place. */
  private async openPrior(source: FileSource): Promise<void> {
    const name = sourceName(source);
    const status = byId('input-prior');
    status.textContent = `opening ${name}…`;
    status.dataset.state = 'loading';
    try {
      this.prior = await this.client.openPrior(source);
    } catch (error) {
      this.messages.error(`Could not open ${name}: ${withoutPrefix(messageOf(error), name)}`);
    } finally {
      this.showPrior();
    }
  }

  private clearPrior(): void {
    this.prior = undefined;
    this.showPrior();
  }

  private showPrior(): void {
    const status = byId('input-prior');
    status.textContent = this.prior ? describePrior(this.prior) : 'none';
    status.dataset.state = this.prior ? 'loaded' : 'empty';
    if (this.prior) status.title = `Learned from: ${this.prior.cases.join(', ')}`;
    else status.removeAttribute('title');
    byId<HTMLButtonElement>('btn-prior-clear').disabled = !this.prior;
  }

  /**
   * Landmarks pair the points of one moving and one fixed scan: once either shape is replaced (the next case),
   * keeping them would score the new registration against the old case's points, silently. They are closed, and
   * the user told.
   */
  private closeLandmarks(reason: string): void {
    if (!this.inputs['moving-landmarks'] && !this.inputs['fixed-landmarks']) return;
    delete this.inputs['moving-landmarks'];
    delete this.inputs['fixed-landmarks'];
    this.landmarkOptions = {};
    this.messages.info(`The landmarks were closed because ${reason}; open the landmarks that go with it, if any.`);
  }

  private autoRole(opened: OpenedFile): Role {
    if (opened.kind === 'points') return this.inputs['moving-landmarks'] && !this.inputs['fixed-landmarks'] ? 'fixed-landmarks' : 'moving-landmarks';
    return this.inputs.moving && !this.inputs.fixed ? 'fixed' : 'moving';
  }

  private showInputs(): void {
    for (const role of ['moving', 'fixed'] as const) {
      const el = this.statusElement(role);
      const file = this.inputs[role];
      el.textContent = file ? describe(file) : '—';
      el.dataset.state = file ? 'loaded' : 'empty';
    }
    const lm = [this.inputs['moving-landmarks'], this.inputs['fixed-landmarks']];
    const el = this.statusElement('moving-landmarks');
    el.textContent = lm.some(Boolean) ? lm.map((f, i) => `${i === 0 ? 'moving' : 'fixed'}: ${f ? describe(f) : '—'}`).join('; ') : '—';
    el.dataset.state = lm.every(Boolean) ? 'loaded' : lm.some(Boolean) ? 'partial' : 'empty';
  }

  /** Opens a results folder on the host and shows it as results. */
  openResults(path: string): Promise<void> {
    return this.results.open(path);
  }

  // ---------------------------------------------------------------- registration and jobs

  async register(): Promise<void> {
    // One registration at a time, counted from the press: a second press (a double click, Ctrl+Enter twice) while the
    // host is still starting the first would start a second job, whose results the page would never show.
    if (this.registerStarting || this.registerJob) return;
    const request = registerRequest({ files: this.inputs, landmarkOptions: this.landmarkOptions, prior: this.prior });
    if (!request) return;
    if ('problem' in request) {
      this.messages.error(request.problem);
      return;
    }
    if (request.steps?.length === 0) {
      this.messages.error('Choose at least one step to run (Parameters › Advanced).');
      return;
    }
    this.registerStarting = true;
    this.updateButtons();
    try {
      const id = await this.client.register(request);
      // A job can end before the host's reply to the start arrives (a bad input found at once): its end waited here.
      const ended = this.endedEarly.get(id);
      if (ended) this.registrationEnded(ended);
      else this.registerJob = id;
    } catch (error) {
      this.messages.error(`Could not start the registration: ${messageOf(error)}`);
    } finally {
      this.registerStarting = false;
      this.endedEarly.clear();
    }
    this.updateButtons();
  }

  /** What the user sees when their registration ends. */
  private registrationEnded(event: JobEnd): void {
    if (event.type === 'done' && event.outDir) void this.openResults(event.outDir);
    else if (event.type === 'failed') this.messages.error(`The registration failed: ${event.message}`);
    else if (event.type === 'cancelled') this.messages.info('The registration was cancelled.');
  }

  async cancelAll(): Promise<void> {
    try {
      await Promise.all([...this.jobs.keys()].map((id) => this.client.cancel(id)));
    } catch (error) {
      // A host that cannot be reached (connection lost): said once, not thrown from a key or button handler.
      this.messages.error(`Could not cancel: ${messageOf(error)}`);
    }
  }

  private onJobEvent(event: JobEvent): void {
    const job = this.jobs.get(event.jobId);
    switch (event.type) {
      case 'started':
        this.jobs.set(event.jobId, { kind: event.kind, label: event.label, stage: 'starting', fraction: 0 });
        break;
      case 'progress':
        if (job) Object.assign(job, { stage: event.stage, fraction: event.fraction });
        break;
      default:
        this.jobs.delete(event.jobId);
        if (event.jobId === this.registerJob) {
          this.registerJob = undefined;
          this.registrationEnded(event);
        } else if (this.registerStarting && event.kind === 'register') this.endedEarly.set(event.jobId, event);
    }
    this.showProgress();
    this.updateButtons();
  }

  private showProgress(): void {
    const label = byId('progress-label');
    const bar = byId<HTMLProgressElement>('progress');
    const current = [...this.jobs.values()].at(-1);
    const panel = byId('panel-progress');
    panel.dataset.state = current ? 'running' : 'idle';
    if (!current) {
      label.textContent = 'Idle';
      bar.value = 0;
      return;
    }
    const more = this.jobs.size > 1 ? ` (+${this.jobs.size - 1} more)` : '';
    label.textContent = `${current.label}: ${current.stage} ${Math.round(100 * current.fraction)} %${more}`;
    bar.value = current.fraction;
  }

  private updateButtons(): void {
    const running = this.jobs.size > 0;
    byId<HTMLButtonElement>('btn-cancel').disabled = !running;
    byId<HTMLButtonElement>('btn-cancel-top').disabled = !running;
    byId<HTMLButtonElement>('btn-register').disabled = this.registerStarting || this.registerJob !== undefined || !this.inputs.moving || !this.inputs.fixed;
    const files = new Set(this.results.current?.files ?? []);
    byId<HTMLButtonElement>('export-field').disabled = !this.results.current?.fieldFormat;
    byId<HTMLButtonElement>('export-mesh').disabled = !this.results.current;
    byId<HTMLButtonElement>('export-landmarks').disabled = !files.has('landmarks_warped.csv');
    byId<HTMLButtonElement>('export-report').disabled = !files.has('report.json');
    byId<HTMLButtonElement>('export-apply').disabled = !this.results.current?.fieldFormat;
  }

  // ---------------------------------------------------------------- export

  private async screenshotPng(): Promise<Uint8Array> {
    const url = await this.scene.view.capture();
    const image = new Image();
    image.src = url;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2D canvas for the screenshot');
    ctx.drawImage(image, 0, 0);
    const legend = byId<HTMLCanvasElement>('legend');
    if (!legend.hidden) {
      const view = byId('view3d').getBoundingClientRect();
      const box = legend.getBoundingClientRect();
      const sx = image.width / view.width;
      ctx.drawImage(legend, (box.left - view.left) * sx, (box.top - view.top) * sx, box.width * sx, box.height * sx);
    }
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
    if (!blob) throw new Error('the screenshot could not be encoded');
    return new Uint8Array(await blob.arrayBuffer());
  }

  async export(kind: ExportKind, format?: string): Promise<void> {
    try {
      const bytes = kind === 'screenshot' ? await this.screenshotPng() : undefined;
      if (kind !== 'screenshot' && !this.results.current) throw new Error('open or compute results first');
      const request = { kind, ...(format ? { format } : {}), ...(this.results.current ? { resultsDir: this.results.current.dir } : {}), ...(bytes ? { bytes } : {}) };
      const host = this.client.host;
      if (host) {
        const suggested = kind === 'screenshot' ? 'monge-screenshot.png' : `${kind}.${format ?? 'json'}`;
        const destination = await host.pickSavePath(suggested);
        if (!destination) return;
        const saved = await this.client.exportResult({ ...request, destination });
        this.messages.info(`Saved ${saved.path ?? saved.fileName}.`);
        return;
      }
      const result = await this.client.exportResult(request);
      if (!result.bytes) throw new Error('the host sent no file');
      downloadBytes(result.bytes, result.fileName);
    } catch (error) {
      this.messages.error(`Export failed: ${messageOf(error)}`);
    }
  }

  /**
   * Carries another file through the results' field (moving → fixed, or fixed → moving when ticked), in a job: the
   * desktop asks where to save it; in a browser the file is uploaded and the warped one downloaded.
   */
  async applyToFile(source: FileSource): Promise<void> {
    try {
      if (!this.results.current) throw new Error('open or compute results first');
      const resultsDir = this.results.current.dir;
      const host = this.client.host;
      const inverse = byId<HTMLInputElement>('apply-inverse').checked;
      let destination: string | undefined;
      if (host && 'path' in source) {
        destination = await host.pickSavePath(appliedName(source.path, inverse ? 'moving' : 'fixed'));
        if (!destination) return;
      }
      // A point file is read as landmarks are.
      const result = await this.client.applyRegistration({ resultsDir, input: source, ...(inverse ? { inverse } : {}), ...(destination ? { destination } : {}), ...pointFileReading() });
      const what = `${result.count} ${result.kind === 'image' ? `voxels, ${result.interpolation === 'nearest' ? 'labels kept (nearest)' : 'trilinear'}` : result.kind === 'mesh' ? 'vertices' : 'points'}`;
      const outside = result.outsideField ? `; ${result.outsideField} lie outside the field's grid and were not moved` : '';
      this.messages.info(`Applied the registration: ${result.path ?? result.fileName} (${what}) in ${result.seconds.toFixed(1)} s${outside}.`);
      if (result.bytes) downloadBytes(result.bytes, result.fileName);
    } catch (error) {
      if (isCancel(error)) this.messages.info('Applying the registration was cancelled.');
      else this.messages.error(`Applying the registration failed: ${messageOf(error)}`);
    }
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
    byId('btn-prior-clear').addEventListener('click', () => this.clearPrior());
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
    for (const id of ['knob-label', 'knob-threshold']) byId(id).addEventListener('change', () => void this.reselectVolumes());
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
      } else if (e.key === 'Escape' && this.jobs.size > 0 && !byId<HTMLDialogElement>('about').open) {
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

/** Hands bytes to the browser as a download named `fileName`. */
function downloadBytes(bytes: Uint8Array, fileName: string): void {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>]));
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

/** The save dialog's suggestion for a file applied through the registration: `<stem>_in_<space><suffix>`. */
function appliedName(path: string, space: 'fixed' | 'moving'): string {
  const name = path.split(/[\\/]/).pop() ?? path;
  const suffix = name.match(/(\.(nii|gii|mrk)\.(gz|json)|\.[^.]+)$/i)?.[0] ?? '';
  return `${name.slice(0, name.length - suffix.length)}_in_${space}${suffix}`;
}

/** The end of a job: done, failed or cancelled. */
type JobEnd = JobEvent & { type: 'done' | 'failed' | 'cancelled' };
