/**
 * Weighted point clouds for optimal transport, by voxel-grid clustering: space is cut into cubic cells of edge
 * `cellMm` (from a fixed anchor, so two runs cluster alike), and each occupied cell becomes ONE point — the
 * mass-weighted centroid of what fell in it — carrying the total mass of the cell. Unlike picking one input point
 * per cell (core/shape voxelGridSample), the mass of the shape is kept exactly: a surface keeps its area measure, a
 * mask its volume measure, whatever the sampling density. O(N log N), deterministic.
 */

export interface WeightedCloud {
  /** Interleaved xyz, mm, LPS. */
  pointsLps: Float64Array;
  /** Mass per point (mm² for surfaces, mm³ for volumes, or counts). */
  mass: Float64Array;
  /** Unit normals (surfaces only): the normalised mass-weighted sum of the normals in each cell. */
  normalsLps?: Float64Array;
}

/**
 * Integer cell coordinates packed into one exact double: 17 bits per axis (|coordinate| < 2^16 cells), 51 bits in
 * all, below the 2^53 of exact integers (wider fields would silently merge distinct cells).
 */
function cellKey(a: number, b: number, c: number): number {
  const o = 1 << 16;
  if (Math.abs(a) >= o || Math.abs(b) >= o || Math.abs(c) >= o) throw new RangeError('cluster cell too small for the extent of the points');
  return ((c + o) * 2 ** 17 + (b + o)) * 2 ** 17 + (a + o);
}

/**
 * Clusters `points` (with `mass`, default 1 each) into cells of edge `cellMm` anchored at `anchorLps` (default
 * the origin). Points of zero mass are dropped. The output is sorted by cell (z, then y, then x).
 */
export function clusterCloud(
  points: ArrayLike<number>,
  mass: ArrayLike<number> | undefined,
  cellMm: number,
  normals?: ArrayLike<number>,
  anchorLps: readonly number[] = [0, 0, 0],
): WeightedCloud {
  if (!(cellMm > 0) || !Number.isFinite(cellMm)) throw new RangeError(`cluster cell must be > 0 mm (got ${cellMm})`);
  const n = points.length / 3;
  const cells = new Map<number, Float64Array>();
  for (let i = 0; i < n; i++) {
    const m = mass ? mass[i] : 1;
    if (!(m > 0)) continue;
    const x = points[3 * i];
    const y = points[3 * i + 1];
    const z = points[3 * i + 2];
    const q = cellKey(Math.floor((x - anchorLps[0]) / cellMm), Math.floor((y - anchorLps[1]) / cellMm), Math.floor((z - anchorLps[2]) / cellMm));
    let acc = cells.get(q);
    if (!acc) {
      acc = new Float64Array(7);
      cells.set(q, acc);
    }
    acc[0] += m * x;
    acc[1] += m * y;
    acc[2] += m * z;
    acc[3] += m;
    if (normals) {
      acc[4] += m * normals[3 * i];
      acc[5] += m * normals[3 * i + 1];
      acc[6] += m * normals[3 * i + 2];
    }
  }
  const keys = [...cells.keys()].sort((a, b) => a - b);
  const pointsLps = new Float64Array(3 * keys.length);
  const out = new Float64Array(keys.length);
  const outNormals = normals ? new Float64Array(3 * keys.length) : undefined;
  keys.forEach((q, c) => {
    const acc = cells.get(q)!;
    pointsLps[3 * c] = acc[0] / acc[3];
    pointsLps[3 * c + 1] = acc[1] / acc[3];
    pointsLps[3 * c + 2] = acc[2] / acc[3];
    out[c] = acc[3];
    if (outNormals) {
      const len = Math.hypot(acc[4], acc[5], acc[6]);
      if (len > 0) for (let k = 0; k < 3; k++) outNormals[3 * c + k] = acc[4 + k] / len;
    }
  });
  return outNormals ? { pointsLps, mass: out, normalsLps: outNormals } : { pointsLps, mass: out };
}

/** Number of occupied cells of edge `cellMm`. */
function occupiedCells(points: ArrayLike<number>, cellMm: number): number {
  const seen = new Set<number>();
  for (let i = 0; i < points.length; i += 3) seen.add(cellKey(Math.floor(points[i] / cellMm), Math.floor(points[i + 1] / cellMm), Math.floor(points[i + 2] / cellMm)));
  return seen.size;
}

/** The cell size that clusters `points` into about `target` cells (bisection on the cell edge, within 3 %). */
export function cellForCount(points: ArrayLike<number>, target: number, startMm: number): number {
  let lo = startMm / 32;
  let hi = startMm * 32;
  for (let it = 0; it < 30 && hi / lo > 1.03; it++) {
    const mid = Math.sqrt(lo * hi);
    if (occupiedCells(points, mid) > target) lo = mid;
    else hi = mid;
  }
  return Math.sqrt(lo * hi);
}

/** Concatenates clouds (masses as given). */
export function concatClouds(...clouds: WeightedCloud[]): WeightedCloud {
  const n = clouds.reduce((s, c) => s + c.mass.length, 0);
  const pointsLps = new Float64Array(3 * n);
  const mass = new Float64Array(n);
  let o = 0;
  for (const c of clouds) {
    pointsLps.set(c.pointsLps, 3 * o);
    mass.set(c.mass, o);
    o += c.mass.length;
  }
  return { pointsLps, mass };
}
