/** Parsing of option values shared by several commands; each failure is a UsageError (exit 2). */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseFrame, type Frame } from '../frames/index.ts';
import { ENGINE_NAMES } from '../kernels/index.ts';
import type { EngineName } from '../kernels/types.ts';
import { UsageError } from './usage-error.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs in strict mode, with its errors turned into UsageError. */
export function parseCommandLine<T extends Options>(argv: string[], options: T, positionals: { min: number; max: number; names: string }) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const n = parsed.positionals.length;
  if (n < positionals.min || n > positionals.max) {
    throw new UsageError(`expected ${positionals.names}, got ${n} argument${n === 1 ? '' : 's'}`);
  }
  return parsed;
}

/** `ras` | `lps` → Frame; undefined passes through. */
export function frameOption(value: string | undefined, option: string): Frame | undefined {
  if (value === undefined) return undefined;
  const frame = parseFrame(value);
  if (!frame) throw new UsageError(`${option} must be ras or lps, not '${value}'`);
  return frame;
}

/** `X,Y,Z` (mm) → a spacing triple. */
export function spacingOption(value: string | undefined, option: string): [number, number, number] | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(/[,x ]/).filter(Boolean).map(Number);
  if (parts.length !== 3 || parts.some((v) => !Number.isFinite(v) || v <= 0)) {
    throw new UsageError(`${option} must be three positive numbers X,Y,Z in mm, not '${value}'`);
  }
  return [parts[0], parts[1], parts[2]];
}

/** A finite number option. An empty or blank value is refused: Number('') is 0, which `--label ''` does not mean. */
export function numberOption(value: string | undefined, option: string, check: (v: number) => boolean = () => true): number | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') throw new UsageError(`${option}: the value is empty; give a number`);
  const v = Number(value);
  if (!Number.isFinite(v) || !check(v)) throw new UsageError(`${option}: invalid value '${value}'`);
  return v;
}

/**
 * `--reach MM|none` (register, batch, ot): a positive length in mm, or `none` in any case for balanced OT (null);
 * undefined passes through. One parser, so that the commands take the same spellings.
 */
export function reachOption(value: string | undefined): number | null | undefined {
  if (value === undefined) return undefined;
  if (value.trim().toLowerCase() === 'none') return null;
  return numberOption(value, '--reach', (v) => v > 0);
}

/** `--engine`: one of ENGINE_NAMES (any case); undefined passes through. */
export function engineOption(value: string | undefined): EngineName | 'auto' | undefined {
  if (value === undefined) return undefined;
  const name = value.toLowerCase();
  if (!(ENGINE_NAMES as readonly string[]).includes(name)) throw new UsageError(`--engine must be one of ${ENGINE_NAMES.join(', ')}, not '${value}'`);
  return name as EngineName | 'auto';
}
