/**
 * A worker thread of sampleOnGrid (sample-workers.ts): rebuilds the deformation from its data form, samples its slab
 * with the same loop as the calling thread (sampleRange), and answers once.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { deformationFromData } from './deformation-data.ts';
import { sampleRange } from './sample-on-grid.ts';
import type { SampleJob, SampleReply } from './sample-workers.ts';

const port = parentPort;
if (!port) throw new Error('sample-worker.ts must run as a worker thread');
const job = workerData as SampleJob;
let reply: SampleReply;
try {
  const values = job.precision === 'float64' ? new Float64Array(3 * job.count) : new Float32Array(3 * job.count);
  const residuals = await sampleRange(deformationFromData(job.deformation), job.grid, job.start, job.count, values, job.settings);
  reply = { ok: true, values, residuals };
} catch (error) {
  reply = { ok: false, message: (error as Error).message };
}
port.postMessage(reply, reply.ok ? [reply.values.buffer as ArrayBuffer] : []);
