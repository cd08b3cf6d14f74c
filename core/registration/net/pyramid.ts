/**
 * The point pyramid fed to the network, computed outside the graph (JS and the fused kNN kernels of
 * core/kernels): a random pool of the cloud, statistical outlier removal, farthest-point sampling of N0 control
 * points whose prefixes are the coarser levels (FPS is progressive: its first n picks are an n-point FPS), the
 * normalisation (centroid of the control points, preset scale), and the fixed kNN neighbourhoods the layers group
 * over. Only the cost-volume neighbourhoods (warped source → target) are searched inside the graph.
 */
import type { KernelEngine } from '../../kernels/types.ts';
import { farthestPointSample, mulberry32 } from '../../shape/index.ts';
import type { NetConfig } from './config.ts';

export type Vec3 = [number, number, number];

/** Neighbour tables (row-major, local indices), named <query level><reference level>. */
export interface PyramidNeighbours {
  /** L1 → L0, kFeature. */
  nbr10: Int32Array;
  /** L2 → L1, kFeature. */
  nbr21: Int32Array;
  /** L1 → L1, kFlow. */
  nbr11: Int32Array;
  /** L2 → L2, kFlow. */
  nbr22: Int32Array;
  /** L0 → L1, 3 (interpolation). */
  up01: Int32Array;
  /** L1 → L2, 3. */
  up12: Int32Array;
}

export interface CloudPyramid extends PyramidNeighbours {
  /** N0×3 normalised coordinates (float32), FPS order: level l is the first levels[l] rows. */
  points: Float32Array;
  /** The control points in mm (N0×3), same order. */
  controlMm: Float64Array;
  /** Index of each control point in the input cloud. */
  controlIndex: Uint32Array;
  centreMm: Vec3;
  /** Input points dropped as isolated (statistical outlier removal on the pool). */
  removedOutliers: number;
}

/** Neighbours used for the statistical outlier test (Rusu et al. 2008, PCL StatisticalOutlierRemoval). */
const OUTLIER_NEIGHBOURS = 8;
/** A point is an outlier when its mean neighbour distance exceeds median + OUTLIER_MADS · 1.4826 · MAD. */
const OUTLIER_MADS = 4;

async function knn(engine: KernelEngine, k: number, query: Float32Array, ref: Float32Array): Promise<{ index: Int32Array; dist2: Float32Array }> {
  const n = query.length / 3;
  const index = new Int32Array(n * k);
  const dist2 = new Float32Array(n * k);
  await engine.knn(k, { points: query, dim: 3 }, { points: ref, dim: 3 }, index, dist2);
  return { index, dist2 };
}

function median(values: Float64Array): number {
  const s = Float64Array.from(values).sort();
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

/** Indices of the pool points that pass the statistical outlier test. */
async function inlierIndices(engine: KernelEngine, pool: Float32Array): Promise<Uint32Array> {
  const n = pool.length / 3;
  const k = Math.min(OUTLIER_NEIGHBOURS + 1, n);
  if (n < 16) return Uint32Array.from({ length: n }, (_, i) => i);
  const { dist2 } = await knn(engine, k, pool, pool);
  const meanDist = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 1; j < k; j++) s += Math.sqrt(dist2[i * k + j]);
    meanDist[i] = s / (k - 1);
  }
  const med = median(meanDist);
  const mad = median(meanDist.map((v) => Math.abs(v - med)));
  const limit = med + OUTLIER_MADS * 1.4826 * Math.max(mad, 1e-6 * med);
  const kept: number[] = [];
  for (let i = 0; i < n; i++) if (meanDist[i] <= limit) kept.push(i);
  return Uint32Array.from(kept);
}

/**
 * The pyramid of one cloud (LPS mm, N×3, N ≥ 1). `seed` fixes the pool. Fewer than N0 usable points are
 * cycled to fill the control set (duplicates are harmless to kNN grouping and max-pooling).
 */
export async function buildPyramid(pointsMm: Float64Array | Float32Array, config: NetConfig, engine: KernelEngine, seed: number): Promise<CloudPyramid> {
  const n = pointsMm.length / 3;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`net: a point cloud needs at least one xyz point (got ${pointsMm.length} values)`);
  const [n0, n1, n2] = config.levels;
  // Pool: a random subset (partial Fisher–Yates), or all points.
  const m = Math.min(n, config.poolSize);
  let poolIndex: Uint32Array;
  if (m < n) {
    const random = mulberry32(seed);
    const all = new Uint32Array(n);
    for (let i = 0; i < n; i++) all[i] = i;
    for (let s = 0; s < m; s++) {
      const j = s + Math.min(n - s - 1, Math.floor(random() * (n - s)));
      const t = all[s];
      all[s] = all[j];
      all[j] = t;
    }
    poolIndex = all.slice(0, m);
  } else {
    poolIndex = Uint32Array.from({ length: n }, (_, i) => i);
  }
  const pool = new Float32Array(3 * m);
  for (let s = 0; s < m; s++) for (let d = 0; d < 3; d++) pool[3 * s + d] = pointsMm[3 * poolIndex[s] + d];
  const inliers = await inlierIndices(engine, pool);
  const clean = new Float64Array(3 * inliers.length);
  for (let s = 0; s < inliers.length; s++) for (let d = 0; d < 3; d++) clean[3 * s + d] = pool[3 * inliers[s] + d];
  const fps = farthestPointSample(clean, n0);
  const controlMm = new Float64Array(3 * n0);
  const controlIndex = new Uint32Array(n0);
  for (let s = 0; s < n0; s++) {
    const i = fps[s % fps.length];
    controlIndex[s] = poolIndex[inliers[i]];
    for (let d = 0; d < 3; d++) controlMm[3 * s + d] = pointsMm[3 * controlIndex[s] + d];
  }
  const centre: Vec3 = [0, 0, 0];
  for (let s = 0; s < n0; s++) for (let d = 0; d < 3; d++) centre[d] += controlMm[3 * s + d] / n0;
  const points = new Float32Array(3 * n0);
  for (let s = 0; s < n0; s++) for (let d = 0; d < 3; d++) points[3 * s + d] = (controlMm[3 * s + d] - centre[d]) / config.scaleMm;
  const level = (count: number): Float32Array => points.subarray(0, 3 * count);
  const [nbr10, nbr21, nbr11, nbr22, up01, up12] = await Promise.all([
    knn(engine, config.kFeature, level(n1), level(n0)),
    knn(engine, config.kFeature, level(n2), level(n1)),
    knn(engine, config.kFlow, level(n1), level(n1)),
    knn(engine, config.kFlow, level(n2), level(n2)),
    knn(engine, 3, level(n0), level(n1)),
    knn(engine, 3, level(n1), level(n2)),
  ]);
  return {
    points,
    controlMm,
    controlIndex,
    centreMm: centre,
    removedOutliers: m - inliers.length,
    nbr10: nbr10.index,
    nbr21: nbr21.index,
    nbr11: nbr11.index,
    nbr22: nbr22.index,
    up01: up01.index,
    up12: up12.index,
  };
}
