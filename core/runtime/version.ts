import { readFileSync } from 'node:fs';
import { appFile } from './app-files.ts';

/** Monge's version, from package.json (one source of truth). */
export const MONGE_VERSION: string = (
  JSON.parse(readFileSync(appFile('package.json'), 'utf8')) as { version: string }
).version;
