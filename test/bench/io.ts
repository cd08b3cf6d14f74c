/**
 * I/O and surface benchmarks: read times of a 1M-triangle binary STL and VTK, a 256³ NIfTI, and surface
 * extraction from the copd1 lung mask. Files are generated in a temporary folder by Monge's own writers.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readImage } from '../../core/io/images/read-image.ts';
import { writeImage } from '../../core/io/images/write-image.ts';
import { readMesh, writeMesh } from '../../core/io/meshes/index.ts';
import { extractSurface } from '../../core/shape/extract-surface.ts';
import type { Shape } from '../../core/shape/types.ts';
import { sharedPath } from '../support/data.ts';

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
  const dir = await mkdtemp(join(tmpdir(), 'monge-bench-'));
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

    const n = 256;
    const data = new Float32Array(n * n * n);
    for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) % 1000;
    const nifti = join(dir, 'volume.nii.gz');
    await writeImage(nifti, {
      size: [n, n, n],
      spacingMm: [1, 1, 1],
      originLps: [0, 0, 0],
      directionLps: Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1),
      components: 1,
      data,
    });
    const readNifti = await bestOf(3, () => readImage(nifti));
    results.read_nifti_256cubed_float32 = { seconds: readNifti.seconds, megabytes: (await stat(nifti)).size / 1e6 };

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
    await rm(dir, { recursive: true, force: true });
  }
  return results;
}
