#!/usr/bin/env node
// Entry point of the `monge` command (also `npx monge`): loads the TypeScript sources through tsx's loader.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../core/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2));
