/**
 * Core's messages name the command line's remedies (`--prefix exp`, `--diffeomorphic`), since the CLI is their
 * first reader. A user of the app has no command line: the service says the same remedy as the control that applies
 * it, here, in one table, for every error, failed job and results warning it hands to a user interface.
 */
import type { ApiErrorInfo } from './api.ts';

/** A command-line remedy as core words it → the app's control that does the same. */
const REMEDIES: readonly [RegExp, string][] = [
  // core/io/points/csv.ts: a CSV with two point sets (DIR-Lab's exp_* / insp_*) read without a prefix.
  [/choose one with the command's prefix option \(e\.g\. --prefix ([^;)]+)[^)]*\)/g, 'choose one under Landmark files › CSV column prefix (e.g. $1), then open the file again'],
  // core/registration/pipeline/folding-warning.ts: the generic preset's fine-tuning folded.
  [/--diffeomorphic integrates the fine-tuning/g, 'Advanced › Fine-tuning › diffeomorphic integrates the fine-tuning'],
  // core/registration/pipeline/output-folder.ts: a folder filled between the service's check and the job's.
  [/choose another folder or allow overwriting \(--overwrite\)/g, 'choose another folder (Advanced › Output folder)'],
  // core/registration/pipeline/inputs.ts and preset-size.ts: shapes whose size does not suit a mm preset.
  [/--preset generic/g, 'Parameters › Preset › generic'],
  // core/io: a file of no known format.
  [/\(see `monge --help` for the list\)/g, '(see the README for the list)'],
];

/** `text` with each command-line remedy replaced by the app's. */
export function inAppWords(text: string): string {
  for (const [cli, app] of REMEDIES) text = text.replace(cli, app);
  return text;
}

/** An error's description in the app's words. */
export function errorInAppWords(info: ApiErrorInfo): ApiErrorInfo {
  return { ...info, message: inAppWords(info.message) };
}
