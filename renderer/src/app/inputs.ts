/**
 * The Inputs panel: the moving and fixed shapes and their landmark files, opened from a file, a drop or a path on
 * the host, with each one's status line; the prior, whose panel it holds; and the volume inputs' surfaces extracted
 * again when Advanced › Label / Threshold changes. What is open is the next registration's OpenedInputs.
 */
import type { FileSource, MongeClient, OpenedFile, OpenedPrior, OpenOptions } from '../../../main/service/api.ts';
import { RESULTS_FOLDER_ERROR } from '../../../main/service/api.ts';
import type { Messages } from '../messages.ts';
import { byId } from './dom.ts';
import { isCancel, messageOf, withoutPrefix } from './error-text.ts';
import {
  describe,
  FOLDER_BY_PATH,
  isReportFile,
  type LandmarkRole,
  looksLikePrior,
  type OpenedInputs,
  optionsFor,
  type Role,
  sourceName,
} from './input-files.ts';
import { PriorPanel } from './prior.ts';
import { volumeSelection } from './register-request.ts';
import type { ResultsPanel } from './results.ts';
import type { Scene } from './scene.ts';

export class InputsPanel implements OpenedInputs {
  files: Partial<Record<Role, OpenedFile>> = {};
  /** The options each landmark file was opened with: a registration must read it the same way (prefix, frame). */
  landmarkOptions: Partial<Record<LandmarkRole, OpenOptions>> = {};
  private readonly priorPanel: PriorPanel;

  /** Opening a shape clears the `results` of the previous pair; a results folder opened here is shown in them. */
  constructor(
    private readonly client: MongeClient,
    private readonly messages: Messages,
    private readonly results: ResultsPanel,
    private readonly scene: Scene,
    private readonly updateButtons: () => void,
  ) {
    this.priorPanel = new PriorPanel(client, messages);
  }

  get prior(): OpenedPrior | undefined {
    return this.priorPanel.current;
  }

  clearPrior(): void {
    this.priorPanel.clear();
  }

  /** Label or Threshold changed: the volume inputs' surfaces are extracted again with it (their landmarks stay). */
  async reselectVolumes(): Promise<void> {
    const surface = volumeSelection() ?? {};
    for (const role of ['moving', 'fixed'] as const) {
      const input = this.files[role];
      if (input?.kind !== 'image') continue;
      try {
        const opened = await this.client.openFile({ path: input.path }, { surface });
        if (this.files[role] !== input) continue; // replaced meanwhile
        this.files[role] = { ...opened, name: input.name };
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
    if (role === 'prior' || (role === 'auto' && looksLikePrior(name))) return this.priorPanel.open(source);
    if (role === 'auto' && isReportFile(name)) {
      if ('path' in source) return this.results.open(source.path);
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
      if ((target === 'moving' || target === 'fixed') && this.files[target]) this.closeLandmarks(`a new ${target} shape (${name}) was opened`);
      this.files[target] = opened;
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
      if (role === 'auto' && 'path' in source && error instanceof Error && error.name === RESULTS_FOLDER_ERROR) return this.results.open(source.path);
      if (isCancel(error)) this.messages.info(`Opening ${name} was cancelled.`);
      else this.messages.error(`Could not open ${name}: ${withoutPrefix(messageOf(error), name)}`);
    } finally {
      this.updateButtons();
    }
  }

  /**
   * Landmarks pair the points of one moving and one fixed scan: once either shape is replaced (the next case),
   * keeping them would score the new registration against the old case's points, silently. They are closed, and
   * the user told.
   */
  private closeLandmarks(reason: string): void {
    if (!this.files['moving-landmarks'] && !this.files['fixed-landmarks']) return;
    delete this.files['moving-landmarks'];
    delete this.files['fixed-landmarks'];
    this.landmarkOptions = {};
    this.messages.info(`The landmarks were closed because ${reason}; open the landmarks that go with it, if any.`);
  }

  private autoRole(opened: OpenedFile): Role {
    if (opened.kind === 'points') return this.files['moving-landmarks'] && !this.files['fixed-landmarks'] ? 'fixed-landmarks' : 'moving-landmarks';
    return this.files.moving && !this.files.fixed ? 'fixed' : 'moving';
  }

  private showInputs(): void {
    for (const role of ['moving', 'fixed'] as const) {
      const el = this.statusElement(role);
      const file = this.files[role];
      el.textContent = file ? describe(file) : '—';
      el.dataset.state = file ? 'loaded' : 'empty';
    }
    const lm = [this.files['moving-landmarks'], this.files['fixed-landmarks']];
    const el = this.statusElement('moving-landmarks');
    el.textContent = lm.some(Boolean) ? lm.map((f, i) => `${i === 0 ? 'moving' : 'fixed'}: ${f ? describe(f) : '—'}`).join('; ') : '—';
    el.dataset.state = lm.every(Boolean) ? 'loaded' : lm.some(Boolean) ? 'partial' : 'empty';
  }
}
