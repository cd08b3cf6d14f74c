/**
 * Command-line options, below the commands (core/cli) and the batch runner (core/batch) that both take them: the
 * UsageError every bad option value is (exit 2), the parsers of option values shared by several commands, and the
 * registration options `monge register` and `monge batch` share (a manifest row may also override them).
 */
export { UsageError } from './usage-error.ts';
export { engineOption, frameOption, numberOption, parseCommandLine, reachOption, spacingOption } from './option-values.ts';
export {
  commandLineRegistrationValues,
  NEGATED_REGISTRATION_OPTIONS,
  PRESET_NAMES,
  REGISTRATION_OPTIONS,
  registrationSettings,
  stepsOption,
  type CommandLineRegistrationValues,
  type RegistrationOptionName,
  type RegistrationOptionValues,
  type RegistrationSettings,
} from './registration-options.ts';
