/**
 * `npm run demo`: a headless run on a sample that Monge generates itself — a lung-like mask and a known breathing
 * motion (core/samples/synthetic-lung.ts). It extracts the expiration surface, makes the inspiration surface by
 * the known motion, writes both (with the true displacement as a point array) to out/demo/, and prints a summary
 * and the error a do-nothing registration would have against the known motion. The registration pipeline takes
 * over the last step when it lands.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeShape } from '../io/index.ts';
import { summarizeErrors, landmarkErrors } from '../metrics/landmark-error.ts';
import { applyBreathing, syntheticLungMask } from '../samples/synthetic-lung.ts';
import { extractSurface } from '../shape/extract-surface.ts';
import { boundsOf, type Shape } from '../shape/types.ts';

const outDir = process.argv[2] ?? join(process.cwd(), 'out', 'demo');
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
  arrays: [{ name: 'true_displacement', components: 3, values: displacement, spatialVector: true }],
};
await mkdir(outDir, { recursive: true });
await writeShape(join(outDir, 'moving.vtk'), moving);
await writeShape(join(outDir, 'fixed.vtk'), fixed);

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
    `  error of the identity map against it: ${identity.mean.toFixed(2)} mm (the registration pipeline is not built yet)`,
    `  wrote ${join(outDir, 'moving.vtk')} and fixed.vtk in ${((performance.now() - t0) / 1000).toFixed(2)} s`,
    '',
  ].join('\n'),
);
