import { mulberry32 } from './prng.ts';

/**
 * Point subsampling for optimal transport, where the cost grows with N·M. Every sampler returns the indices of
 * the chosen points (Uint32Array) so that callers can carry per-point arrays, labels and mass along
 * (see subsetShape). Points are interleaved xyz.
 */

function checkPoints(points: ArrayLike<number>): number {
  if (points.length % 3 !== 0) throw new Error(`points must be interleaved xyz (length ${points.length} is not a multiple of 3)`);
  return points.length / 3;
}

/**
 * Voxel-grid subsampling (the "voxel grid filter" of PCL, Rusu & Cousins 2011): the bounding box is cut into cubic
 * cells of edge `cellMm` starting at its minimum corner, and each occupied cell contributes ONE point, the input
 * point nearest to the centroid of the points in that cell (ties: the lower index), so that the output is a
 * subset of the input. Returns ascending indices, one per occupied cell.
 */
export function voxelGridSample(points: ArrayLike<number>, cellMm: number): Uint32Array {
  const n = checkPoints(points);
  if (!(cellMm > 0) || !Number.isFinite(cellMm)) throw new Error(`voxel-grid cell size must be a positive number of mm (got ${cellMm})`);
  if (n === 0) return new Uint32Array(0);
  const min = [Infinity, Infinity, Infinity];
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const v = points[3 * i + c];
      if (!Number.isFinite(v)) throw new Error(`point ${i} has a non-finite coordinate`);
      if (v < min[c]) min[c] = v;
    }
  }
  // Integer cell coordinates per axis; points are grouped by sorting on (x, y, z) cell, so no combined key can overflow.
  const cellIdx = new Float64Array(3 * n);
  for (let i = 0; i < 3 * n; i++) cellIdx[i] = Math.floor((points[i] - min[i % 3]) / cellMm);
  const sameCell = (a: number, b: number): boolean =>
    cellIdx[3 * a] === cellIdx[3 * b] && cellIdx[3 * a + 1] === cellIdx[3 * b + 1] && cellIdx[3 * a + 2] === cellIdx[3 * b + 2];
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => cellIdx[3 * a] - cellIdx[3 * b] || cellIdx[3 * a + 1] - cellIdx[3 * b + 1] || cellIdx[3 * a + 2] - cellIdx[3 * b + 2] || a - b);
  const chosen: number[] = [];
  for (let s = 0; s < n; ) {
    let e = s + 1;
    while (e < n && sameCell(order[e], order[s])) e++;
    let cx = 0;
    let cy = 0;
    let cz = 0;
    for (let q = s; q < e; q++) {
      const i = 3 * order[q];
      cx += points[i];
      cy += points[i + 1];
      cz += points[i + 2];
    }
    const inv = 1 / (e - s);
    cx *= inv;
    cy *= inv;
    cz *= inv;
    let best = order[s];
    let bestD = Infinity;
    for (let q = s; q < e; q++) {
      const i = 3 * order[q];
      const d = (points[i] - cx) ** 2 + (points[i + 1] - cy) ** 2 + (points[i + 2] - cz) ** 2;
      if (d < bestD) {
        bestD = d;
        best = order[q];
      }
    }
    chosen.push(best);
    s = e;
  }
  return Uint32Array.from(chosen).sort();
}

/**
 * Farthest-point sampling (Eldar et al. 1997, "The farthest point strategy for progressive image sampling";
 * Gonzalez 1985 shows it is a 2-approximation of the k-centre problem): start at `seedIndex` (default 0, so the
 * result is deterministic), then repeatedly take the point farthest from everything chosen so far, keeping a
 * running minimum-distance array: O(N·k) time, O(N) memory. Ties go to the lower index. Returns the indices in
 * the order chosen; k is capped at N.
 */
export function farthestPointSample(points: ArrayLike<number>, k: number, seedIndex = 0): Uint32Array {
  const n = checkPoints(points);
  if (!(k >= 0) || !Number.isInteger(k)) throw new Error(`sample count must be a non-negative integer (got ${k})`);
  const m = Math.min(k, n);
  const out = new Uint32Array(m);
  if (m === 0) return out;
  if (!(seedIndex >= 0 && seedIndex < n) || !Number.isInteger(seedIndex)) throw new Error(`seed index ${seedIndex} is outside 0…${n - 1}`);
  const minD2 = new Float64Array(n).fill(Infinity);
  let cur = seedIndex;
  for (let s = 0; s < m; s++) {
    out[s] = cur;
    const cx = points[3 * cur];
    const cy = points[3 * cur + 1];
    const cz = points[3 * cur + 2];
    let far = -1;
    let farD = -1;
    for (let i = 0; i < n; i++) {
      const dx = points[3 * i] - cx;
      const dy = points[3 * i + 1] - cy;
      const dz = points[3 * i + 2] - cz;
      const d = dx * dx + dy * dy + dz * dz;
      if (d < minD2[i]) minD2[i] = d;
      if (minD2[i] > farD) {
        farD = minD2[i];
        far = i;
      }
    }
    cur = far;
  }
  return out;
}

/**
 * Mass-proportional sampling without replacement (Efraimidis & Spirakis 2006, "Weighted random sampling with a
 * reservoir"): each point draws u ~ U(0, 1) from a mulberry32 stream seeded by `seed` and gets the key
 * log(u) / mass; the k largest keys win. Point i is then the first pick with probability mass_i / Σ mass, and
 * heavier points are kept more often. Deterministic for a seed. Points of zero mass are never chosen, so fewer
 * than k indices come back when fewer than k points have positive mass. Returns ascending indices.
 */
export function massProportionalSample(points: ArrayLike<number>, mass: ArrayLike<number>, k: number, seed: number): Uint32Array {
  const n = checkPoints(points);
  if (mass.length !== n) throw new Error(`mass has ${mass.length} values for ${n} points`);
  if (!(k >= 0) || !Number.isInteger(k)) throw new Error(`sample count must be a non-negative integer (got ${k})`);
  const random = mulberry32(seed);
  const keys = new Float64Array(n);
  const candidates: number[] = [];
  for (let i = 0; i < n; i++) {
    const w = mass[i];
    if (!(w >= 0) || !Number.isFinite(w)) throw new Error(`mass of point ${i} is ${w}; masses must be finite and ≥ 0`);
    const u = random();
    if (w === 0) continue;
    // u ∈ [0, 1): map 0 to the smallest positive double so the key stays finite.
    keys[i] = Math.log(u > 0 ? u : Number.MIN_VALUE) / w;
    candidates.push(i);
  }
  candidates.sort((a, b) => keys[b] - keys[a] || a - b);
  return Uint32Array.from(candidates.slice(0, Math.min(k, candidates.length))).sort();
}
