/**
 * `npm run bench`: runs every benchmark section and writes machine-readable JSON to .bench/results.json (and
 * stdout). Sections: io (file reads, surface extraction), kernels (fused reductions), gpu (the WebGPU engine
 * beside the CPU engine), ot (robust matching at scale and side by side with GeomLoss and POT), net (the lung network's inference at 60k points), register
 * (`monge register` end to end on a COPD mask pair).
 * Select sections with arguments: `npm run bench -- io kernels`. Arguments are checked before anything runs: an
 * unknown section or option exits 2 and writes nothing; stdout holds one JSON document, the report.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { endBySignal } from '../../core/cli/interrupt.ts';
import { removeLeftoversNow } from '../../core/io/leftovers.ts';
import { REPO_ROOT } from '../support/data.ts';
import { benchIo } from './io.ts';

type Section = () => Promise<Record<string, unknown>>;

const SECTIONS: Record<string, Section> = {
  io: benchIo,
  kernels: async () => (await import('./kernels.ts')).benchKernels(),
  gpu: async () => (await import('./gpu.ts')).benchGpu(),
  ot: async () => (await import('./ot-peers.ts')).benchOt(),
  net: async () => (await import('./net.ts')).benchNet(),
  register: async () => (await import('./register.ts')).benchRegister(),
};

const USAGE = `Usage: npm run bench [-- SECTION...]   (sections: ${Object.keys(SECTIONS).join(', ')}; default all)
Writes the report as JSON to .bench/results.json and stdout; progress goes to stderr.\n`;

const args = process.argv.slice(2);
if (args.some((a) => a === '-h' || a === '--help')) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const unknown = args.filter((a) => a.startsWith('-') || !Object.hasOwn(SECTIONS, a));
if (unknown.length > 0) {
  process.stderr.write(`bench: unknown ${unknown.map((a) => (a.startsWith('-') ? `option '${a}'` : `section '${a}'`)).join(', ')}\n${USAGE}`);
  process.exit(2);
}
const names = args.length > 0 ? args : Object.keys(SECTIONS);
// Stopped (Ctrl-C, a scheduler's SIGTERM): the sections' scratch folders go too (scratch.ts), then the run ends by
// the signal, as `monge` does (core/cli/interrupt.ts). Nothing is half-written: the report is written at the end.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    removeLeftoversNow();
    process.stderr.write(`bench: stopped (${signal})\n`);
    endBySignal(signal);
  });
}
const report: Record<string, unknown> = {
  date: new Date().toISOString(),
  machine: { cpus: availableParallelism(), cpu_model: cpus()[0]?.model, memory_gb: totalmem() / 1024 ** 3, node: process.version },
};
for (const name of names) {
  const section = SECTIONS[name];
  process.stderr.write(`bench: ${name} …\n`);
  const t0 = performance.now();
  report[name] = await section();
  process.stderr.write(`bench: ${name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}
report.peak_rss_mb = process.resourceUsage().maxRSS / 1024;
const dir = join(REPO_ROOT, '.bench');
await mkdir(dir, { recursive: true });
await writeFile(join(dir, 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
