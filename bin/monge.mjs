#!/usr/bin/env node
// Entry point of the `monge` command (also `npx monge`): loads the TypeScript sources through tsx's loader.
import { register } from 'tsx/esm/api';

register();
const { runCliProgram } = await import('../core/cli/main.ts');
await runCliProgram(process.argv.slice(2));
