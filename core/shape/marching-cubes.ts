import { det3, indexToLpsLinear, type ImageLps } from '../image/index.ts';

/**
 * Iso-surface extraction from a 3-D image: the boundary of the voxels selected by a mask predicate, as a
 * closed, consistently oriented triangle mesh in LPS millimetres.
 *
 * Method: marching TETRAHEDRA on the Kuhn (Freudenthal) subdivision of every grid cube into 6 tetrahedra that
 * all share the cube's main diagonal (0,0,0)–(1,1,1): for each permutation (a, b, c) of the axes the tetrahedron
 * 0 → e_a → e_a + e_b → (1,1,1). Neighbouring cubes split their common face along the same diagonal, so the
 * tetrahedra form one simplicial complex of the grid, and the voxel predicate's piecewise-linear interpolant on
 * it has, at an iso-value that no voxel takes (binary 0/1 at ½), a level set that is a closed 2-manifold without
 * the ambiguous cases of classic marching cubes (Lorensen & Cline 1987; Doi & Koide 1991, "An efficient method of
 * triangulating equi-valued surfaces by using tetrahedral cells"; Kuhn 1960 / Freudenthal 1942 for the split).
 * Every mesh edge is shared by exactly two triangles; every vertex is welded by the grid edge it lies on.
 *
 * Grid edges of the Kuhn complex go from a grid point along one of 7 non-negative directions (3 axes,
 * 3 face diagonals, 1 body diagonal); a vertex is identified by (grid point, direction) so that the cubes around
 * an edge reuse one vertex. Two slices of such ids are kept (this z-plane and the next).
 *
 * The volume is padded by one background voxel on every side, so objects that touch the image border are closed
 * too (their surface passes half a voxel outside the outermost voxel centres).
 *
 * Vertices: for a binary mask (label or foreground selection) at edge midpoints (iso ½); for a threshold on a grey
 * image at the linear-interpolation crossing t = (T − f₀)/(f₁ − f₀), clamped to [0.01, 0.99] so that no triangle
 * collapses when a voxel equals T exactly (edges to padding voxels use the midpoint).
 *
 * Orientation: triangles are wound counter-clockwise seen from outside (right-hand normal pointing from the
 * selected voxels to the rest) in index space; the index → LPS map p = origin + D·diag(spacing)·ijk reverses
 * handedness when det(D·diag(spacing)) < 0 (a reflection), in which case the winding is reversed so the normals
 * stay outward in LPS.
 */

/** Which voxels are inside the surface. */
export type MaskSelector =
  /** value == label */
  | { kind: 'label'; label: number }
  /** value ≥ threshold (vertices interpolated) */
  | { kind: 'threshold'; threshold: number }
  /** value > 0 */
  | { kind: 'foreground' };

/** A triangle mesh in LPS millimetres, plus the number of selected voxels. */
export interface IsoSurface {
  /** Interleaved xyz, mm, LPS. */
  pointsLps: Float64Array;
  /** Interleaved vertex indices, outward (counter-clockwise seen from outside). */
  triangles: Uint32Array;
  /** Number of voxels the selector chose (0 ⇒ empty mesh). */
  foregroundVoxels: number;
}

/** Non-negative Kuhn-complex edge directions (dx, dy, dz). */
const DIRS: readonly (readonly [number, number, number])[] = [
  [1, 0, 0],
  [0, 1, 0],
  [0, 0, 1],
  [1, 1, 0],
  [1, 0, 1],
  [0, 1, 1],
  [1, 1, 1],
];

/** A cube-local edge: base corner (bit 0 = x, bit 1 = y, bit 2 = z) and direction index in DIRS. */
interface LocalEdge {
  base: number;
  dir: number;
}

interface CubeTables {
  /** The 19 Kuhn edges of a cube. */
  edges: LocalEdge[];
  /** caseStart[c] … caseStart[c + 1]: slice of caseEdges, 3 local edge ids per triangle. */
  caseStart: Int32Array;
  caseEdges: Uint8Array;
}

function cornerXyz(c: number): [number, number, number] {
  return [c & 1, (c >> 1) & 1, (c >> 2) & 1];
}

/**
 * Builds, for each of the 256 inside/outside patterns of a cube's corners, the outward triangles of its 6 Kuhn
 * tetrahedra as triples of cube-local edges. Orientation is decided geometrically once here: the triangle's
 * normal at the edge midpoints must point from the tetrahedron's inside corners to its outside corners.
 */
function buildCubeTables(): CubeTables {
  const edges: LocalEdge[] = [];
  const edgeId = new Map<number, number>();
  const localEdge = (p: number, q: number): number => {
    // Tetrahedron vertices form a chain in the componentwise order, so q − p (or p − q) is non-negative.
    const [lo, hi] = (p & q) === p ? [p, q] : [q, p];
    const a = cornerXyz(lo);
    const b = cornerXyz(hi);
    const d: [number, number, number] = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
    const dir = DIRS.findIndex((v) => v[0] === d[0] && v[1] === d[1] && v[2] === d[2]);
    if (dir < 0) throw new Error('internal: not a Kuhn edge');
    const key = lo * 8 + dir;
    let id = edgeId.get(key);
    if (id === undefined) {
      id = edges.length;
      edges.push({ base: lo, dir });
      edgeId.set(key, id);
    }
    return id;
  };
  const midpoint = (e: number): [number, number, number] => {
    const b = cornerXyz(edges[e].base);
    const d = DIRS[edges[e].dir];
    return [b[0] + d[0] / 2, b[1] + d[1] / 2, b[2] + d[2] / 2];
  };
  const tets: number[][] = [];
  const perms = [
    [0, 1, 2],
    [0, 2, 1],
    [1, 0, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
  ];
  for (const [a, b] of perms) tets.push([0, 1 << a, (1 << a) | (1 << b), 7]);
  // Register all edges first so ids are stable regardless of case order.
  for (const t of tets) for (let i = 0; i < 4; i++) for (let j = i + 1; j < 4; j++) localEdge(t[i], t[j]);

  const caseStart = new Int32Array(257);
  const list: number[] = [];
  for (let cs = 0; cs < 256; cs++) {
    caseStart[cs] = list.length;
    for (const t of tets) {
      const inside = t.filter((c) => (cs >> c) & 1);
      const outside = t.filter((c) => !((cs >> c) & 1));
      if (inside.length === 0 || outside.length === 0) continue;
      // Outward direction: from the inside corners' centroid to the outside corners' centroid.
      const g = [0, 0, 0];
      for (const c of outside) cornerXyz(c).forEach((v, k) => (g[k] += v / outside.length));
      for (const c of inside) cornerXyz(c).forEach((v, k) => (g[k] -= v / inside.length));
      const emit = (e0: number, e1: number, e2: number): void => {
        const p0 = midpoint(e0);
        const p1 = midpoint(e1);
        const p2 = midpoint(e2);
        const u = [p1[0] - p0[0], p1[1] - p0[1], p1[2] - p0[2]];
        const v = [p2[0] - p0[0], p2[1] - p0[1], p2[2] - p0[2]];
        const n = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
        const s = n[0] * g[0] + n[1] * g[1] + n[2] * g[2];
        if (s === 0) throw new Error('internal: degenerate marching-tetrahedra triangle');
        if (s > 0) list.push(e0, e1, e2);
        else list.push(e0, e2, e1);
      };
      if (inside.length === 1 || outside.length === 1) {
        const [apex, others] = inside.length === 1 ? [inside[0], outside] : [outside[0], inside];
        emit(localEdge(apex, others[0]), localEdge(apex, others[1]), localEdge(apex, others[2]));
      } else {
        // Two in (a, b), two out (c, d): the quad ac → ad → bd → bc (consecutive edges share a corner).
        const [a, b] = inside;
        const [c, d] = outside;
        const ac = localEdge(a, c);
        const ad = localEdge(a, d);
        const bd = localEdge(b, d);
        const bc = localEdge(b, c);
        emit(ac, ad, bd);
        emit(ac, bd, bc);
      }
    }
  }
  caseStart[256] = list.length;
  return { edges, caseStart, caseEdges: Uint8Array.from(list) };
}

const TABLES = buildCubeTables();

/** Growable Float64 buffer of xyz triples. */
class Float64Grow {
  data = new Float64Array(1 << 16);
  length = 0;
  push3(a: number, b: number, c: number): void {
    if (this.length + 3 > this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = a;
    this.data[this.length++] = b;
    this.data[this.length++] = c;
  }
}

/** Growable Uint32 buffer of index triples. */
class Uint32Grow {
  data = new Uint32Array(1 << 16);
  length = 0;
  push3(a: number, b: number, c: number): void {
    if (this.length + 3 > this.data.length) {
      const next = new Uint32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = a;
    this.data[this.length++] = b;
    this.data[this.length++] = c;
  }
}

/**
 * Extracts the closed boundary surface of the voxels chosen by `selector` (see the file comment for the method).
 * Throws on non-scalar images or a singular geometry; returns an empty mesh when nothing is selected.
 */
export function marchingTetrahedra(image: ImageLps, selector: MaskSelector): IsoSurface {
  const [nx, ny, nz] = image.size;
  if (image.components !== 1) throw new Error(`surface extraction needs a scalar image (got ${image.components} components)`);
  if (image.data.length !== nx * ny * nz) throw new Error(`image data length ${image.data.length} ≠ ${nx}×${ny}×${nz}`);
  const m = indexToLpsLinear(image);
  const det = det3(m);
  if (!(Math.abs(det) > 0) || !Number.isFinite(det)) throw new Error('image geometry is singular (zero spacing or degenerate direction)');
  const flip = det < 0;
  const [ox, oy, oz] = image.originLps;

  // Padded inside mask.
  const X = nx + 2;
  const Y = ny + 2;
  const Z = nz + 2;
  const XY = X * Y;
  const inside = new Uint8Array(X * Y * Z);
  const values = image.data;
  let foregroundVoxels = 0;
  const sel =
    selector.kind === 'label'
      ? (v: number) => v === selector.label
      : selector.kind === 'threshold'
        ? (v: number) => v >= selector.threshold
        : (v: number) => v > 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      let src = (k * ny + j) * nx;
      let dst = (k + 1) * XY + (j + 1) * X + 1;
      for (let i = 0; i < nx; i++, src++, dst++) {
        if (sel(values[src])) {
          inside[dst] = 1;
          foregroundVoxels++;
        }
      }
    }
  }
  const pts = new Float64Grow();
  const tris = new Uint32Grow();
  if (foregroundVoxels === 0) return { pointsLps: new Float64Array(0), triangles: new Uint32Array(0), foregroundVoxels };

  const interpolate = selector.kind === 'threshold';
  const threshold = selector.kind === 'threshold' ? selector.threshold : 0;
  const { edges, caseStart, caseEdges } = TABLES;
  // Per local edge: base offset within a slice (x, y) and z layer (0 = this slice, 1 = next).
  const edgeBaseXY = new Int32Array(edges.length);
  const edgeLayer = new Uint8Array(edges.length);
  const edgeDir = new Uint8Array(edges.length);
  for (let e = 0; e < edges.length; e++) {
    const b = edges[e].base;
    edgeBaseXY[e] = (b & 1) + ((b >> 1) & 1) * X;
    edgeLayer[e] = (b >> 2) & 1;
    edgeDir[e] = edges[e].dir;
  }
  let slice0 = new Int32Array(XY * 7).fill(-1);
  let slice1 = new Int32Array(XY * 7).fill(-1);
  const local = new Int32Array(6 * 2 * 3); // ≤ 2 triangles per tetrahedron

  const valueAt = (x: number, y: number, z: number): number | undefined => {
    const i = x - 1;
    const j = y - 1;
    const k = z - 1;
    if (i < 0 || j < 0 || k < 0 || i >= nx || j >= ny || k >= nz) return undefined;
    return values[(k * ny + j) * nx + i];
  };

  const makeVertex = (x: number, y: number, z: number, dir: number): number => {
    const d = DIRS[dir];
    let t = 0.5;
    if (interpolate) {
      const f0 = valueAt(x, y, z);
      const f1 = valueAt(x + d[0], y + d[1], z + d[2]);
      if (f0 !== undefined && f1 !== undefined && f0 !== f1) {
        t = (threshold - f0) / (f1 - f0);
        t = t < 0.01 ? 0.01 : t > 0.99 ? 0.99 : t === t ? t : 0.5; // NaN (a NaN or infinite voxel): midpoint
      }
    }
    // Unpadded index coordinates.
    const i = x - 1 + t * d[0];
    const j = y - 1 + t * d[1];
    const k = z - 1 + t * d[2];
    pts.push3(ox + m[0] * i + m[1] * j + m[2] * k, oy + m[3] * i + m[4] * j + m[5] * k, oz + m[6] * i + m[7] * j + m[8] * k);
    return pts.length / 3 - 1;
  };

  for (let z = 0; z < Z - 1; z++) {
    for (let y = 0; y < Y - 1; y++) {
      let p = z * XY + y * X;
      for (let x = 0; x < X - 1; x++, p++) {
        const cs =
          inside[p] |
          (inside[p + 1] << 1) |
          (inside[p + X] << 2) |
          (inside[p + X + 1] << 3) |
          (inside[p + XY] << 4) |
          (inside[p + XY + 1] << 5) |
          (inside[p + XY + X] << 6) |
          (inside[p + XY + X + 1] << 7);
        if (cs === 0 || cs === 255) continue;
        const s = caseStart[cs];
        const e = caseStart[cs + 1];
        const cellXY = y * X + x;
        for (let q = s; q < e; q++) {
          const le = caseEdges[q];
          const layer = edgeLayer[le];
          const slot = (cellXY + edgeBaseXY[le]) * 7 + edgeDir[le];
          const buf = layer === 0 ? slice0 : slice1;
          let id = buf[slot];
          if (id < 0) {
            const b = edges[le].base;
            id = makeVertex(x + (b & 1), y + ((b >> 1) & 1), z + layer, edgeDir[le]);
            buf[slot] = id;
          }
          local[q - s] = id;
        }
        for (let q = 0; q < e - s; q += 3) {
          if (flip) tris.push3(local[q], local[q + 2], local[q + 1]);
          else tris.push3(local[q], local[q + 1], local[q + 2]);
        }
      }
    }
    const tmp = slice0;
    slice0 = slice1;
    slice1 = tmp;
    slice1.fill(-1);
  }
  return { pointsLps: pts.data.slice(0, pts.length), triangles: tris.data.slice(0, tris.length), foregroundVoxels };
}
