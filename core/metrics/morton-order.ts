/**
 * Spatially coherent visiting order for a batch of nearest-neighbour queries: points sorted along a Z-order
 * (Morton) curve over their bounding box, 10 bits per axis (Morton 1966). Consecutive queries are then close, so
 * each one's answer is a tight starting bound for the next (aabb-tree.ts `hint`), whatever order the caller's
 * points come in. Only the visiting order changes; results are stored back in the caller's order.
 */

/** Spreads the low 10 bits of v to every third bit (bit k → bit 3k). */
function spread10(v: number): number {
  let x = v & 0x3ff;
  x = (x | (x << 16)) & 0x030000ff;
  x = (x | (x << 8)) & 0x0300f00f;
  x = (x | (x << 4)) & 0x030c30c3;
  x = (x | (x << 2)) & 0x09249249;
  return x;
}

/** Indices 0 … n−1 of the points of interleaved `xyz`, in Z-order. Non-finite points go last. */
export function mortonOrder(xyz: ArrayLike<number>): Uint32Array {
  const n = Math.floor(xyz.length / 3);
  let x0 = Infinity, y0 = Infinity, z0 = Infinity, x1 = -Infinity, y1 = -Infinity, z1 = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = xyz[3 * i];
    const y = xyz[3 * i + 1];
    const z = xyz[3 * i + 2];
    if (!(Number.isFinite(x) && Number.isFinite(y) && Number.isFinite(z))) continue;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
    if (z < z0) z0 = z;
    if (z > z1) z1 = z;
  }
  const extent = Math.max(x1 - x0, y1 - y0, z1 - z0);
  const scale = extent > 0 ? 1023 / extent : 0;
  // key · 2^22 + i packs both into one float64, exact while keys ≤ 2^30 and n < 2^22 (< 2^53 in all), so a plain
  // numeric sort orders by key, then by index. Beyond 4 M points the natural order is kept (still correct).
  if (n >= 2 ** 22) {
    const idx = new Uint32Array(n);
    for (let i = 0; i < n; i++) idx[i] = i;
    return idx;
  }
  const packed = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = xyz[3 * i];
    const y = xyz[3 * i + 1];
    const z = xyz[3 * i + 2];
    const key = Number.isFinite(x) && Number.isFinite(y) && Number.isFinite(z)
      ? (spread10(Math.round((x - x0) * scale)) | (spread10(Math.round((y - y0) * scale)) << 1) | (spread10(Math.round((z - z0) * scale)) << 2)) >>> 0
      : 2 ** 30;
    packed[i] = key * 2 ** 22 + i;
  }
  packed.sort();
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = packed[i] % 2 ** 22;
  return order;
}
