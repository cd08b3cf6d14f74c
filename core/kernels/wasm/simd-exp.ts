// AssemblyScript (compiled by `npm run build:kernels` into kernels.wasm); excluded from tsc and eslint.

/**
 * The vectorised exponential, in two loops: expAffine (dst = w · exp(a·src + b), exact zeros below −87) and
 * expSumShifted (Σ exp(src − shift), the log-sum-exp inner loop), for arguments ≤ 0 (the kernels only
 * exponentiate scores shifted by their maximum, or −d²/2σ²).
 *
 * exp(x): range reduction x = n·ln2 + r, |r| ≤ ½ln2, with n rounded by the 1.5·2^23 shifter (cheaper than
 * nearest + float→int conversion) and ln2 split in two constants (Cody–Waite, so n·C1 is exact); e^r by a
 * degree-5 polynomial fitted for minimax relative error on [−½ln2, ½ln2] (7.5e-8 in exact arithmetic, 2.1e-7
 * evaluated in float32); 2^n assembled in the exponent bits. Relative error 2.2e-7 at most over [−87, 0]
 * (measured; tested < 5e-7 against Math.exp in test/unit/kernels/cpu-engine.test.ts).
 *
 * Arguments are clamped below at −87 (with pmax — one maxps — not f32x4.max, whose NaN/±0 rules cost V8 ~8
 * instructions): e^−87 ≈ 1.6e-38 is the last value that stays a normal float32, so nothing underflows to a
 * (slow) denormal and −∞ never makes NaN. expAffine then masks such lanes to exactly 0.
 *
 * The constants are read from memory (`consts`, written by writeExpConstants) into locals before the loop:
 * as v128.const immediates inside the loop V8 rematerialises each one on every iteration, which cost ~15%.
 */

/** Round-to-integer shifter 1.5·2^23: adding it leaves round(t) in the low mantissa bits of a float32. */
const SHIFTER: f32 = 12582912.0;

/** Bytes of the constant table. */
export const EXP_CONSTANTS_BYTES: usize = 13 * 16;

/** Writes the constant table at `at` (16-byte aligned). */
export function writeExpConstants(at: usize): void {
  v128.store(at, f32x4.splat(-87.0), 0);
  v128.store(at, f32x4.splat(1.44269504088896341), 16);
  v128.store(at, f32x4.splat(SHIFTER), 32);
  v128.store(at, f32x4.splat(0.693359375), 48);
  v128.store(at, f32x4.splat(-2.12194440e-4), 64);
  v128.store(at, f32x4.splat(0.008297654800117016), 80);
  v128.store(at, f32x4.splat(0.04191538318991661), 96);
  v128.store(at, f32x4.splat(0.16667574644088745), 112);
  v128.store(at, f32x4.splat(0.49998894333839417), 128);
  v128.store(at, f32x4.splat(0.9999997019767761), 144);
  v128.store(at, f32x4.splat(1.0000001192092896), 160);
  v128.store(at, i32x4.splat(127), 176);
  v128.store(at, f32x4.splat(0), 192);
}

/** dst = w · exp(a·src + b) over `nvec` vectors (dst may be src); returns the sum of dst. */
export function expAffine(src: usize, dst: usize, nvec: i32, a: f32, b: f32, w: f32, consts: usize): f32 {
  const va = f32x4.splat(a);
  const vb = f32x4.splat(b);
  const vw = f32x4.splat(w);
  const lo = v128.load(consts, 0);
  const log2e = v128.load(consts, 16);
  const shifter = v128.load(consts, 32);
  const ln2hi = v128.load(consts, 48);
  const ln2lo = v128.load(consts, 64);
  const c5 = v128.load(consts, 80);
  const c4 = v128.load(consts, 96);
  const c3 = v128.load(consts, 112);
  const c2 = v128.load(consts, 128);
  const c1 = v128.load(consts, 144);
  const c0 = v128.load(consts, 160);
  const bias = v128.load(consts, 176);
  let acc = v128.load(consts, 192);
  let p = src;
  let q = dst;
  const end = src + ((<usize>nvec) << 4);
  while (p < end) {
    const x = f32x4.add(f32x4.mul(va, v128.load(p)), vb);
    const tooSmall = f32x4.lt(x, lo);
    let t = f32x4.pmax(x, lo);
    const shifted = f32x4.add(f32x4.mul(t, log2e), shifter);
    const n = f32x4.sub(shifted, shifter);
    t = f32x4.sub(t, f32x4.mul(n, ln2hi));
    t = f32x4.sub(t, f32x4.mul(n, ln2lo));
    let e = f32x4.add(f32x4.mul(c5, t), c4);
    e = f32x4.add(f32x4.mul(e, t), c3);
    e = f32x4.add(f32x4.mul(e, t), c2);
    e = f32x4.add(f32x4.mul(e, t), c1);
    e = f32x4.add(f32x4.mul(e, t), c0);
    // The shifter's bits are 0x4B400000 + n; adding 127 and shifting by 23 drops the prefix: (n + 127) << 23.
    const pow2n = i32x4.shl(i32x4.add(shifted, bias), 23);
    e = f32x4.mul(vw, v128.andnot(f32x4.mul(e, pow2n), tooSmall));
    v128.store(q, e);
    acc = f32x4.add(acc, e);
    p += 16;
    q += 16;
  }
  return f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
}

/**
 * Σ exp(src − shift) over `nvec` vectors, the log-sum-exp inner loop: the same exponential as expAffine without
 * the affine map, the store and the exact-zero mask (below −87 a term is 1.6e-38 instead of 0, nothing next to
 * the largest term, which is 1). Kept as a second copy of the polynomial so each loop has it inlined; the two
 * copies must stay in step (both are tested against Math.exp).
 */
export function expSumShifted(src: usize, nvec: i32, shift: f32, consts: usize): f32 {
  const vs = f32x4.splat(shift);
  const lo = v128.load(consts, 0);
  const log2e = v128.load(consts, 16);
  const shifter = v128.load(consts, 32);
  const ln2hi = v128.load(consts, 48);
  const ln2lo = v128.load(consts, 64);
  const c5 = v128.load(consts, 80);
  const c4 = v128.load(consts, 96);
  const c3 = v128.load(consts, 112);
  const c2 = v128.load(consts, 128);
  const c1 = v128.load(consts, 144);
  const c0 = v128.load(consts, 160);
  const bias = v128.load(consts, 176);
  let acc = v128.load(consts, 192);
  let p = src;
  const end = src + ((<usize>nvec) << 4);
  while (p < end) {
    let t = f32x4.pmax(f32x4.sub(v128.load(p), vs), lo);
    const shifted = f32x4.add(f32x4.mul(t, log2e), shifter);
    const n = f32x4.sub(shifted, shifter);
    t = f32x4.sub(t, f32x4.mul(n, ln2hi));
    t = f32x4.sub(t, f32x4.mul(n, ln2lo));
    let e = f32x4.add(f32x4.mul(c5, t), c4);
    e = f32x4.add(f32x4.mul(e, t), c3);
    e = f32x4.add(f32x4.mul(e, t), c2);
    e = f32x4.add(f32x4.mul(e, t), c1);
    e = f32x4.add(f32x4.mul(e, t), c0);
    acc = f32x4.add(acc, f32x4.mul(e, i32x4.shl(i32x4.add(shifted, bias), 23)));
    p += 16;
  }
  return f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
}
