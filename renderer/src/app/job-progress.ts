/**
 * The Progress panel: the jobs running on the host (registrations, surface extractions, applied fields) as job
 * events report them, the latest one's stage and fraction on show, and Cancel for all of them.
 */
import type { JobEvent, MongeClient } from '../../../main/service/api.ts';
import type { Messages } from '../messages.ts';
import { byId } from './dom.ts';
import { messageOf } from './error-text.ts';

/** The end of a job: done, failed or cancelled. */
export type JobEnd = JobEvent & { type: 'done' | 'failed' | 'cancelled' };

export class JobProgress {
  private readonly jobs = new Map<string, { kind: string; label: string; stage: string; fraction: number }>();

  constructor(
    private readonly client: MongeClient,
    private readonly messages: Messages,
  ) {}

  /** Whether any job is running (Cancel and Escape have something to stop). */
  get running(): boolean {
    return this.jobs.size > 0;
  }

  /** Takes in a job event; returns it when it ends its job. The panel is redrawn by show(). */
  update(event: JobEvent): JobEnd | undefined {
    const job = this.jobs.get(event.jobId);
    switch (event.type) {
      case 'started':
        this.jobs.set(event.jobId, { kind: event.kind, label: event.label, stage: 'starting', fraction: 0 });
        return undefined;
      case 'progress':
        if (job) Object.assign(job, { stage: event.stage, fraction: event.fraction });
        return undefined;
      default:
        this.jobs.delete(event.jobId);
        return event;
    }
  }

  /** Forgets every job (they died with a lost host). */
  clear(): void {
    this.jobs.clear();
  }

  /** Draws the panel: the latest job's stage and fraction, and how many more run; Idle when none. */
  show(): void {
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

  /** Asks the host to cancel every running job. */
  async cancelAll(): Promise<void> {
    try {
      await Promise.all([...this.jobs.keys()].map((id) => this.client.cancel(id)));
    } catch (error) {
      // A host that cannot be reached (connection lost): said once, not thrown from a key or button handler.
      this.messages.error(`Could not cancel: ${messageOf(error)}`);
    }
  }
}
