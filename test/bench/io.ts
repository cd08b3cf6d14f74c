/**
 * I/O and surface benchmarks: read times of a 1M-triangle binary STL and VTK, a 256³ NIfTI, and surface
 * extraction from the copd1 lung mask. Files are generated in a temporary folder by Monge's own writers.
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readImage } from '../../core/io/images/read-image.ts';
import { writeImage } from '../../core/io/images/write-image.ts';
import { readMesh, writeMesh } from '../../core/io/meshes/index.ts';
import { extractSurface, type Shape } from '../../core/shape/index.ts';
import { sharedPath } from '../support/data.ts';
import { mulberry32 } from '../support/mutate.ts';
import { benchScratch } from './scratch.ts';

/** Best of `repeats` wall times (s) of `fn`. */
export async function bestOf<T>(repeats: number, fn: () => Promise<T> | T): Promise<{ seconds: number; result: T }> {
  let best = Infinity;
  let result!: T;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    result = await fn();
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return { seconds: best, result };
}

/** A closed torus with nu × nv vertices and 2·nu·nv triangles (R = 100 mm, r = 30 mm). */
export function torusMesh(nu: number, nv: number): Shape {
  const points = new Float64Array(nu * nv * 3);
  const triangles = new Uint32Array(nu * nv * 6);
  for (let a = 0; a < nu; a++) {
    const u = (2 * Math.PI * a) / nu;
    for (let b = 0; b < nv; b++) {
      const v = (2 * Math.PI * b) / nv;
      const o = 3 * (a * nv + b);
      points[o] = (100 + 30 * Math.cos(v)) * Math.cos(u);
      points[o + 1] = (100 + 30 * Math.cos(v)) * Math.sin(u);
      points[o + 2] = 30 * Math.sin(v);
      const i00 = a * nv + b;
      const i10 = ((a + 1) % nu) * nv + b;
      const i01 = a * nv + ((b + 1) % nv);
      const i11 = ((a + 1) % nu) * nv + ((b + 1) % nv);
      triangles.set([i00, i10, i11, i00, i11, i01], 6 * i00);
    }
  }
  return { kind: 'mesh', pointsLps: points, triangles, arrays: [], sourceFrame: 'LPS' };
}

export async function benchIo(): Promise<Record<string, unknown>> {
  const scratch = await benchScratch('monge-bench-');
  const dir = scratch.dir;
  const results: Record<string, unknown> = {};
  try {
    const torus = torusMesh(1000, 500);
    for (const ext of ['stl', 'vtk']) {
      const file = join(dir, `torus.${ext}`);
      await writeMesh(file, torus, { binary: true });
      const { seconds, result } = await bestOf(3, () => readMesh(file));
      results[`read_${ext}_1M_triangles`] = {
        seconds,
        triangles: (result.triangles?.length ?? 0) / 3,
        points: result.pointsLps.length / 3,
        megabytes: (await stat(file)).size / 1e6,
      };
    }

    // A CT-like 256³ int16 volume: a smooth body-sized blob plus noise, so gzip compresses it as it would a scan.
    const n = 256;
    const data = new Int16Array(n * n * n);
    const random = mulberry32(7);
    for (let k = 0, v = 0; k < n; k++)
      for (let j = 0; j < n; j++)
        for (let i = 0; i < n; i++, v++) {
          const r2 = ((i - 128) ** 2 + (j - 128) ** 2) / 110 ** 2 + ((k - 128) / 120) ** 2;
          data[v] = (r2 < 1 ? 40 : -1000) + Math.round((random() - 0.5) * 60);
        }
    const volume = { size: [n, n, n] as [number, number, number], spacingMm: [1, 1, 1] as [number, number, number], originLps: [0, 0, 0] as [number, number, number], directionLps: Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1), components: 1, data };
    for (const name of ['volume.nii.gz', 'volume.nii']) {
      const file = join(dir, name);
      await writeImage(file, volume);
      const read = await bestOf(3, () => readImage(file));
      results[`read_${name.replace('volume.', '').replace('.', '_')}_256cubed_int16`] = { seconds: read.seconds, megabytes: (await stat(file)).size / 1e6 };
    }

    const mask = sharedPath('lung/dirlab-copd/copd1_exp_lungmask.nii.gz');
    if (existsSync(mask)) {
      const image = await readImage(mask);
      const raw = await bestOf(3, () => extractSurface(image, {}));
      const full = await bestOf(1, () => extractSurface(image, { smoothIterations: 10, targetVertices: 20000 }));
      results.surface_copd1_mask = {
        extract_seconds: raw.seconds,
        vertices: raw.result.pointsLps.length / 3,
        smooth10_decimate20k_seconds: full.seconds,
      };
    } else {
      results.surface_copd1_mask = { skipped: `no shared data at ${mask}` };
    }
  } finally {
    await scratch.remove();
  }
  return results;
}
