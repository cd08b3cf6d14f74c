/**
 * Job 'warp': a file carried through a results folder's displacement field in a worker thread (core/warp's
 * applyField, what `monge warp` runs), so that resampling a CT of millions of voxels keeps the host responsive.
 */
import { applyField, type ApplyFieldRequest } from '../../../core/warp/apply-field.ts';
import type { JobContext, JobOutput } from './job-module.ts';

export async function run(params: unknown, { onProgress, signal }: JobContext): Promise<JobOutput> {
  return { result: await applyField(params as ApplyFieldRequest, { onProgress, signal }) };
}
