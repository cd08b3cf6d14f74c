/** Squared distance between row i of `xp` and row j of `yp` (`dim` interleaved coordinates each). */
export function rowDistance2(xp: Float32Array, i: number, yp: Float32Array, j: number, dim: number): number {
  let acc = 0;
  const xo = i * dim;
  const yo = j * dim;
  for (let d = 0; d < dim; d++) {
    const t = xp[xo + d] - yp[yo + d];
    acc += t * t;
  }
  return acc;
}
