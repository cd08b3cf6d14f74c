// Entry of the training-sample worker thread (sample-source.ts). Node 20 worker threads do not inherit the
// parent's `--import tsx` hooks, so this plain-JS bootstrap loads sample-worker.ts through tsx's scoped API
// (as core/kernels/cpu-worker-bootstrap.mjs does).
import { tsImport } from 'tsx/esm/api';

await tsImport('./sample-worker.ts', import.meta.url);
