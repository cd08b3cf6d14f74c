/**
 * Job 'register': one `monge register` run in a worker thread. It calls the registration pipeline's single entry,
 * `register(request, { onProgress, signal })` from core/registration/index.ts, which writes the output folder
 * (REGISTRATION_OUTPUTS); the service then opens that folder like any other results folder.
 *
 * The pipeline module is imported by a computed URL and checked at run time, so that this file type-checks and
 * the app works (with a clear message) in a tree where the pipeline has not landed. Once it has, this becomes
 *   import { register } from '../../../core/registration/index.ts';
 */
import type { ProgressOptions } from '../../../core/progress/index.ts';
import type { RegisterRequest } from '../../../core/registration/types.ts';
import type { JobContext, JobOutput } from './job-module.ts';

type RegisterFn = (request: RegisterRequest, options: ProgressOptions) => Promise<void>;

/** The pipeline's entry module, named through a URL so that TypeScript does not require it yet. */
const PIPELINE_URL = new URL('../../../core/registration/index.ts', import.meta.url);

async function loadRegister(): Promise<RegisterFn> {
  let module: { register?: unknown };
  try {
    module = (await import(PIPELINE_URL.href)) as { register?: unknown };
  } catch (error) {
    throw new Error(`the registration pipeline is not available in this build (${PIPELINE_URL.pathname}: ${(error as Error).message})`);
  }
  if (typeof module.register !== 'function') throw new Error('core/registration/index.ts has no register() export');
  return module.register as RegisterFn;
}

export async function run(params: unknown, { onProgress, signal }: JobContext): Promise<JobOutput> {
  const request = params as RegisterRequest;
  const register = await loadRegister();
  await register(request, { onProgress, signal });
  return { result: { outDir: request.outDir } };
}
