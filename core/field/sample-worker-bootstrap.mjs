// Entry of a field-sampling worker thread (core/field/sample-workers.ts) when the sources run: Node 20 worker threads
// do not inherit the parent's `--import tsx`, so this plain-JS bootstrap loads sample-worker.ts through tsx's scoped
// API (as core/kernels/cpu-worker-bootstrap.mjs does). The Electron bundle has field-sample-worker.mjs instead.
import { tsImport } from 'tsx/esm/api';

await tsImport('./sample-worker.ts', import.meta.url);
