/**
 * Combinatorial checks on triangle meshes (interleaved vertex indices): closedness, orientation, connected
 * components and the Euler characteristic. Used by tests and by callers that need a watertight surface.
 *
 * For a closed orientable surface with g handles in each of c components, χ = V − E + F = 2c − 2g (a sphere: 2).
 */

/** Undirected edge keys min·V + max of every triangle side (3 per triangle), sorted. V ≤ 2^26 keeps keys exact. */
function sortedEdgeKeys(triangles: ArrayLike<number>, vertexCount: number, directed: boolean): Float64Array {
  const keys = new Float64Array(triangles.length);
  for (let t = 0; t < triangles.length; t += 3) {
    for (let s = 0; s < 3; s++) {
      const a = triangles[t + s];
      const b = triangles[t + ((s + 1) % 3)];
      keys[t + s] = directed || a < b ? a * vertexCount + b : b * vertexCount + a;
    }
  }
  return keys.sort();
}

function vertexCountOf(triangles: ArrayLike<number>): number {
  let max = -1;
  for (let i = 0; i < triangles.length; i++) if (triangles[i] > max) max = triangles[i];
  return max + 1;
}

/** Counts of undirected edges by how many triangles use them. */
export interface EdgeUse {
  /** Distinct undirected edges. */
  edges: number;
  /** Edges used by one triangle (a hole's rim). */
  boundary: number;
  /** Edges used by more than two triangles. */
  nonManifold: number;
}

/** Classifies every undirected edge by the number of triangles sharing it. */
export function edgeUse(triangles: ArrayLike<number>): EdgeUse {
  const keys = sortedEdgeKeys(triangles, vertexCountOf(triangles), false);
  let edges = 0;
  let boundary = 0;
  let nonManifold = 0;
  for (let i = 0; i < keys.length; ) {
    let j = i + 1;
    while (j < keys.length && keys[j] === keys[i]) j++;
    edges++;
    if (j - i === 1) boundary++;
    else if (j - i > 2) nonManifold++;
    i = j;
  }
  return { edges, boundary, nonManifold };
}

/** True when every undirected edge is shared by exactly two triangles (a watertight surface); false if empty. */
export function isClosed(triangles: ArrayLike<number>): boolean {
  if (triangles.length === 0) return false;
  const u = edgeUse(triangles);
  return u.boundary === 0 && u.nonManifold === 0;
}

/**
 * True when no directed edge a→b occurs twice, i.e. neighbouring triangles traverse their shared edge in opposite
 * directions (a coherent orientation). On a closed surface this also means every a→b has its b→a.
 */
export function isConsistentlyOriented(triangles: ArrayLike<number>): boolean {
  const keys = sortedEdgeKeys(triangles, vertexCountOf(triangles), true);
  for (let i = 1; i < keys.length; i++) if (keys[i] === keys[i - 1]) return false;
  return true;
}

/** Euler characteristic χ = V − E + F, counting only vertices that some triangle uses. */
export function eulerCharacteristic(triangles: ArrayLike<number>): number {
  const n = vertexCountOf(triangles);
  const used = new Uint8Array(n);
  for (let i = 0; i < triangles.length; i++) used[triangles[i]] = 1;
  let v = 0;
  for (let i = 0; i < n; i++) v += used[i];
  return v - edgeUse(triangles).edges + triangles.length / 3;
}

/** Connected components of the vertices that triangles use (union–find over triangle sides). */
export interface Components {
  count: number;
  /** Component id per vertex (0 … count − 1), −1 for vertices no triangle uses. Ids follow the lowest vertex index. */
  labels: Int32Array;
  /** Vertices per component. */
  sizes: number[];
}

/** Connected components of a triangle mesh with `vertexCount` vertices. */
export function connectedComponents(triangles: ArrayLike<number>, vertexCount: number = vertexCountOf(triangles)): Components {
  const parent = new Int32Array(vertexCount);
  for (let i = 0; i < vertexCount; i++) parent[i] = i;
  const find = (a: number): number => {
    while (parent[a] !== a) {
      parent[a] = parent[parent[a]];
      a = parent[a];
    }
    return a;
  };
  const used = new Uint8Array(vertexCount);
  for (let t = 0; t < triangles.length; t += 3) {
    const a = triangles[t];
    used[a] = used[triangles[t + 1]] = used[triangles[t + 2]] = 1;
    for (let s = 1; s < 3; s++) {
      const ra = find(a);
      const rb = find(triangles[t + s]);
      if (ra !== rb) parent[ra < rb ? rb : ra] = ra < rb ? ra : rb;
    }
  }
  const labels = new Int32Array(vertexCount).fill(-1);
  const rootLabel = new Int32Array(vertexCount).fill(-1);
  const sizes: number[] = [];
  for (let i = 0; i < vertexCount; i++) {
    if (!used[i]) continue;
    const r = find(i);
    if (rootLabel[r] < 0) {
      rootLabel[r] = sizes.length;
      sizes.push(0);
    }
    labels[i] = rootLabel[r];
    sizes[labels[i]]++;
  }
  return { count: sizes.length, labels, sizes };
}
