/**
 * Mesh decimation to a target vertex count by quadric-error-metric edge collapse (Garland & Heckbert 1997,
 * "Surface simplification using quadric error metrics", SIGGRAPH).
 *
 * Every vertex carries the quadric Q = Σ_t area_t · [n_t; d_t][n_t; d_t]ᵀ of its incident triangles' planes
 * n·p + d = 0 (area weighting keeps the metric independent of the tessellation density). Collapsing edge (u, v)
 * moves u to the point x minimising xᵀ(Q_u + Q_v)x (solve A x = −b for the 3×3 block A and vector b; when A is
 * near-singular, as on flat or cylindrical patches, or the solution lies far from the edge, the best of u, v and
 * the midpoint), at cost x̃ᵀ(Q_u + Q_v)x̃. Edges are taken cheapest first from a binary heap with lazy deletion
 * (each entry remembers its endpoints' versions and is skipped once either endpoint has changed).
 *
 * A collapse is rejected when it would break the 2-manifold or fold the surface:
 * - the edge must be shared by exactly two triangles, and its endpoints must not lie on a boundary or on a
 *   non-manifold edge (such vertices are frozen);
 * - link condition (Dey et al. 1999, "Topology preserving edge contraction"): the endpoints' one-rings may share
 *   only the two vertices opposite the edge, otherwise the collapse pinches the surface or creates a fin;
 * - the merged vertex must keep at least 3 neighbours (no collapse of a tetrahedron);
 * - no surviving triangle around the edge may flip or turn by more than ~84° (unit-normal dot < 0.1) or
 *   degenerate.
 * So a closed, consistently oriented 2-manifold stays one, with the same genus and components. If the heap runs
 * dry above the target (rejected edges may become valid as their neighbourhood changes), it is rebuilt from the
 * surviving edges, a few times at most.
 */

import { triangleUnitNormalInto } from './triangle-geometry.ts';

export interface DecimatedMesh {
  /** Interleaved xyz of the surviving vertices. */
  points: Float64Array;
  triangles: Uint32Array;
  /** For each output vertex, the input vertex it continues (the surviving endpoint of its collapses). */
  sourceVertex: Uint32Array;
}

/** 2^26: vertex ids and versions are packed in pairs into one float64 (exact below 2^52). */
const PACK = 67108864;

/**
 * 4-ary min-heap of edge candidates, each stored inline as three float64s: cost, u·2²⁶ + v and
 * version(u)·2²⁶ + version(v). Inline payloads and the shallow 4-ary tree keep the sift loops cache friendly.
 */
class EdgeHeap {
  private data = new Float64Array(3 * 1024);
  size = 0;
  push(cost: number, uv: number, versions: number): void {
    if (3 * (this.size + 1) > this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    const d = this.data;
    let k = this.size++;
    while (k > 0) {
      const p = (k - 1) >> 2;
      if (d[3 * p] <= cost) break;
      d[3 * k] = d[3 * p];
      d[3 * k + 1] = d[3 * p + 1];
      d[3 * k + 2] = d[3 * p + 2];
      k = p;
    }
    d[3 * k] = cost;
    d[3 * k + 1] = uv;
    d[3 * k + 2] = versions;
  }
  /** The packed endpoints of the cheapest entry. */
  topUv(): number {
    return this.data[1];
  }
  /** The packed versions of the cheapest entry. */
  topVersions(): number {
    return this.data[2];
  }
  /** Removes the cheapest entry. */
  pop(): void {
    const n = --this.size;
    if (n === 0) return;
    const d = this.data;
    d[0] = d[3 * n];
    d[1] = d[3 * n + 1];
    d[2] = d[3 * n + 2];
    this.siftDown(0);
  }
  clear(): void {
    this.size = 0;
  }
  /** Drops the entries `valid` rejects and restores the heap order (Floyd's bottom-up heapify), in O(size). */
  compact(valid: (uv: number, versions: number) => boolean): void {
    const d = this.data;
    let w = 0;
    for (let r = 0; r < this.size; r++) {
      if (!valid(d[3 * r + 1], d[3 * r + 2])) continue;
      d[3 * w] = d[3 * r];
      d[3 * w + 1] = d[3 * r + 1];
      d[3 * w + 2] = d[3 * r + 2];
      w++;
    }
    this.size = w;
    for (let k = (w - 2) >> 2; k >= 0; k--) this.siftDown(k);
  }
  private siftDown(start: number): void {
    const d = this.data;
    const n = this.size;
    const cost = d[3 * start];
    const uv = d[3 * start + 1];
    const ver = d[3 * start + 2];
    let k = start;
    for (;;) {
      const first = 4 * k + 1;
      if (first >= n) break;
      let m = first;
      let mc = d[3 * first];
      const last = first + 4 < n ? first + 4 : n;
      for (let c = first + 1; c < last; c++) {
        const cc = d[3 * c];
        if (cc < mc) {
          mc = cc;
          m = c;
        }
      }
      if (mc >= cost) break;
      d[3 * k] = mc;
      d[3 * k + 1] = d[3 * m + 1];
      d[3 * k + 2] = d[3 * m + 2];
      k = m;
    }
    d[3 * k] = cost;
    d[3 * k + 1] = uv;
    d[3 * k + 2] = ver;
  }
}

/** Minimum unit-normal dot product between a triangle before and after a collapse. */
const MIN_NORMAL_DOT = 0.1;

/**
 * Decimates a triangle mesh to about `targetVertices` vertices (never below it; fewer collapses happen when the
 * constraints forbid them). Vertices used by no triangle are dropped. The input arrays are not modified.
 */
export function decimateQem(points: Float64Array, triangles: ArrayLike<number>, targetVertices: number): DecimatedMesh {
  const n = points.length / 3;
  const nt = triangles.length / 3;
  if (!(targetVertices >= 0)) throw new Error(`decimation target must be a non-negative vertex count (got ${targetVertices})`);
  if (n >= PACK) throw new Error(`decimation supports fewer than ${PACK} vertices (got ${n})`);
  const pos = points.slice();
  const tri = Int32Array.from(triangles);
  const triAlive = new Uint8Array(nt).fill(1);

  // Incident triangles per vertex.
  const vertTris: number[][] = new Array(n);
  for (let v = 0; v < n; v++) vertTris[v] = [];
  for (let t = 0; t < nt; t++) for (let s = 0; s < 3; s++) vertTris[tri[3 * t + s]].push(t);
  const alive = new Uint8Array(n);
  let aliveCount = 0;
  for (let v = 0; v < n; v++) {
    if (vertTris[v].length > 0) {
      alive[v] = 1;
      aliveCount++;
    }
  }

  // Freeze vertices on edges not shared by exactly two triangles.
  const frozen = new Uint8Array(n);
  {
    const keys = new Float64Array(3 * nt);
    for (let t = 0; t < nt; t++) {
      for (let s = 0; s < 3; s++) {
        const a = tri[3 * t + s];
        const b = tri[3 * t + ((s + 1) % 3)];
        keys[3 * t + s] = a < b ? a * n + b : b * n + a;
      }
    }
    keys.sort();
    for (let i = 0; i < keys.length; ) {
      let j = i + 1;
      while (j < keys.length && keys[j] === keys[i]) j++;
      if (j - i !== 2) {
        const a = Math.floor(keys[i] / n);
        frozen[a] = 1;
        frozen[keys[i] - a * n] = 1;
      }
      i = j;
    }
  }

  // Vertex quadrics: [aa, ab, ac, ad, bb, bc, bd, cc, cd, dd].
  const Q = new Float64Array(10 * n);
  const unitNormal = new Float64Array(3);
  for (let t = 0; t < nt; t++) {
    const len = triangleUnitNormalInto(pos, tri[3 * t], tri[3 * t + 1], tri[3 * t + 2], unitNormal);
    if (!(len > 0)) continue;
    const area = len / 2;
    const nx = unitNormal[0];
    const ny = unitNormal[1];
    const nz = unitNormal[2];
    const a = 3 * tri[3 * t];
    const d = -(nx * pos[a] + ny * pos[a + 1] + nz * pos[a + 2]);
    for (let s = 0; s < 3; s++) {
      const o = 10 * tri[3 * t + s];
      Q[o] += area * nx * nx;
      Q[o + 1] += area * nx * ny;
      Q[o + 2] += area * nx * nz;
      Q[o + 3] += area * nx * d;
      Q[o + 4] += area * ny * ny;
      Q[o + 5] += area * ny * nz;
      Q[o + 6] += area * ny * d;
      Q[o + 7] += area * nz * nz;
      Q[o + 8] += area * nz * d;
      Q[o + 9] += area * d * d;
    }
  }

  const version = new Int32Array(n);
  const heap = new EdgeHeap();
  const target = new Float64Array(3);
  const q = new Float64Array(10);

  const quadricError = (x: number, y: number, z: number): number =>
    q[0] * x * x + 2 * q[1] * x * y + 2 * q[2] * x * z + 2 * q[3] * x + q[4] * y * y + 2 * q[5] * y * z + 2 * q[6] * y + q[7] * z * z + 2 * q[8] * z + q[9];

  /** Fills `target` with the optimal position for collapsing (u, v) and returns its cost. */
  const evaluate = (u: number, v: number): number => {
    for (let k = 0; k < 10; k++) q[k] = Q[10 * u + k] + Q[10 * v + k];
    const ux = pos[3 * u];
    const uy = pos[3 * u + 1];
    const uz = pos[3 * u + 2];
    const vx = pos[3 * v];
    const vy = pos[3 * v + 1];
    const vz = pos[3 * v + 2];
    const mx = (ux + vx) / 2;
    const my = (uy + vy) / 2;
    const mz = (uz + vz) / 2;
    const edge2 = (ux - vx) ** 2 + (uy - vy) ** 2 + (uz - vz) ** 2;
    // A = [[q0 q1 q2] [q1 q4 q5] [q2 q5 q7]], b = [q3 q6 q8].
    const c00 = q[4] * q[7] - q[5] * q[5];
    const c01 = q[2] * q[5] - q[1] * q[7];
    const c02 = q[1] * q[5] - q[2] * q[4];
    const det = q[0] * c00 + q[1] * c01 + q[2] * c02;
    const tr = q[0] + q[4] + q[7];
    if (tr > 0 && Math.abs(det) > 1e-9 * tr * tr * tr) {
      const c11 = q[0] * q[7] - q[2] * q[2];
      const c12 = q[1] * q[2] - q[0] * q[5];
      const c22 = q[0] * q[4] - q[1] * q[1];
      const x = -(c00 * q[3] + c01 * q[6] + c02 * q[8]) / det;
      const y = -(c01 * q[3] + c11 * q[6] + c12 * q[8]) / det;
      const z = -(c02 * q[3] + c12 * q[6] + c22 * q[8]) / det;
      if ((x - mx) ** 2 + (y - my) ** 2 + (z - mz) ** 2 <= edge2) {
        target[0] = x;
        target[1] = y;
        target[2] = z;
        return Math.max(0, quadricError(x, y, z));
      }
    }
    let best = quadricError(mx, my, mz);
    target[0] = mx;
    target[1] = my;
    target[2] = mz;
    const eu = quadricError(ux, uy, uz);
    if (eu < best) {
      best = eu;
      target[0] = ux;
      target[1] = uy;
      target[2] = uz;
    }
    const ev = quadricError(vx, vy, vz);
    if (ev < best) {
      best = ev;
      target[0] = vx;
      target[1] = vy;
      target[2] = vz;
    }
    return Math.max(0, best);
  };

  const pushEdge = (u: number, v: number): void => {
    if (frozen[u] || frozen[v]) return;
    const c = evaluate(u, v);
    heap.push(c, u * PACK + v, version[u] * PACK + version[v]);
  };

  /** Whether a heap entry still describes an edge between live vertices whose quadrics have not changed. */
  const isCurrent = (uv: number, versions: number): boolean => {
    const u = Math.floor(uv / PACK);
    const v = uv - u * PACK;
    return alive[u] === 1 && alive[v] === 1 && versions === version[u] * PACK + version[v];
  };

  const fillHeap = (): void => {
    heap.clear();
    for (let t = 0; t < nt; t++) {
      if (!triAlive[t]) continue;
      for (let s = 0; s < 3; s++) {
        const a = tri[3 * t + s];
        const b = tri[3 * t + ((s + 1) % 3)];
        if (a < b) pushEdge(a, b);
      }
    }
  };

  // Scratch marks for one-ring set operations.
  const mark = new Int32Array(n);
  let stamp = 0;

  /**
   * Whether every triangle of `list` that does not contain both u and v keeps its orientation (unit-normal dot
   * ≥ MIN_NORMAL_DOT) and a non-vanishing area when its u or v corner moves to `target`.
   */
  const keepsShape = (list: number[], u: number, v: number): boolean => {
    for (const t of list) {
      let moved = -1;
      let hasU = false;
      let hasV = false;
      for (let s = 0; s < 3; s++) {
        const w = tri[3 * t + s];
        if (w === u) {
          hasU = true;
          moved = s;
        } else if (w === v) {
          hasV = true;
          moved = s;
        }
      }
      if (hasU && hasV) continue;
      // Corners in winding order starting at the moved one: m, p, r.
      const m = 3 * tri[3 * t + moved];
      const p = 3 * tri[3 * t + ((moved + 1) % 3)];
      const r = 3 * tri[3 * t + ((moved + 2) % 3)];
      const px = pos[p];
      const py = pos[p + 1];
      const pz = pos[p + 2];
      const ax = pos[r] - px;
      const ay = pos[r + 1] - py;
      const az = pos[r + 2] - pz;
      // Normal = (r − p) × (m − p), for the old and the new position of m.
      const ox = pos[m] - px;
      const oy = pos[m + 1] - py;
      const oz = pos[m + 2] - pz;
      const nx = target[0] - px;
      const ny = target[1] - py;
      const nz = target[2] - pz;
      const o0 = ay * oz - az * oy;
      const o1 = az * ox - ax * oz;
      const o2 = ax * oy - ay * ox;
      const n0 = ay * nz - az * ny;
      const n1 = az * nx - ax * nz;
      const n2 = ax * ny - ay * nx;
      const lo = Math.sqrt(o0 * o0 + o1 * o1 + o2 * o2);
      const ln = Math.sqrt(n0 * n0 + n1 * n1 + n2 * n2);
      if (!(ln > 1e-12 * lo)) return false;
      if (!(o0 * n0 + o1 * n1 + o2 * n2 >= MIN_NORMAL_DOT * lo * ln)) return false;
    }
    return true;
  };

  /** Tries to collapse v into u at `target`; returns whether it happened. */
  const tryCollapse = (u: number, v: number): boolean => {
    const tu = vertTris[u];
    const tv = vertTris[v];
    // Shared triangles and their opposite vertices.
    let shared = 0;
    let opp0 = -1;
    let opp1 = -1;
    for (const t of tv) {
      const a = tri[3 * t];
      const b = tri[3 * t + 1];
      const c = tri[3 * t + 2];
      if (a === u || b === u || c === u) {
        const o = a !== u && a !== v ? a : b !== u && b !== v ? b : c;
        if (shared === 0) opp0 = o;
        else opp1 = o;
        shared++;
      }
    }
    if (shared !== 2 || opp0 === opp1) return false;
    // Link condition and degree of the merged vertex.
    stamp++;
    let degU = 0;
    for (const t of tu) {
      for (let s = 0; s < 3; s++) {
        const w = tri[3 * t + s];
        if (w !== u && mark[w] !== stamp) {
          mark[w] = stamp;
          degU++;
        }
      }
    }
    stamp++;
    const markU = stamp - 1;
    let common = 0;
    let degV = 0;
    for (const t of tv) {
      for (let s = 0; s < 3; s++) {
        const w = tri[3 * t + s];
        if (w === v || mark[w] === stamp) continue;
        if (mark[w] === markU) common++;
        mark[w] = stamp;
        degV++;
      }
    }
    // u is not in its own ring, so `common` counts the vertices both rings share besides u and v.
    if (common !== 2) return false;
    if (degU + degV - 4 < 3) return false;
    // Flip / degeneracy check on the triangles that survive.
    if (!keepsShape(tu, u, v) || !keepsShape(tv, u, v)) return false;
    // Apply: drop the two shared triangles, re-point v's others to u.
    const keep: number[] = [];
    for (const t of tu) {
      const a = tri[3 * t];
      const b = tri[3 * t + 1];
      const c = tri[3 * t + 2];
      if (a === v || b === v || c === v) continue;
      keep.push(t);
    }
    for (const t of tv) {
      const a = tri[3 * t];
      const b = tri[3 * t + 1];
      const c = tri[3 * t + 2];
      if (a === u || b === u || c === u) {
        triAlive[t] = 0;
        const o = a !== u && a !== v ? a : b !== u && b !== v ? b : c;
        const lst = vertTris[o];
        const idx = lst.indexOf(t);
        lst[idx] = lst[lst.length - 1];
        lst.pop();
        continue;
      }
      for (let s = 0; s < 3; s++) if (tri[3 * t + s] === v) tri[3 * t + s] = u;
      keep.push(t);
    }
    vertTris[u] = keep;
    vertTris[v] = [];
    alive[v] = 0;
    aliveCount--;
    pos[3 * u] = target[0];
    pos[3 * u + 1] = target[1];
    pos[3 * u + 2] = target[2];
    for (let k = 0; k < 10; k++) Q[10 * u + k] += Q[10 * v + k];
    version[u]++;
    version[v]++;
    // Re-queue u's edges.
    stamp++;
    for (const t of keep) {
      for (let s = 0; s < 3; s++) {
        const w = tri[3 * t + s];
        if (w !== u && mark[w] !== stamp) {
          mark[w] = stamp;
          pushEdge(u, w);
        }
      }
    }
    return true;
  };

  for (let round = 0; round < 4 && aliveCount > targetVertices; round++) {
    fillHeap();
    let collapsed = 0;
    while (heap.size > 0 && aliveCount > targetVertices) {
      const uv = heap.topUv();
      const ver = heap.topVersions();
      heap.pop();
      const u = Math.floor(uv / PACK);
      const v = uv - u * PACK;
      if (!alive[u] || !alive[v] || ver !== version[u] * PACK + version[v]) continue;
      // Keep the heap within a small multiple of the live edges (≈ 3 per vertex) so it stays cache friendly.
      if (heap.size > 8 * aliveCount + 1024) heap.compact(isCurrent);
      evaluate(u, v);
      if (tryCollapse(u, v)) collapsed++;
    }
    if (collapsed === 0) break;
  }

  // Compact, keeping the surviving vertices in their input order.
  const remap = new Int32Array(n).fill(-1);
  for (let t = 0; t < nt; t++) if (triAlive[t]) for (let s = 0; s < 3; s++) remap[tri[3 * t + s]] = 0;
  const source: number[] = [];
  for (let v = 0; v < n; v++) {
    if (remap[v] === 0) {
      remap[v] = source.length;
      source.push(v);
    }
  }
  const nv = source.length;
  const outPts = new Float64Array(3 * nv);
  for (let i = 0; i < nv; i++) {
    const w = source[i];
    outPts[3 * i] = pos[3 * w];
    outPts[3 * i + 1] = pos[3 * w + 1];
    outPts[3 * i + 2] = pos[3 * w + 2];
  }
  let aliveTris = 0;
  for (let t = 0; t < nt; t++) aliveTris += triAlive[t];
  const outTri = new Uint32Array(3 * aliveTris);
  let w = 0;
  for (let t = 0; t < nt; t++) {
    if (!triAlive[t]) continue;
    outTri[w++] = remap[tri[3 * t]];
    outTri[w++] = remap[tri[3 * t + 1]];
    outTri[w++] = remap[tri[3 * t + 2]];
  }
  return { points: outPts, triangles: outTri, sourceVertex: Uint32Array.from(source) };
}
