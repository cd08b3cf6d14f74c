/**
 * Job 'register': one `monge register` run in a worker thread. It calls the registration pipeline's single entry,
 * `register(request, { onProgress, signal })` from core/registration/index.ts, which writes the output folder
 * (REGISTRATION_OUTPUTS); the service then opens that folder like any other results folder.
 */
import { register } from '../../../core/registration/index.ts';
import type { RegisterRequest } from '../../../core/registration/types.ts';
import type { JobContext, JobOutput } from './job-module.ts';

export async function run(params: unknown, { onProgress, signal }: JobContext): Promise<JobOutput> {
  const request = params as RegisterRequest;
  await register(request, { onProgress, signal });
  return { result: { outDir: request.outDir } };
}
