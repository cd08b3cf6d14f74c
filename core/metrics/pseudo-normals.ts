/**
 * Angle-weighted pseudo-normals of a triangle mesh, for the sign of point-to-surface distances (Bærentzen &
 * Aanæs, "Signed distance computation using the angle weighted pseudonormal", IEEE TVCG 11(3), 2005).
 *
 * For a closed, consistently oriented surface and any point p with closest surface point c on feature F:
 *   sign(p) = sign( (p − c) · n_F )       (positive outside when the normals point outward)
 * where n_F is the pseudo-normal of F:
 *   face:   its unit normal n_t = (b − a) × (c − a) / |…|
 *   edge:   π·n_1 + π·n_2, i.e. the sum of the unit normals of the two faces sharing it
 *   vertex: Σ_t α_t · n_t over the incident faces, α_t the angle of face t at the vertex
 *           (the incidence angles make it independent of how the surrounding surface is triangulated).
 * Using the face normal of whichever triangle happens to be nearest is wrong near edges and vertices: a point
 * outside a sharp convex corner can be nearest to a vertex whose incident faces include one facing away from it.
 *
 * Edges on a hole's rim (one face) get that face's normal; non-manifold edges sum all their faces. Degenerate
 * (zero-area) faces have normal 0 and contribute nothing. All pseudo-normals are returned normalised (0 when the
 * sum vanishes); normalising does not change the sign.
 */
import { triangleUnitNormalInto } from '../shape/index.ts';

export interface PseudoNormals {
  /** Unit face normals, 3 per triangle. */
  face: Float64Array;
  /** Angle-weighted unit vertex pseudo-normals, 3 per vertex. */
  vertex: Float64Array;
  /** Unit edge pseudo-normals per triangle side: side s (corner s → corner s+1) of triangle t at 9·t + 3·s. */
  edge: Float64Array;
}

/** Largest vertex count for which the undirected edge keys min·V + max stay exact in float64. */
const MAX_VERTICES = 2 ** 26;

/**
 * Which undirected edge each triangle side is: side s of triangle t (index 3t + s) → edge `group[3t + s]`, of
 * `count` edges. It depends on the triangles only, so a mesh whose vertices move keeps it.
 */
export interface EdgeGroups {
  group: Uint32Array;
  count: number;
}

/**
 * Computes face, edge and vertex pseudo-normals of `triangles` over interleaved xyz `points`; `edges` (from
 * edgeGroupsOf, for the same triangles) saves regrouping the edges of a mesh whose vertices moved.
 */
export function pseudoNormals(points: ArrayLike<number>, triangles: ArrayLike<number>, edges: EdgeGroups = edgeGroupsOf(triangles, points.length / 3)): PseudoNormals {
  const vertexCount = points.length / 3;
  if (vertexCount > MAX_VERTICES) throw new RangeError(`pseudo-normals: at most ${MAX_VERTICES} vertices, got ${vertexCount}`);
  const triangleCount = triangles.length / 3;
  const face = new Float64Array(3 * triangleCount);
  const vertex = new Float64Array(points.length);
  const unitNormal = new Float64Array(3);
  for (let t = 0; t < triangleCount; t++) {
    const ia = triangles[3 * t];
    const ib = triangles[3 * t + 1];
    const ic = triangles[3 * t + 2];
    const corners = [ia, ib, ic];
    if (!(triangleUnitNormalInto(points, ia, ib, ic, unitNormal) > 0)) continue;
    const nx = unitNormal[0];
    const ny = unitNormal[1];
    const nz = unitNormal[2];
    face[3 * t] = nx;
    face[3 * t + 1] = ny;
    face[3 * t + 2] = nz;
    for (let k = 0; k < 3; k++) {
      const o = 3 * corners[k];
      const p = 3 * corners[(k + 1) % 3];
      const q = 3 * corners[(k + 2) % 3];
      const ex = points[p] - points[o];
      const ey = points[p + 1] - points[o + 1];
      const ez = points[p + 2] - points[o + 2];
      const fx = points[q] - points[o];
      const fy = points[q + 1] - points[o + 1];
      const fz = points[q + 2] - points[o + 2];
      // Interior angle at the corner, atan2(|e × f|, e · f): accurate for angles near 0 and π alike.
      const cx = ey * fz - ez * fy;
      const cy = ez * fx - ex * fz;
      const cz = ex * fy - ey * fx;
      const angle = Math.atan2(Math.hypot(cx, cy, cz), ex * fx + ey * fy + ez * fz);
      vertex[o] += angle * nx;
      vertex[o + 1] += angle * ny;
      vertex[o + 2] += angle * nz;
    }
  }
  normaliseRows(vertex);
  return { face, vertex, edge: edgePseudoNormals(edges, face) };
}

/** Groups the triangle sides by undirected edge (keys min·V + max, sorted; each side's group by binary search). */
export function edgeGroupsOf(triangles: ArrayLike<number>, vertexCount: number): EdgeGroups {
  if (vertexCount > MAX_VERTICES) throw new RangeError(`pseudo-normals: at most ${MAX_VERTICES} vertices, got ${vertexCount}`);
  const sides = triangles.length;
  const keys = new Float64Array(sides);
  for (let t = 0; t < sides; t += 3) {
    for (let s = 0; s < 3; s++) {
      const a = triangles[t + s];
      const b = triangles[t + ((s + 1) % 3)];
      keys[t + s] = a < b ? a * vertexCount + b : b * vertexCount + a;
    }
  }
  const sorted = keys.slice().sort();
  // Distinct keys, then each side's group by binary search.
  let distinct = 0;
  for (let i = 0; i < sides; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[distinct++] = sorted[i];
  const unique = sorted.subarray(0, distinct);
  const group = new Uint32Array(sides);
  for (let i = 0; i < sides; i++) group[i] = lowerBound(unique, keys[i]);
  return { group, count: distinct };
}

/** Edge pseudo-normals: per undirected edge, the sum of the unit normals of the faces using it, copied to each side. */
function edgePseudoNormals(edges: EdgeGroups, face: Float64Array): Float64Array {
  const { group } = edges;
  const sides = group.length;
  const sum = new Float64Array(3 * edges.count);
  for (let i = 0; i < sides; i++) {
    const g = group[i];
    const t = Math.floor(i / 3);
    sum[3 * g] += face[3 * t];
    sum[3 * g + 1] += face[3 * t + 1];
    sum[3 * g + 2] += face[3 * t + 2];
  }
  normaliseRows(sum);
  const edge = new Float64Array(3 * sides);
  for (let i = 0; i < sides; i++) {
    const g = group[i];
    edge[3 * i] = sum[3 * g];
    edge[3 * i + 1] = sum[3 * g + 1];
    edge[3 * i + 2] = sum[3 * g + 2];
  }
  return edge;
}

function lowerBound(sorted: Float64Array, key: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function normaliseRows(xyz: Float64Array): void {
  for (let i = 0; i < xyz.length; i += 3) {
    const len = Math.hypot(xyz[i], xyz[i + 1], xyz[i + 2]);
    if (len > 0) {
      xyz[i] /= len;
      xyz[i + 1] /= len;
      xyz[i + 2] /= len;
    } else {
      xyz[i] = 0;
      xyz[i + 1] = 0;
      xyz[i + 2] = 0;
    }
  }
}
