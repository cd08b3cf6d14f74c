// Entry of a CPU-pool worker thread (core/kernels/cpu-pool.ts). The project runs TypeScript through tsx, and
// Node 20 worker threads do not inherit the parent's `--import tsx` hooks (nor honour `--import` in a worker's
// execArgv for the entry module), so this plain-JS bootstrap loads cpu-worker.ts through tsx's scoped API.
import { tsImport } from 'tsx/esm/api';

await tsImport('./cpu-worker.ts', import.meta.url);
