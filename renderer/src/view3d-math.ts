/** Small array helpers of the 3D view, kept free of vtk.js so they are tested in Node. */

/** Connectivity in VTK's cell-array layout: [n, i0 … in−1, n, …]. */
export function cellArray(indices: ArrayLike<number>, perCell: number): Uint32Array {
  const cells = indices.length / perCell;
  const out = new Uint32Array(cells * (perCell + 1));
  for (let c = 0; c < cells; c++) {
    out[c * (perCell + 1)] = perCell;
    for (let k = 0; k < perCell; k++) out[c * (perCell + 1) + 1 + k] = indices[c * perCell + k];
  }
  return out;
}

/** Magnitudes of interleaved vectors (the values themselves for a scalar array). */
export function magnitudes(values: Float32Array, components: number): Float32Array {
  if (components === 1) return values;
  const out = new Float32Array(values.length / components);
  for (let i = 0; i < out.length; i++) {
    let s = 0;
    for (let c = 0; c < components; c++) s += values[i * components + c] ** 2;
    out[i] = Math.sqrt(s);
  }
  return out;
}
