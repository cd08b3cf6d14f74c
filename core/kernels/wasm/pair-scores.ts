// AssemblyScript (compiled by `npm run build:kernels` into kernels.wasm); excluded from tsc and eslint.

/**
 * Pair scores for one x row against a contiguous run of y columns, four columns per f32x4, written to a small
 * scratch chunk that the reductions (chunk-reductions.ts) then read from L1.
 *
 * y is stored structure-of-arrays: coordinate d of point j at `y + d·strideBytes + 4j`, each coordinate array
 * padded past M, so a four-wide load that starts at any j < M stays in bounds (lanes past the run are junk that
 * the caller overwrites or masks). h is padded the same way.
 */

/** s = h_j − scale·|x − y_j|²  (p = 2, scale = 1/(2ε)). */
export const MODE_SQUARED: i32 = 0;
/** s = h_j − scale·|x − y_j|    (p = 1, scale = 1/ε). */
export const MODE_DISTANCE: i32 = 1;
/** s = |x − y_j|²                (Gaussian sums, kNN). */
export const MODE_DIST2: i32 = 2;

/**
 * Writes the scores of columns j .. j+n−1 at `dst` (rounded up to whole vectors). For dim 3 the three x
 * coordinates come splatted in x0, x1, x2 (fused fast path); otherwise `xs` holds `dim` splatted vectors.
 * Returns the largest of the n scores (−∞ if none), found on the way so the caller needs no second pass;
 * in MODE_DIST2 the return value is meaningless.
 */
export function fillScores(
  mode: i32,
  dim: i32,
  x0: v128,
  x1: v128,
  x2: v128,
  xs: usize,
  y: usize,
  strideBytes: usize,
  h: usize,
  scale: v128,
  j: i32,
  n: i32,
  dst: usize,
): f32 {
  const offset = (<usize>j) << 2;
  const end = dst + ((<usize>(n + 3) >> 2) << 4);
  // The running max of every vector, and of every vector but the last (whose lanes past n are junk).
  let m = f32x4.splat(-Infinity);
  let before = m;
  if (dim == 3) {
    let p0 = y + offset;
    let p1 = p0 + strideBytes;
    let p2 = p1 + strideBytes;
    let ph = h + offset;
    let q = dst;
    if (mode == MODE_SQUARED) {
      while (q < end) {
        const a = f32x4.sub(x0, v128.load(p0));
        const b = f32x4.sub(x1, v128.load(p1));
        const c = f32x4.sub(x2, v128.load(p2));
        const d2 = f32x4.add(f32x4.add(f32x4.mul(a, a), f32x4.mul(b, b)), f32x4.mul(c, c));
        const sc = f32x4.sub(v128.load(ph), f32x4.mul(scale, d2));
        v128.store(q, sc);
        before = m;
        m = f32x4.pmax(m, sc);
        p0 += 16;
        p1 += 16;
        p2 += 16;
        ph += 16;
        q += 16;
      }
    } else if (mode == MODE_DISTANCE) {
      while (q < end) {
        const a = f32x4.sub(x0, v128.load(p0));
        const b = f32x4.sub(x1, v128.load(p1));
        const c = f32x4.sub(x2, v128.load(p2));
        const d2 = f32x4.add(f32x4.add(f32x4.mul(a, a), f32x4.mul(b, b)), f32x4.mul(c, c));
        const sc = f32x4.sub(v128.load(ph), f32x4.mul(scale, f32x4.sqrt(d2)));
        v128.store(q, sc);
        before = m;
        m = f32x4.pmax(m, sc);
        p0 += 16;
        p1 += 16;
        p2 += 16;
        ph += 16;
        q += 16;
      }
    } else {
      while (q < end) {
        const a = f32x4.sub(x0, v128.load(p0));
        const b = f32x4.sub(x1, v128.load(p1));
        const c = f32x4.sub(x2, v128.load(p2));
        v128.store(q, f32x4.add(f32x4.add(f32x4.mul(a, a), f32x4.mul(b, b)), f32x4.mul(c, c)));
        p0 += 16;
        p1 += 16;
        p2 += 16;
        q += 16;
      }
      return -Infinity;
    }
    return maxOfValid(m, before, dst, n);
  }

  // Any dim: accumulate one coordinate at a time over the chunk (the chunk stays in L1), then transform.
  {
    const xd = v128.load(xs);
    let p = y + offset;
    let q = dst;
    while (q < end) {
      const a = f32x4.sub(xd, v128.load(p));
      v128.store(q, f32x4.mul(a, a));
      p += 16;
      q += 16;
    }
  }
  for (let d = 1; d < dim; d++) {
    const xd = v128.load(xs + ((<usize>d) << 4));
    let p = y + (<usize>d) * strideBytes + offset;
    let q = dst;
    while (q < end) {
      const a = f32x4.sub(xd, v128.load(p));
      v128.store(q, f32x4.add(v128.load(q), f32x4.mul(a, a)));
      p += 16;
      q += 16;
    }
  }
  if (mode == MODE_DIST2) return -Infinity;
  let ph = h + offset;
  let q = dst;
  if (mode == MODE_SQUARED) {
    while (q < end) {
      const sc = f32x4.sub(v128.load(ph), f32x4.mul(scale, v128.load(q)));
      v128.store(q, sc);
      before = m;
      m = f32x4.pmax(m, sc);
      ph += 16;
      q += 16;
    }
  } else {
    while (q < end) {
      const sc = f32x4.sub(v128.load(ph), f32x4.mul(scale, f32x4.sqrt(v128.load(q))));
      v128.store(q, sc);
      before = m;
      m = f32x4.pmax(m, sc);
      ph += 16;
      q += 16;
    }
  }
  return maxOfValid(m, before, dst, n);
}

/**
 * Scores of columns j .. j+n−1 at `dst` like fillScores (MODE_SQUARED or MODE_DISTANCE), without tracking their
 * maximum: for short runs of columns (block-sparse rows) the per-call horizontal max costs more than the scores,
 * so callers fill a whole chunk and take its max once (maxOfVectors).
 */
// @ts-ignore: decorator
@inline
export function fillScoresOnly(
  mode: i32,
  dim: i32,
  x0: v128,
  x1: v128,
  x2: v128,
  xs: usize,
  y: usize,
  strideBytes: usize,
  h: usize,
  scale: v128,
  j: i32,
  n: i32,
  dst: usize,
): void {
  if (dim != 3) {
    fillScores(mode, dim, x0, x1, x2, xs, y, strideBytes, h, scale, j, n, dst);
    return;
  }
  const offset = (<usize>j) << 2;
  const end = dst + ((<usize>(n + 3) >> 2) << 4);
  let p0 = y + offset;
  let p1 = p0 + strideBytes;
  let p2 = p1 + strideBytes;
  let ph = h + offset;
  let q = dst;
  if (mode == MODE_SQUARED) {
    while (q < end) {
      const a = f32x4.sub(x0, v128.load(p0));
      const b = f32x4.sub(x1, v128.load(p1));
      const c = f32x4.sub(x2, v128.load(p2));
      const d2 = f32x4.add(f32x4.add(f32x4.mul(a, a), f32x4.mul(b, b)), f32x4.mul(c, c));
      v128.store(q, f32x4.sub(v128.load(ph), f32x4.mul(scale, d2)));
      p0 += 16;
      p1 += 16;
      p2 += 16;
      ph += 16;
      q += 16;
    }
  } else {
    while (q < end) {
      const a = f32x4.sub(x0, v128.load(p0));
      const b = f32x4.sub(x1, v128.load(p1));
      const c = f32x4.sub(x2, v128.load(p2));
      const d2 = f32x4.add(f32x4.add(f32x4.mul(a, a), f32x4.mul(b, b)), f32x4.mul(c, c));
      v128.store(q, f32x4.sub(v128.load(ph), f32x4.mul(scale, f32x4.sqrt(d2))));
      p0 += 16;
      p1 += 16;
      p2 += 16;
      ph += 16;
      q += 16;
    }
  }
}

/**
 * The max of the first n values written at dst, from the fill loops' running maxima: all of them when n is a
 * whole number of vectors, else those before the last vector plus its valid lanes.
 */
function maxOfValid(all: v128, beforeLast: v128, dst: usize, n: i32): f32 {
  const rem = n & 3;
  const m = rem == 0 ? all : beforeLast;
  let r = max(max(f32x4.extract_lane(m, 0), f32x4.extract_lane(m, 1)), max(f32x4.extract_lane(m, 2), f32x4.extract_lane(m, 3)));
  if (rem != 0) {
    const tail = dst + ((<usize>(n - rem)) << 2);
    for (let t = 0; t < rem; t++) r = max(r, load<f32>(tail + ((<usize>t) << 2)));
  }
  return r;
}

/** Copies `vdim` channels of per-column values for columns j .. j+n−1 (whole vectors) into chunk buffers. */
export function gatherValues(v: usize, strideBytes: usize, vdim: i32, j: i32, n: i32, dst: usize, dstStrideBytes: usize): void {
  const nvec = (n + 3) >> 2;
  const offset = (<usize>j) << 2;
  for (let c = 0; c < vdim; c++) {
    let p = v + (<usize>c) * strideBytes + offset;
    let q = dst + (<usize>c) * dstStrideBytes;
    for (let t = 0; t < nvec; t++) {
      v128.store(q, v128.load(p));
      p += 16;
      q += 16;
    }
  }
}
