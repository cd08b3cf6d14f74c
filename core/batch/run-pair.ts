/**
 * One pair of a batch, in a worker process: clear what an earlier attempt left, run the registration exactly as
 * `monge register` does (core/registration runRegistration, writing OUTDIR/<id>/ all at once), verify the outputs
 * (every reported file present and non-empty, report.json readable, the shapes read back for the thumbnails),
 * render the thumbnails, and only then write the completion mark. Any failure becomes an error row with its reason;
 * nothing is thrown, so one bad pair never stops the others.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../io/errors.ts';
import { outputWriteMessage } from '../io/output-write-error.ts';
import { CancelledError, type ProgressCallback } from '../progress/index.ts';
import { runRegistration, type RegistrationSummary } from '../registration/index.ts';
import { REGISTRATION_OUTPUTS } from '../registration/types.ts';
import type { BatchPair } from './batch-pair.ts';
import { requestInputPaths } from '../registration/pipeline/request-inputs.ts';
import { recordFiles, recordInputs, requestFingerprint, writeDoneMarker, type InputFileRecord } from './done-marker.ts';
import { clearPairLeftovers } from './pair-leftovers.ts';
import { writePairThumbnails } from './pair-thumbnails.ts';
import { errorRow, successRow, type ErrorKind, type PairIdentity, type ReportTiming, type SummaryEntry } from './summary-row.ts';

export interface PairJob {
  pair: BatchPair;
  /** The batch's OUTDIR (absolute). */
  outDir: string;
}

export function pairIdentity(pair: BatchPair): PairIdentity {
  return { index: pair.index, id: pair.id, moving: pair.request.moving, fixed: pair.request.fixed, dir: pair.id };
}

/** An error's kind and message for the summary. */
export function classifyError(e: unknown): { kind: ErrorKind; message: string } {
  if (e instanceof InputError) return { kind: 'input', message: e.message };
  if (e instanceof CancelledError) return { kind: 'cancelled', message: e.message };
  const unwritable = outputWriteMessage(e);
  if (unwritable !== undefined) return { kind: 'output', message: unwritable };
  if (e instanceof Error) return { kind: 'registration', message: e.message || e.name };
  return { kind: 'registration', message: String(e) };
}

/** Checks what register() reported writing and returns report.json's timing. */
async function verifyOutputs(pairDir: string, summary: RegistrationSummary): Promise<ReportTiming> {
  for (const f of summary.files) {
    const info = await stat(join(pairDir, f)).catch(() => undefined);
    if (!info?.isFile()) throw new Error(`output ${f} is missing`);
    if (info.size === 0) throw new Error(`output ${f} is empty`);
  }
  let report: { timing?: ReportTiming; metrics?: { after?: unknown } };
  try {
    report = JSON.parse(await readFile(join(pairDir, REGISTRATION_OUTPUTS.report), 'utf8'));
  } catch (e) {
    throw new Error(`report.json cannot be read back (${(e as Error).message})`);
  }
  if (!report.timing?.readingInputs || !report.timing.outputs || !report.metrics?.after) throw new Error('report.json lacks its timing or metrics');
  return report.timing;
}

/** Runs one pair; always resolves with its summary row. */
export async function runPair(job: PairJob, options: { signal?: AbortSignal; onProgress?: ProgressCallback } = {}): Promise<SummaryEntry> {
  const { pair, outDir } = job;
  const identity = pairIdentity(pair);
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  await clearPairLeftovers(outDir, pair.id);
  // The inputs as they are before the registration reads them (a missing one: the registration says so, better).
  const inputs: InputFileRecord[] | undefined = await recordInputs(requestInputPaths(pair.request)).catch(() => undefined);
  let summary: RegistrationSummary;
  try {
    summary = (await runRegistration(pair.request, options)).summary;
  } catch (e) {
    const { kind, message } = classifyError(e);
    await clearPairLeftovers(outDir, pair.id).catch(() => undefined);
    return errorRow(identity, kind === 'cancelled' ? 'cancelled' : 'failed', kind, message, elapsed());
  }
  try {
    const pairDir = join(outDir, pair.id);
    const timing = await verifyOutputs(pairDir, summary);
    options.onProgress?.({ stage: 'thumbnails', fraction: 0 });
    const thumbnails = await writePairThumbnails(outDir, pair.id, pair.request, summary.files);
    const row = successRow(identity, summary, timing, elapsed());
    const files = await recordFiles(outDir, [...summary.files.map((f) => `${pair.id}/${f}`), ...thumbnails]);
    await writeDoneMarker(outDir, { id: pair.id, fingerprint: requestFingerprint(pair.request), inputs: inputs ?? (await recordInputs(requestInputPaths(pair.request))), files, row });
    return row;
  } catch (e) {
    // The folder stays (it is what register() wrote) but carries no completion mark, so --resume redoes it.
    return errorRow(identity, 'failed', 'output', `the outputs did not verify: ${(e as Error).message ?? String(e)}`, elapsed());
  }
}
