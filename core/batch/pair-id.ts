/**
 * Pair ids name folders (`OUTDIR/<id>/`) and files (`OUTDIR/thumbnails/<id>.before.png`), so they must be safe
 * path segments everywhere a cohort ends up (Linux, macOS, Windows shares, tar archives): letters, digits, `.`,
 * `_` and `-`, starting with a letter or digit (so never `.`, `..`, a hidden name or an option-like `-x`), at most
 * 128 characters, no Windows device name (`CON`, `nul.txt`, …), and none of the names the batch itself writes into
 * OUTDIR.
 */
import { isWindowsDeviceName } from '../io/windows-names.ts';

/** Names the batch writes at the top of OUTDIR (summary.csv, summary.json, report.html, thumbnails/). */
export const RESERVED_PAIR_IDS: readonly string[] = ['summary.csv', 'summary.json', 'report.html', 'thumbnails'];

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Why `id` cannot name a pair, or undefined when it can. */
export function pairIdProblem(id: string): string | undefined {
  if (id === '') return 'the id is empty';
  if (!SAFE_ID.test(id)) {
    if (/[/\\]/.test(id) || id.startsWith('.')) return `id '${id}' is not a plain folder name (no '/', '\\', or leading '.'; '..' would write outside OUTDIR)`;
    if (id.length > 128) return `id '${id.slice(0, 20)}…' is longer than 128 characters`;
    return `id '${id}' may only hold letters, digits, '.', '_' and '-', starting with a letter or digit`;
  }
  if (id.endsWith('.')) return `id '${id}' ends with '.' (Windows drops it)`;
  if (isWindowsDeviceName(id)) return `id '${id}' is a Windows device name (CON, PRN, AUX, NUL, COM1…, LPT1…), which no folder can have there`;
  if (RESERVED_PAIR_IDS.includes(id.toLowerCase())) return `id '${id}' is a name the batch uses for its own files (${RESERVED_PAIR_IDS.join(', ')})`;
  return undefined;
}
