/**
 * Per-point distance (mm, unsigned) from points to a triangle surface, for colouring the warped shape by how far
 * it still is from the fixed one. Exact point–triangle distances (closest point on a triangle: Ericson,
 * Real-Time Collision Detection, 2005, §5.1.5), found through a uniform grid of triangle bounding boxes searched
 * in growing shells around the query's cell: shell s can only hold points at least (s − 1)·h away, so the search
 * stops as soon as the best distance is below that bound.
 *
 * Display-side only; the pipeline's own surface metrics (report.json) come from core/metrics.
 */

/** Squared distance from p to triangle (a, b, c) (Ericson §5.1.5, Voronoi-region tests on dot products). */
export function pointTriangleDistanceSq(
  px: number, py: number, pz: number,
  ax: number, ay: number, az: number,
  bx: number, by: number, bz: number,
  cx: number, cy: number, cz: number,
): number {
  const abx = bx - ax, aby = by - ay, abz = bz - az;
  const acx = cx - ax, acy = cy - ay, acz = cz - az;
  const apx = px - ax, apy = py - ay, apz = pz - az;
  const d1 = abx * apx + aby * apy + abz * apz;
  const d2 = acx * apx + acy * apy + acz * apz;
  let qx: number, qy: number, qz: number;
  const sq = (): number => (px - qx) ** 2 + (py - qy) ** 2 + (pz - qz) ** 2;
  if (d1 <= 0 && d2 <= 0) return apx * apx + apy * apy + apz * apz;
  const bpx = px - bx, bpy = py - by, bpz = pz - bz;
  const d3 = abx * bpx + aby * bpy + abz * bpz;
  const d4 = acx * bpx + acy * bpy + acz * bpz;
  if (d3 >= 0 && d4 <= d3) return bpx * bpx + bpy * bpy + bpz * bpz;
  const vc = d1 * d4 - d3 * d2;
  if (vc <= 0 && d1 >= 0 && d3 <= 0 && d1 - d3 > 0) {
    const v = d1 / (d1 - d3);
    qx = ax + v * abx; qy = ay + v * aby; qz = az + v * abz;
    return sq();
  }
  const cpx = px - cx, cpy = py - cy, cpz = pz - cz;
  const d5 = abx * cpx + aby * cpy + abz * cpz;
  const d6 = acx * cpx + acy * cpy + acz * cpz;
  if (d6 >= 0 && d5 <= d6) return cpx * cpx + cpy * cpy + cpz * cpz;
  const vb = d5 * d2 - d1 * d6;
  if (vb <= 0 && d2 >= 0 && d6 <= 0 && d2 - d6 > 0) {
    const w = d2 / (d2 - d6);
    qx = ax + w * acx; qy = ay + w * acy; qz = az + w * acz;
    return sq();
  }
  const va = d3 * d6 - d5 * d4;
  if (va <= 0 && d4 - d3 >= 0 && d5 - d6 >= 0 && d4 - d3 + (d5 - d6) > 0) {
    const w = (d4 - d3) / (d4 - d3 + (d5 - d6));
    qx = bx + w * (cx - bx); qy = by + w * (cy - by); qz = bz + w * (cz - bz);
    return sq();
  }
  const sum = va + vb + vc;
  if (!(Math.abs(sum) > 0) || !Number.isFinite(sum)) {
    // Degenerate triangle: the closest of its three sides taken as segments.
    return Math.min(
      segmentDistanceSq(px, py, pz, ax, ay, az, bx, by, bz),
      segmentDistanceSq(px, py, pz, bx, by, bz, cx, cy, cz),
      segmentDistanceSq(px, py, pz, cx, cy, cz, ax, ay, az),
    );
  }
  const v = vb / sum;
  const w = vc / sum;
  qx = ax + abx * v + acx * w; qy = ay + aby * v + acy * w; qz = az + abz * v + acz * w;
  return sq();
}

function segmentDistanceSq(px: number, py: number, pz: number, ax: number, ay: number, az: number, bx: number, by: number, bz: number): number {
  const dx = bx - ax, dy = by - ay, dz = bz - az;
  const len = dx * dx + dy * dy + dz * dz;
  const t = len > 0 ? Math.min(1, Math.max(0, ((px - ax) * dx + (py - ay) * dy + (pz - az) * dz) / len)) : 0;
  return (px - ax - t * dx) ** 2 + (py - ay - t * dy) ** 2 + (pz - az - t * dz) ** 2;
}

/** Nearest-triangle queries against one surface. */
export class SurfaceDistance {
  private readonly origin: [number, number, number];
  private readonly h: number;
  private readonly dims: [number, number, number];
  /** Triangles of cell c: cellTriangles[cellStart[c] … cellStart[c + 1]). */
  private readonly cellStart: Uint32Array;
  private readonly cellTriangles: Uint32Array;
  private readonly stamp: Uint32Array;
  private query = 0;

  constructor(
    private readonly points: ArrayLike<number>,
    private readonly triangles: ArrayLike<number>,
  ) {
    const nt = triangles.length / 3;
    if (nt === 0) throw new Error('surface distance: the surface has no triangles');
    const lo = [Infinity, Infinity, Infinity];
    const hi = [-Infinity, -Infinity, -Infinity];
    for (let t = 0; t < triangles.length; t++) {
      const v = 3 * triangles[t];
      for (let a = 0; a < 3; a++) {
        lo[a] = Math.min(lo[a], points[v + a]);
        hi[a] = Math.max(hi[a], points[v + a]);
      }
    }
    const extent = [hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]];
    const diag = Math.hypot(extent[0], extent[1], extent[2]) || 1;
    // About two triangles per cell on a surface, at most 128 cells per axis.
    const area = 2 * (extent[0] * extent[1] + extent[1] * extent[2] + extent[2] * extent[0]) || diag * diag;
    this.h = Math.max(Math.sqrt((2 * area) / nt), diag / 128, 1e-9);
    this.origin = [lo[0], lo[1], lo[2]];
    this.dims = [0, 1, 2].map((a) => Math.max(1, Math.ceil(extent[a] / this.h) + 1)) as [number, number, number];
    const [nx, ny, nz] = this.dims;
    const counts = new Uint32Array(nx * ny * nz + 1);
    const cellRange = (t: number): number[] => {
      const r = [Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity];
      for (let k = 0; k < 3; k++) {
        const v = 3 * triangles[3 * t + k];
        for (let a = 0; a < 3; a++) {
          const c = this.cellCoord(points[v + a], a);
          r[a] = Math.min(r[a], c);
          r[a + 3] = Math.max(r[a + 3], c);
        }
      }
      return r;
    };
    const forCells = (t: number, visit: (cell: number) => void): void => {
      const r = cellRange(t);
      for (let z = r[2]; z <= r[5]; z++) for (let y = r[1]; y <= r[4]; y++) for (let x = r[0]; x <= r[3]; x++) visit((z * ny + y) * nx + x);
    };
    for (let t = 0; t < nt; t++) forCells(t, (c) => counts[c + 1]++);
    for (let c = 0; c < nx * ny * nz; c++) counts[c + 1] += counts[c];
    this.cellStart = counts;
    this.cellTriangles = new Uint32Array(counts[nx * ny * nz]);
    const fill = counts.slice(0, nx * ny * nz);
    for (let t = 0; t < nt; t++) forCells(t, (c) => (this.cellTriangles[fill[c]++] = t));
    this.stamp = new Uint32Array(nt);
  }

  private cellCoord(value: number, axis: number): number {
    return Math.min(this.dims[axis] - 1, Math.max(0, Math.floor((value - this.origin[axis]) / this.h)));
  }

  /** Distance (mm) from (x, y, z) to the nearest point of the surface. */
  distance(x: number, y: number, z: number): number {
    const [nx, ny, nz] = this.dims;
    const cx = this.cellCoord(x, 0);
    const cy = this.cellCoord(y, 1);
    const cz = this.cellCoord(z, 2);
    const p = this.points;
    const tri = this.triangles;
    if (++this.query === 0xffffffff) {
      this.stamp.fill(0);
      this.query = 1;
    }
    let best = Infinity;
    const maxShell = Math.max(nx, ny, nz);
    for (let s = 0; s <= maxShell; s++) {
      for (let k = Math.max(0, cz - s); k <= Math.min(nz - 1, cz + s); k++) {
        for (let j = Math.max(0, cy - s); j <= Math.min(ny - 1, cy + s); j++) {
          for (let i = Math.max(0, cx - s); i <= Math.min(nx - 1, cx + s); i++) {
            if (Math.max(Math.abs(i - cx), Math.abs(j - cy), Math.abs(k - cz)) !== s) continue;
            const cell = (k * ny + j) * nx + i;
            for (let e = this.cellStart[cell]; e < this.cellStart[cell + 1]; e++) {
              const t = this.cellTriangles[e];
              if (this.stamp[t] === this.query) continue;
              this.stamp[t] = this.query;
              const a = 3 * tri[3 * t];
              const b = 3 * tri[3 * t + 1];
              const c = 3 * tri[3 * t + 2];
              const d = pointTriangleDistanceSq(x, y, z, p[a], p[a + 1], p[a + 2], p[b], p[b + 1], p[b + 2], p[c], p[c + 1], p[c + 2]);
              if (d < best) best = d;
            }
          }
        }
      }
      // Every cell of shell s + 1 is at least s·h away from the query.
      if (best <= (s * this.h) ** 2) break;
    }
    return Math.sqrt(best);
  }

  /** Distances of interleaved xyz points. */
  distances(xyz: ArrayLike<number>): Float32Array {
    const out = new Float32Array(xyz.length / 3);
    for (let i = 0; i < out.length; i++) out[i] = this.distance(xyz[3 * i], xyz[3 * i + 1], xyz[3 * i + 2]);
    return out;
  }
}
