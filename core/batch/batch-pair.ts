/**
 * A manifest row made into the registration it asks for: the command line's registration options, overridden by
 * the row's own columns, checked by the same function `monge register` uses (core/options/registration-options.ts), with
 * OUTDIR/<id> as the output folder. A row whose options are wrong is an InputError naming the manifest line.
 */
import { join, resolve } from 'node:path';
import { InputError } from '../io/errors.ts';
import { registrationSettings, UsageError, type RegistrationOptionValues } from '../options/index.ts';
import type { RegisterRequest } from '../registration/types.ts';
import type { Manifest, ManifestRow } from './manifest.ts';

export interface BatchPair {
  /** 0-based position in the manifest. */
  index: number;
  id: string;
  /** Manifest line (for messages). */
  line: number;
  /** The registration, writing `outDir` = OUTDIR/<id>. */
  request: RegisterRequest;
}

/**
 * The command line's options with a row's columns over them. Label and threshold are one choice (which voxels to
 * register): a row giving either replaces the command line's choice, whichever of the two that was.
 */
function withRowOverrides(options: RegistrationOptionValues, overrides: RegistrationOptionValues): RegistrationOptionValues {
  const selects = overrides.label !== undefined || overrides.threshold !== undefined;
  const base = selects ? { ...options, label: undefined, threshold: undefined } : options;
  return { ...base, ...overrides };
}

/** The pair of one manifest row. `options` are the command line's registration options. */
export function batchPair(manifest: Pick<Manifest, 'path'>, row: ManifestRow, options: RegistrationOptionValues, outDir: string): BatchPair {
  let settings;
  try {
    settings = registrationSettings(withRowOverrides(options, row.overrides));
  } catch (e) {
    if (e instanceof UsageError) throw new InputError(manifest.path, 'malformed', `line ${row.line} (${row.id}): ${e.message.replace(/^--/, '')}`);
    throw e;
  }
  const request: RegisterRequest = {
    moving: row.moving,
    fixed: row.fixed,
    outDir: join(resolve(outDir), row.id),
    ...(row.movingLandmarks !== undefined && row.fixedLandmarks !== undefined ? { movingLandmarks: row.movingLandmarks, fixedLandmarks: row.fixedLandmarks } : {}),
    ...settings,
  };
  return { index: row.index, id: row.id, line: row.line, request };
}

/** Every row's pair (all checked before any runs). */
export function batchPairs(manifest: Manifest, options: RegistrationOptionValues, outDir: string): BatchPair[] {
  // Command-line paths are relative to the working directory (manifest cells: to the manifest's folder).
  const base = {
    ...options,
    ...(options['net-model'] !== undefined ? { 'net-model': resolve(options['net-model']) } : {}),
    ...(options['residual-prior'] !== undefined ? { 'residual-prior': resolve(options['residual-prior']) } : {}),
    ...(options.apply !== undefined ? { apply: options.apply.map((p) => resolve(p)) } : {}),
  };
  return manifest.rows.map((row) => batchPair(manifest, row, base, outDir));
}
