/**
 * The Results panel: the results on show (a registration's output folder, or one opened directly), their summary
 * line, metrics, warnings and steps, and the scene's look for them (coloured, the warped shape in front).
 */
import type { MongeClient, ResultsPayload, ShapePhaseName } from '../../../main/service/api.ts';
import type { Messages } from '../messages.ts';
import { renderMetrics } from '../metrics-table.ts';
import { byId } from './dom.ts';
import { messageOf } from './error-text.ts';
import type { Scene } from './scene.ts';

const STEP_LABELS: Record<ShapePhaseName, string> = { prealign: 'pre-aligned', net: 'network', finetune: 'fine-tuned', prior: 'prior-corrected' };

export class ResultsPanel {
  current: ResultsPayload | undefined;

  constructor(
    private readonly client: MongeClient,
    private readonly messages: Messages,
    private readonly scene: Scene,
    private readonly updateButtons: () => void,
  ) {}

  /** Opens a results folder on the host and shows it; a folder that cannot be read leaves what was shown. */
  async open(path: string): Promise<void> {
    const summary = byId('results-summary');
    summary.textContent = `opening ${path}…`;
    try {
      this.set(await this.client.openResultsFolder(path));
      this.scene.refresh(true);
    } catch (error) {
      summary.textContent = this.current ? `Results: ${this.current.dir}` : 'No results yet: register, or open a results folder.';
      this.messages.error(`Could not open the results folder ${path}: ${messageOf(error)}`);
    } finally {
      this.updateButtons();
    }
  }

  /** Shows `results` in the Results panel (undefined: none), and makes the warped shape the scene's subject. */
  set(results: ResultsPayload | undefined): void {
    this.current = results;
    const summary = byId('results-summary');
    const warnings = byId('results-warnings');
    warnings.replaceChildren();
    const stepSelect = byId<HTMLSelectElement>('step-select');
    stepSelect.replaceChildren();
    if (!results) {
      summary.textContent = 'No results yet: register, or open a results folder.';
      summary.dataset.state = 'empty';
      renderMetrics(byId<HTMLTableElement>('metrics'), undefined);
      stepSelect.append(new Option('fine-tuned (final)', 'final'));
      stepSelect.disabled = true;
      return;
    }
    const r = results.report;
    const names = results.inputNames;
    const extras = [
      names?.moving && `moving ${names.moving}`,
      names?.fixed && `fixed ${names.fixed}`,
      r?.preset && `preset ${r.preset}`,
      r?.engine && `engine ${r.engine}`,
      r?.version && `Monge ${r.version}`,
    ].filter(Boolean);
    summary.textContent = `Results: ${results.dir}${extras.length ? ` (${extras.join(', ')})` : ''}`;
    summary.dataset.state = 'loaded';
    renderMetrics(byId<HTMLTableElement>('metrics'), r);
    for (const w of results.warnings) {
      const li = document.createElement('li');
      li.textContent = w;
      warnings.append(li);
    }
    for (const { step } of results.steps) stepSelect.append(new Option(STEP_LABELS[step], step));
    stepSelect.append(new Option('final (warped)', 'final'));
    stepSelect.value = 'final';
    stepSelect.disabled = results.steps.length === 0;
    // A result is best read coloured (displacement by default), with the warped shape in front: the moving and
    // fixed ones become faint context.
    const colorBy = byId<HTMLSelectElement>('color-by');
    if (colorBy.value === 'none' && results.warped.arrays.some((a) => a.name === 'displacement')) colorBy.value = 'displacement';
    this.scene.setOpacity('moving', 0.12);
    this.scene.setOpacity('fixed', 0.2);
    this.scene.setOpacity('warped', 1);
  }
}
