/**
 * From displacements at the control points to displacements anywhere: normalised Gaussian kernel regression
 * (Nadaraya–Watson) on the fused kernels of core/kernels — one gaussianSum pass over (points × controls) with
 * values (u, 1):
 *   u(x) = Σ_j k(x, c_j) u_j / Σ_j k(x, c_j),   k(x, c) = exp(−|x − c|² / 2σ²)
 * with σ the mean nearest-neighbour spacing of the controls, so each point averages its few nearest controls
 * and the field is smooth between them. Points too far from every control for the Gaussian to register (sum
 * < 1e-12) take their nearest control's displacement.
 */
import type { KernelEngine } from '../../kernels/types.ts';

/** Mean distance from each control point to its nearest other control point (mm). */
export async function controlSpacingMm(engine: KernelEngine, controlMm: Float64Array): Promise<number> {
  const n = controlMm.length / 3;
  if (n < 2) return 1;
  const c = Float32Array.from(controlMm);
  const index = new Int32Array(2 * n);
  const dist2 = new Float32Array(2 * n);
  await engine.knn(2, { points: c, dim: 3 }, { points: c, dim: 3 }, index, dist2);
  let sum = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const d = Math.sqrt(dist2[2 * i + 1]);
    if (d > 0) {
      sum += d;
      count++;
    }
  }
  return count > 0 ? sum / count : 1;
}

/** Displacement (mm, N×3) at `pointsMm` from control displacements, Gaussian width `sigmaMm`. */
export async function interpolateDisplacement(
  engine: KernelEngine,
  controlMm: Float64Array,
  controlDisplacementMm: Float64Array,
  sigmaMm: number,
  pointsMm: Float64Array,
): Promise<Float64Array> {
  const n = pointsMm.length / 3;
  const m = controlMm.length / 3;
  const out = new Float64Array(3 * n);
  if (n === 0 || m === 0) return out;
  // Centre both on the controls' mean so float32 keeps sub-micrometre resolution far from the origin.
  const centre = [0, 0, 0];
  for (let j = 0; j < m; j++) for (let d = 0; d < 3; d++) centre[d] += controlMm[3 * j + d] / m;
  const x = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) for (let d = 0; d < 3; d++) x[3 * i + d] = pointsMm[3 * i + d] - centre[d];
  const y = new Float32Array(3 * m);
  const v = new Float32Array(4 * m);
  for (let j = 0; j < m; j++) {
    for (let d = 0; d < 3; d++) {
      y[3 * j + d] = controlMm[3 * j + d] - centre[d];
      v[4 * j + d] = controlDisplacementMm[3 * j + d];
    }
    v[4 * j + 3] = 1;
  }
  const sums = new Float32Array(4 * n);
  await engine.gaussianSum([sigmaMm], [1], { points: x, dim: 3 }, { points: y, dim: 3 }, v, 4, sums);
  const far: number[] = [];
  for (let i = 0; i < n; i++) {
    const w = sums[4 * i + 3];
    if (!(w > 1e-12)) {
      far.push(i);
      continue;
    }
    for (let d = 0; d < 3; d++) out[3 * i + d] = sums[4 * i + d] / w;
  }
  if (far.length > 0) {
    const q = new Float32Array(3 * far.length);
    far.forEach((i, s) => q.set(x.subarray(3 * i, 3 * i + 3), 3 * s));
    const index = new Int32Array(far.length);
    const dist2 = new Float32Array(far.length);
    await engine.knn(1, { points: q, dim: 3 }, { points: y, dim: 3 }, index, dist2);
    far.forEach((i, s) => {
      for (let d = 0; d < 3; d++) out[3 * i + d] = controlDisplacementMm[3 * index[s] + d];
    });
  }
  return out;
}
