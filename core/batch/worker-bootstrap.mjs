// Entry of a `monge batch` worker process (core/batch/worker-pool.ts forks it). Like bin/monge.mjs, it loads the
// TypeScript sources through tsx's loader, resolved from this file rather than from the working directory, so the
// workers start wherever `monge` is run from.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
