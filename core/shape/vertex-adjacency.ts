/**
 * Vertex one-ring adjacency of a triangle mesh in compressed-sparse-row form: the distinct neighbours of vertex v
 * are neighbours[offsets[v] … offsets[v + 1]), ascending.
 */
export interface VertexAdjacency {
  offsets: Uint32Array;
  neighbours: Uint32Array;
}

/** Builds the one-ring adjacency of `vertexCount` vertices from interleaved triangles. */
export function vertexAdjacency(triangles: ArrayLike<number>, vertexCount: number): VertexAdjacency {
  // Each triangle gives each of its vertices two (possibly repeated) neighbours.
  const count = new Uint32Array(vertexCount + 1);
  for (let i = 0; i < triangles.length; i++) count[triangles[i] + 1] += 2;
  for (let v = 0; v < vertexCount; v++) count[v + 1] += count[v];
  const raw = new Uint32Array(count[vertexCount]);
  const fill = count.slice(0, vertexCount);
  for (let t = 0; t < triangles.length; t += 3) {
    const a = triangles[t];
    const b = triangles[t + 1];
    const c = triangles[t + 2];
    raw[fill[a]++] = b;
    raw[fill[a]++] = c;
    raw[fill[b]++] = c;
    raw[fill[b]++] = a;
    raw[fill[c]++] = a;
    raw[fill[c]++] = b;
  }
  // Sort and de-duplicate each vertex's run, compacting in place.
  const offsets = new Uint32Array(vertexCount + 1);
  let w = 0;
  for (let v = 0; v < vertexCount; v++) {
    const s = count[v];
    const e = count[v + 1];
    const run = raw.subarray(s, e).sort();
    offsets[v] = w;
    for (let i = 0; i < run.length; i++) if (i === 0 || run[i] !== run[i - 1]) raw[w++] = run[i];
  }
  offsets[vertexCount] = w;
  return { offsets, neighbours: raw.slice(0, w) };
}
