/**
 * `npm run demo`: a headless registration of a sample that Monge generates itself — a lung-like mask and a known
 * breathing motion (core/samples/synthetic-lung.ts). It extracts the expiration surface, makes the inspiration
 * surface by the known motion (same vertices, so the true correspondence is exact), writes both to out/demo/
 * (with the true displacement as a point array), registers them with the full pipeline (`register()`, lung
 * preset) into out/demo/registration/, and prints the error of each step against the known motion.
 *
 *   npm run demo [-- OUTDIR]   (default out/demo; a folder holding only an earlier demo's files is rewritten, any
 *                               other non-empty folder is refused)
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeShape } from '../io/index.ts';
import { FolderCreationError, makeFolder } from '../io/make-folder.ts';
import { landmarkErrors, summarizeErrors } from '../metrics/landmark-error.ts';
import { register } from '../registration/index.ts';
import { applyBreathing, syntheticLungMask } from '../samples/index.ts';
import { boundsOf, extractSurface, type Shape } from '../shape/index.ts';

const USAGE = `Usage: npm run demo [-- OUTDIR]
Registers a synthetic lung pair with a known breathing motion (lung preset, all steps) and prints each step's error
against that motion. Writes moving.vtk, fixed.vtk and registration/ to OUTDIR (default out/demo).\n`;

/** Stops with a usage error (exit 2): the demo writes nothing. */
function usageExit(message: string): never {
  process.stderr.write(`demo: ${message}\n${USAGE}`);
  process.exit(2);
}

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const option = args.find((a) => a.startsWith('-'));
if (option !== undefined) usageExit(`unknown option '${option}'`);
if (args.length > 1) usageExit(`one output folder at most (got ${args.length})`);
const outDir = resolve(args[0] ?? join('out', 'demo'));
// The demo rewrites its own files on every run; it must not take over a folder holding anything else.
const DEMO_ENTRIES = ['moving.vtk', 'fixed.vtk', 'registration'];
const present = await readdir(outDir).catch(() => [] as string[]);
const foreign = present.filter((n) => !DEMO_ENTRIES.includes(n));
if (foreign.length > 0) usageExit(`${outDir} holds other files (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', …' : ''}); give a new folder or an earlier demo's`);
const t0 = performance.now();
const mask = syntheticLungMask();
const moving = extractSurface(mask, { smoothIterations: 10, targetVertices: 4000 });
const fixedPoints = applyBreathing(moving.pointsLps);
const displacement = new Float32Array(fixedPoints.length);
for (let i = 0; i < displacement.length; i++) displacement[i] = fixedPoints[i] - moving.pointsLps[i];
const fixed: Shape = {
  ...moving,
  pointsLps: fixedPoints,
  normalsLps: undefined,
  mass: undefined,
  arrays: [{ name: 'true_displacement', components: 3, values: displacement, spatialVector: true }],
};
await makeFolder(outDir).catch((e: unknown) => (e instanceof FolderCreationError ? usageExit(e.message) : Promise.reject(e)));
const movingPath = join(outDir, 'moving.vtk');
const fixedPath = join(outDir, 'fixed.vtk');
await writeShape(movingPath, moving);
await writeShape(fixedPath, fixed);

const describe = (name: string, s: Shape) => {
  const b = boundsOf(s.pointsLps).map((v) => v.toFixed(1));
  return `  ${name.padEnd(7)} ${s.pointsLps.length / 3} vertices, ${(s.triangles?.length ?? 0) / 3} triangles, bounds x [${b[0]}, ${b[1]}] y [${b[2]}, ${b[3]}] z [${b[4]}, ${b[5]}] mm (LPS)`;
};
const identity = summarizeErrors(landmarkErrors(moving.pointsLps, fixedPoints));
process.stdout.write(
  [
    'Monge demo: synthetic lung pair with a known breathing motion',
    describe('moving', moving),
    describe('fixed', fixed),
    `  known motion: mean ${identity.mean.toFixed(2)} mm, p90 ${identity.p90.toFixed(2)} mm, max ${identity.max.toFixed(2)} mm`,
    '',
  ].join('\n'),
);

const registrationDir = join(outDir, 'registration');
const summary = await register({ moving: movingPath, fixed: fixedPath, outDir: registrationDir, preset: 'lung', overwrite: true, seed: 0 });
const report = JSON.parse(await readFile(join(registrationDir, 'report.json'), 'utf8')) as {
  metrics: Record<string, { vertexError?: { mean: number; p90: number; max: number }; surfaceDistance: { chamferMm: number } }>;
};
const lines = ['Error against the known motion (vertex i ↔ vertex i), mm:'];
for (const [phase, m] of Object.entries(report.metrics)) {
  if (phase === 'after' || !m.vertexError) continue;
  lines.push(`  ${(phase === 'before' ? 'identity' : phase).padEnd(9)} mean ${m.vertexError.mean.toFixed(2)}, p90 ${m.vertexError.p90.toFixed(2)}, max ${m.vertexError.max.toFixed(2)}   (surface chamfer ${m.surfaceDistance.chamferMm.toFixed(2)})`);
}
for (const s of summary.steps) if (s.status === 'skipped') lines.push(`  ${s.name}: ${s.note}`);
const j = summary.jacobian.insideFixed;
lines.push(
  `  Jacobian min ${j.min.toFixed(3)}, folding ${(100 * j.nonPositiveFraction).toFixed(3)} % (${summary.jacobian.region})`,
  `  wrote ${movingPath}, ${fixedPath} and ${registrationDir}/ (${summary.files.length} files) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  '',
);
process.stdout.write(lines.join('\n'));
