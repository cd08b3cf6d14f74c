// Entry of a job worker thread (job-runner.ts). The project runs TypeScript through tsx, and Node 20 worker
// threads do not inherit the parent's `--import tsx` hooks (nor honour `--import` in a worker's execArgv), so this
// plain-JS bootstrap loads job-worker.ts through tsx's scoped API (the pattern of core/kernels/cpu-worker-bootstrap.mjs).
// Modules job-worker.ts imports dynamically (the job modules) go through the same loader.
import { tsImport } from 'tsx/esm/api';

await tsImport('./job-worker.ts', import.meta.url);
