/**
 * Where Monge runs: its own files in the sources and in the bundles (app-files.ts), the threads a process may keep busy
 * (thread-count.ts) and its version. Loading this entry reads package.json (MONGE_VERSION), so the modules that must
 * not (those run in worker threads: core/kernels, core/field's sampler; the app's service, which reads the version only
 * when asked) import app-files.ts and thread-count.ts by path. How the bundles are built (bundle.ts) is for the build
 * scripts only and is not exported here.
 */
export { APP_ROOT, BUNDLED, appFile, runtimeFile } from './app-files.ts';
export { defaultThreadCount, threadCountOf } from './thread-count.ts';
export { MONGE_VERSION } from './version.ts';
