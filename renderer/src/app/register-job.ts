/**
 * The user's registration job: Register (or Ctrl+Enter) starts one from the register form, one at a time, and its
 * end opens its results or says why there are none.
 */
import type { MongeClient } from '../../../main/service/api.ts';
import type { Messages } from '../messages.ts';
import { messageOf } from './error-text.ts';
import type { OpenedInputs } from './input-files.ts';
import type { JobEnd } from './job-progress.ts';
import { registerRequest } from './register-request.ts';
import type { ResultsPanel } from './results.ts';

export class RegisterJob {
  private id: string | undefined;
  /** A registration asked for whose job id has not come back yet; and register jobs that ended meanwhile, by id. */
  private starting = false;
  private endedEarly = new Map<string, JobEnd>();

  constructor(
    private readonly client: MongeClient,
    private readonly messages: Messages,
    private readonly inputs: OpenedInputs,
    private readonly results: ResultsPanel,
    private readonly updateButtons: () => void,
  ) {}

  /** Whether a registration is starting or running (Register is off meanwhile). */
  get busy(): boolean {
    return this.starting || this.id !== undefined;
  }

  async start(): Promise<void> {
    // One registration at a time, counted from the press: a second press (a double click, Ctrl+Enter twice) while the
    // host is still starting the first would start a second job, whose results the page would never show.
    if (this.starting || this.id) return;
    const request = registerRequest(this.inputs);
    if (!request) return;
    if ('problem' in request) {
      this.messages.error(request.problem);
      return;
    }
    if (request.steps?.length === 0) {
      this.messages.error('Choose at least one step to run (Parameters › Advanced).');
      return;
    }
    this.starting = true;
    this.updateButtons();
    try {
      const id = await this.client.register(request);
      // A job can end before the host's reply to the start arrives (a bad input found at once): its end waited here.
      const ended = this.endedEarly.get(id);
      if (ended) this.ended(ended);
      else this.id = id;
    } catch (error) {
      this.messages.error(`Could not start the registration: ${messageOf(error)}`);
    } finally {
      this.starting = false;
      this.endedEarly.clear();
    }
    this.updateButtons();
  }

  /** A job ended: the user's registration, or one whose start has not been answered yet (kept for start()). */
  jobEnded(event: JobEnd): void {
    if (event.jobId === this.id) {
      this.id = undefined;
      this.ended(event);
    } else if (this.starting && event.kind === 'register') this.endedEarly.set(event.jobId, event);
  }

  /** The host is gone, and the registration with it. */
  forget(): void {
    this.id = undefined;
  }

  /** What the user sees when their registration ends. */
  private ended(event: JobEnd): void {
    if (event.type === 'done' && event.outDir) void this.results.open(event.outDir);
    else if (event.type === 'failed') this.messages.error(`The registration failed: ${event.message}`);
    else if (event.type === 'cancelled') this.messages.info('The registration was cancelled.');
  }
}
