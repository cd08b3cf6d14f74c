/**
 * How far a running pair is, as one fraction of the pair, for `monge batch`'s bar. The registration reports only a
 * fraction of its current stage (register.ts: 'reading inputs', 'preparing clouds', each step, then the outputs'
 * stages), and run-pair.ts adds 'thumbnails'. The stages come in a known order, so the pair is cut into equal
 * shares: the inputs, each step asked for, the outputs, the thumbnails — a rough measure (on a COPD lung pair each
 * takes 2–10 s), but one that moves through the pair instead of standing at 0 % until it ends.
 */
import type { ProgressReport } from '../progress/index.ts';
import { REQUEST_DEFAULTS, STEP_NAMES, type RegisterRequest } from '../registration/types.ts';

/** The stages of each share, in the order they are reported; a stage's report splits its share further. */
const INPUT_STAGES = ['reading inputs', 'preparing clouds'];
const OUTPUT_STAGES = ['prior', 'writing outputs', 'displacement field', 'applying to other files', 'inverse field', 'done'];
const THUMBNAIL_STAGES = ['thumbnails'];

/** The shares of a pair registered by `request`, in order, each a list of stages. */
export function pairShares(request: RegisterRequest): string[][] {
  const asked = request.steps ?? REQUEST_DEFAULTS.steps;
  return [INPUT_STAGES, ...STEP_NAMES.filter((s) => asked.includes(s)).map((s) => [s]), OUTPUT_STAGES, THUMBNAIL_STAGES];
}

/**
 * The fraction of the pair done at `report`, in [0, 1]; undefined for a stage not listed (the caller keeps what it
 * had). Not monotone by itself: 'writing outputs' is reported again after the displacement field, at 0.7 of its
 * own scale; the caller keeps the largest value so far.
 */
export function pairFraction(shares: readonly (readonly string[])[], report: ProgressReport): number | undefined {
  const share = shares.findIndex((stages) => stages.includes(report.stage));
  if (share < 0) return undefined;
  const stages = shares[share];
  const within = (stages.indexOf(report.stage) + Math.min(1, Math.max(0, report.fraction))) / stages.length;
  return (share + within) / shares.length;
}
