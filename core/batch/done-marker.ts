/**
 * The completion mark of a pair, `OUTDIR/<id>/.done.json`: written last (atomically: a temporary name, then a
 * rename), only after the pair's outputs were read back and checked, and listing every output file with its size
 * and SHA-256, and every input (requestInputPaths: moving, fixed, landmarks, the network folder the 'net' step
 * reads, named or default, a residual prior, the files to apply the result to) with the size, modification time and SHA-256 it had when the pair started. `--resume` trusts a pair only when its mark parses, was made for
 * the same registration (the request's fingerprint: input paths and settings), every input still has its contents
 * (size and time as recorded, else its hash is checked: a copied or touched cohort is not redone, a re-made mask
 * is) and every listed output still has its size and hash; anything else — no mark, a half-written folder from a
 * killed run, a file truncated or edited since — is redone. A crash can therefore never leave something that looks
 * complete and is not.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MONGE_VERSION } from '../runtime/index.ts';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { sha256Of } from '../registration/pipeline/inputs.ts';
import { netModelRead } from '../registration/pipeline/request-inputs.ts';
import { REQUEST_DEFAULTS, type RegisterRequest } from '../registration/types.ts';
import type { SummaryEntry } from './summary-row.ts';

export const DONE_MARKER = '.done.json';

export interface OutputFileRecord {
  /** Relative to OUTDIR, POSIX separators. */
  path: string;
  bytes: number;
  sha256: string;
}

export interface InputFileRecord {
  /** Absolute, as in the request. */
  path: string;
  bytes: number;
  mtimeMs: number;
  /** sha256Of(): a file's bytes, or a folder's files. */
  sha256: string;
  /** The path did not exist (a default network folder that is not there: the step was skipped). */
  absent?: true;
}

export interface DoneMarker {
  kind: 'monge-batch-pair-done';
  monge: string;
  id: string;
  /** requestFingerprint() of the registration that made the outputs. */
  fingerprint: string;
  completedAt: string;
  /** The inputs as they were when the pair started. */
  inputs: InputFileRecord[];
  files: OutputFileRecord[];
  /** The pair's summary row, reused when the pair is skipped. */
  row: SummaryEntry;
}

/** JSON with sorted keys (the same object always gives the same text). */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * SHA-256 of what a registration was asked to do (inputs, landmarks, every setting, Monge's version), not where it
 * writes. A setting stated at its default (REQUEST_DEFAULTS: `--seed 0`) counts as left out: it asks for the same
 * registration, so a resumed batch that now spells it out does not redo its pairs.
 */
export function requestFingerprint(request: RegisterRequest): string {
  const { outDir: _outDir, overwrite: _overwrite, ...rest } = request;
  const defaults: Record<string, unknown> = REQUEST_DEFAULTS;
  const stated = Object.fromEntries(Object.entries(rest).filter(([k, v]) => !(k in defaults && canonicalJson(v) === canonicalJson(defaults[k]))));
  return createHash('sha256').update(canonicalJson({ monge: MONGE_VERSION, request: stated, netModel: netModelRead(request) })).digest('hex');
}

/**
 * Size, time and hash of each input; one that does not exist is recorded as absent (a registration that completed
 * did without it: a default network folder that is not there), so that its appearing later counts as a change.
 * Throws when one exists and cannot be read.
 */
export async function recordInputs(paths: readonly string[]): Promise<InputFileRecord[]> {
  const records: InputFileRecord[] = [];
  for (const path of paths) {
    const info = await stat(path).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });
    records.push(info ? { path, bytes: info.size, mtimeMs: info.mtimeMs, sha256: await sha256Of(path) } : { path, bytes: 0, mtimeMs: 0, sha256: '', absent: true });
  }
  return records;
}

/** Why an input no longer is what the pair was made from, or undefined when it is. */
async function inputChange(input: InputFileRecord): Promise<string | undefined> {
  const info = await stat(input.path).catch(() => undefined);
  if (input.absent) return info ? `input ${input.path} appeared since it was completed` : undefined;
  if (!info) return `input ${input.path} is missing`;
  // Same size and time: unchanged (a folder's time does not follow edits of its files, so a folder is hashed).
  if (info.isFile() && info.size === input.bytes && info.mtimeMs === input.mtimeMs) return undefined;
  const sha256 = await sha256Of(input.path).catch(() => '');
  return sha256 === input.sha256 ? undefined : `input ${input.path} changed since it was completed`;
}

/** Size and hash of each file (paths relative to `outDir`). */
export async function recordFiles(outDir: string, paths: readonly string[]): Promise<OutputFileRecord[]> {
  const records: OutputFileRecord[] = [];
  for (const path of paths) {
    const full = join(outDir, path);
    records.push({ path, bytes: (await stat(full)).size, sha256: await sha256Of(full) });
  }
  return records;
}

/** Writes the mark (last, atomically). */
export async function writeDoneMarker(outDir: string, marker: Omit<DoneMarker, 'kind' | 'monge' | 'completedAt'>): Promise<void> {
  const full: DoneMarker = { kind: 'monge-batch-pair-done', monge: MONGE_VERSION, completedAt: new Date().toISOString(), ...marker };
  await writeFileAtomic(join(outDir, marker.id, DONE_MARKER), `${JSON.stringify(full, null, 2)}\n`);
}

export type MarkerCheck = { complete: true; marker: DoneMarker } | { complete: false; reason: string };

/** Whether pair `id` under `outDir` is complete for `fingerprint`, by its mark and its files. */
export async function verifyDoneMarker(outDir: string, id: string, fingerprint: string): Promise<MarkerCheck> {
  let marker: DoneMarker;
  try {
    marker = JSON.parse(await readFile(join(outDir, id, DONE_MARKER), 'utf8')) as DoneMarker;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { complete: false, reason: code === 'ENOENT' ? 'not completed' : `unreadable completion mark (${(e as Error).message})` };
  }
  if (marker?.kind !== 'monge-batch-pair-done' || marker.id !== id || !Array.isArray(marker.inputs) || !Array.isArray(marker.files) || typeof marker.row !== 'object' || marker.row === null) {
    return { complete: false, reason: 'the completion mark is not one Monge wrote' };
  }
  if (marker.fingerprint !== fingerprint) return { complete: false, reason: 'its inputs or settings changed since it was completed' };
  for (const input of marker.inputs) {
    const change = await inputChange(input);
    if (change) return { complete: false, reason: change };
  }
  for (const f of marker.files) {
    const full = join(outDir, f.path);
    const info = await stat(full).catch(() => undefined);
    if (!info?.isFile()) return { complete: false, reason: `${f.path} is missing` };
    if (info.size !== f.bytes) return { complete: false, reason: `${f.path} has ${info.size} bytes, ${f.bytes} when completed` };
    if ((await sha256Of(full)) !== f.sha256) return { complete: false, reason: `${f.path} changed since it was completed (SHA-256 differs)` };
  }
  return { complete: true, marker };
}
