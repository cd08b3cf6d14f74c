/**
 * The Prior panel: the cohort residual prior (what `monge train-prior` writes) that the next registrations apply,
 * opened from a file and cleared by its button.
 */
import type { FileSource, MongeClient, OpenedPrior } from '../../../main/service/api.ts';
import type { Messages } from '../messages.ts';
import { byId } from './dom.ts';
import { messageOf, withoutPrefix } from './error-text.ts';
import { describePrior, sourceName } from './input-files.ts';

export class PriorPanel {
  /** The cohort residual prior the next registrations apply (it belongs to the cohort, so new pairs keep it). */
  current: OpenedPrior | undefined;

  constructor(
    private readonly client: MongeClient,
    private readonly messages: Messages,
  ) {}

  /** Opens a residual prior for the registrations that follow; a bad file leaves the previous choice in place. */
  async open(source: FileSource): Promise<void> {
    const name = sourceName(source);
    const status = byId('input-prior');
    status.textContent = `opening ${name}…`;
    status.dataset.state = 'loading';
    try {
      this.current = await this.client.openPrior(source);
    } catch (error) {
      this.messages.error(`Could not open ${name}: ${withoutPrefix(messageOf(error), name)}`);
    } finally {
      this.show();
    }
  }

  clear(): void {
    this.current = undefined;
    this.show();
  }

  private show(): void {
    const status = byId('input-prior');
    status.textContent = this.current ? describePrior(this.current) : 'none';
    status.dataset.state = this.current ? 'loaded' : 'empty';
    if (this.current) status.title = `Learned from: ${this.current.cases.join(', ')}`;
    else status.removeAttribute('title');
    byId<HTMLButtonElement>('btn-prior-clear').disabled = !this.current;
  }
}
