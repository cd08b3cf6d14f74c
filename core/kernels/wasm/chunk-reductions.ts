// AssemblyScript (compiled by `npm run build:kernels` into kernels.wasm); excluded from tsc and eslint.

/** Σ a_t · b_t over `nvec` vectors. */
export function dot(a: usize, b: usize, nvec: i32): f32 {
  let acc = f32x4.splat(0);
  let p = a;
  let q = b;
  const end = a + ((<usize>nvec) << 4);
  while (p < end) {
    acc = f32x4.add(acc, f32x4.mul(v128.load(p), v128.load(q)));
    p += 16;
    q += 16;
  }
  return f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
}

/** dst += src over `nvec` vectors. */
export function addInto(dst: usize, src: usize, nvec: i32): void {
  let p = src;
  let q = dst;
  const end = src + ((<usize>nvec) << 4);
  while (p < end) {
    v128.store(q, f32x4.add(v128.load(q), v128.load(p)));
    p += 16;
    q += 16;
  }
}

/** Fills lanes n .. (whole vectors) with `value` so a partial last vector reduces correctly. */
export function padTail(dst: usize, n: i32, value: f32): void {
  v128.store(dst + ((<usize>n) << 2), f32x4.splat(value));
}

/** First t < n with src[t] == value (−1 if none). */
export function firstIndexOf(src: usize, n: i32, value: f32): i32 {
  for (let t = 0; t < n; t++) {
    if (load<f32>(src + ((<usize>t) << 2)) == value) return t;
  }
  return -1;
}

/** The largest of `nvec` vectors (pmax: a NaN-free input is assumed; −∞ padding is neutral). */
export function maxOfVectors(src: usize, nvec: i32): f32 {
  let m = f32x4.splat(-Infinity);
  let p = src;
  const end = src + ((<usize>nvec) << 4);
  while (p < end) {
    m = f32x4.pmax(m, v128.load(p));
    p += 16;
  }
  return max(max(f32x4.extract_lane(m, 0), f32x4.extract_lane(m, 1)), max(f32x4.extract_lane(m, 2), f32x4.extract_lane(m, 3)));
}
