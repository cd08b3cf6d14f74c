/**
 * The registration options shared by `monge register` and `monge batch` (where a manifest row may also override
 * them, one column per option): the option table for node:util parseArgs, and the one function that turns their
 * string values into the RegisterRequest fields. Every failure is a UsageError naming the option.
 */
import type { ParseArgsConfig } from 'node:util';
import { FIELD_FORMATS, STEP_NAMES, type FieldFormat, type PresetName, type RegisterRequest, type StepName } from '../registration/types.ts';
import { UsageError } from './usage-error.ts';
import { engineOption, frameOption, numberOption, reachOption } from './option-values.ts';

export const PRESET_NAMES: readonly PresetName[] = ['lung', 'brain', 'generic'];

/** The registration knobs (everything of `monge register` but the inputs, landmark files, -o and --overwrite). */
export const REGISTRATION_OPTIONS = {
  'moving-landmarks-prefix': { type: 'string' },
  'fixed-landmarks-prefix': { type: 'string' },
  'landmarks-frame': { type: 'string' },
  preset: { type: 'string' },
  steps: { type: 'string' },
  'field-format': { type: 'string' },
  'field-spacing': { type: 'string' },
  'inverse-field': { type: 'boolean' },
  label: { type: 'string' },
  threshold: { type: 'string' },
  apply: { type: 'string', multiple: true },
  'apply-prefix': { type: 'string' },
  engine: { type: 'string' },
  seed: { type: 'string' },
  'rotation-search': { type: 'boolean' },
  diffeomorphic: { type: 'boolean' },
  'net-model': { type: 'string' },
  blur: { type: 'string' },
  reach: { type: 'string' },
  'kernel-width': { type: 'string' },
  anisotropy: { type: 'string' },
  'residual-prior': { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

export type RegistrationOptionName = keyof typeof REGISTRATION_OPTIONS;

/**
 * Command-line switches that turn off what a preset turns on (the lung and brain presets' diffeomorphic fine-tuning).
 * Not manifest columns: a manifest cell says `diffeomorphic=false` instead.
 */
export const NEGATED_REGISTRATION_OPTIONS = {
  'no-diffeomorphic': { type: 'boolean' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** Option values as parseArgs returns them: strings, and booleans for the flags. */
export type RegistrationOptionValues = {
  [K in RegistrationOptionName]?: (typeof REGISTRATION_OPTIONS)[K] extends { multiple: true } ? string[] : (typeof REGISTRATION_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string;
};

/** The registration option values of a parsed `register` or `batch` command line, negated switches included. */
export type CommandLineRegistrationValues = RegistrationOptionValues & { [K in keyof typeof NEGATED_REGISTRATION_OPTIONS]?: boolean };

/**
 * The registration option values among a parsed command line's (its other options left out), with --no-diffeomorphic
 * made `diffeomorphic: false`; giving it with --diffeomorphic is a usage error (which one was meant is not known).
 */
export function commandLineRegistrationValues(values: CommandLineRegistrationValues): RegistrationOptionValues {
  if (values.diffeomorphic === true && values['no-diffeomorphic'] === true) throw new UsageError('give --diffeomorphic or --no-diffeomorphic, not both');
  const options: Record<string, string | boolean | string[]> = {};
  for (const key of Object.keys(REGISTRATION_OPTIONS) as RegistrationOptionName[]) {
    const value = values[key];
    if (value !== undefined) options[key] = value;
  }
  if (values['no-diffeomorphic'] === true) options.diffeomorphic = false;
  return options as RegistrationOptionValues;
}

/** The part of a RegisterRequest the options set. */
export type RegistrationSettings = Omit<RegisterRequest, 'moving' | 'fixed' | 'outDir' | 'movingLandmarks' | 'fixedLandmarks' | 'overwrite'>;

/** `--steps prealign,finetune` → step names (each known, no repeats). */
export function stepsOption(value: string | undefined): StepName[] | undefined {
  if (value === undefined) return undefined;
  const steps = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (steps.length === 0) throw new UsageError('--steps: give at least one step');
  for (const s of steps) if (!(STEP_NAMES as readonly string[]).includes(s)) throw new UsageError(`--steps: unknown step '${s}' (steps: ${STEP_NAMES.join(', ')})`);
  if (new Set(steps).size !== steps.length) throw new UsageError('--steps: a step is named twice');
  return steps as StepName[];
}

/** Checks the registration option values and turns them into request fields (absent options stay absent). */
export function registrationSettings(values: RegistrationOptionValues): RegistrationSettings {
  if (values.preset !== undefined && !(PRESET_NAMES as readonly string[]).includes(values.preset)) {
    throw new UsageError(`--preset must be one of ${PRESET_NAMES.join(', ')}, not '${values.preset}'`);
  }
  const fieldFormat = values['field-format']?.replace(/^\./, '');
  if (fieldFormat !== undefined && !(FIELD_FORMATS as readonly string[]).includes(fieldFormat)) {
    throw new UsageError(`--field-format must be one of ${FIELD_FORMATS.join(', ')}, not '${values['field-format']}'`);
  }
  if (values.label !== undefined && values.threshold !== undefined) throw new UsageError('give --label or --threshold, not both');
  const positive = (v: number) => v > 0;
  const reach = reachOption(values.reach);
  const settings: RegistrationSettings = {
    ...(values['moving-landmarks-prefix'] !== undefined ? { movingLandmarksPrefix: values['moving-landmarks-prefix'] } : {}),
    ...(values['fixed-landmarks-prefix'] !== undefined ? { fixedLandmarksPrefix: values['fixed-landmarks-prefix'] } : {}),
    landmarksFrame: frameOption(values['landmarks-frame'], '--landmarks-frame'),
    preset: values.preset as PresetName | undefined,
    steps: stepsOption(values.steps),
    fieldFormat: fieldFormat as FieldFormat | undefined,
    fieldSpacingMm: numberOption(values['field-spacing'], '--field-spacing', positive),
    engine: engineOption(values.engine),
    seed: numberOption(values.seed, '--seed', Number.isInteger),
    blurMm: numberOption(values.blur, '--blur', positive),
    ...(reach !== undefined ? { reachMm: reach } : {}),
    kernelWidthMm: numberOption(values['kernel-width'], '--kernel-width', positive),
    anisotropy: numberOption(values.anisotropy, '--anisotropy', (v) => v >= 1),
    // The flags pass false through too: a manifest cell `diffeomorphic=false` (or --no-diffeomorphic) must turn off
    // what a preset turns on, and report.json must say it was asked for.
    ...(values['inverse-field'] !== undefined ? { inverseField: values['inverse-field'] } : {}),
    ...(values.apply && values.apply.length > 0 ? { apply: values.apply } : {}),
    ...(values['apply-prefix'] !== undefined ? { applyPrefix: values['apply-prefix'] } : {}),
    label: numberOption(values.label, '--label', Number.isInteger),
    threshold: numberOption(values.threshold, '--threshold'),
    ...(values['rotation-search'] !== undefined ? { rotationSearch: values['rotation-search'] } : {}),
    ...(values.diffeomorphic !== undefined ? { diffeomorphic: values.diffeomorphic } : {}),
    ...(values['net-model'] !== undefined ? { netModelDir: values['net-model'] } : {}),
    ...(values['residual-prior'] !== undefined ? { residualPrior: values['residual-prior'] } : {}),
  };
  // Drop the keys left undefined, so that a request compares and serialises the same however it was built.
  for (const key of Object.keys(settings) as (keyof RegistrationSettings)[]) if (settings[key] === undefined) delete settings[key];
  return settings;
}
