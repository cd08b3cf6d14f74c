/**
 * Point masses a (on x) and b (on y). Zero masses are allowed (a point that must not attract anything): their
 * log is −∞, which the engines treat as an absent term (exp(−∞) = 0), never as NaN. Negative, non-finite or
 * all-zero masses are rejected.
 */

export interface Masses {
  /** Masses, float64. */
  w: Float64Array;
  /** log w (−∞ where w = 0). */
  logW: Float64Array;
  /** Total mass. */
  total: number;
}

/** Uniform 1/n, or the given masses checked. */
export function resolveMasses(given: ArrayLike<number> | undefined, n: number, what: string): Masses {
  const w = new Float64Array(n);
  if (given === undefined) {
    w.fill(1 / n);
  } else {
    if (given.length !== n) throw new RangeError(`ot: ${what} has ${given.length} masses for ${n} points`);
    for (let i = 0; i < n; i++) {
      const v = given[i];
      if (!(Number.isFinite(v) && v >= 0)) throw new RangeError(`ot: ${what}[${i}] = ${v}: masses must be finite and ≥ 0`);
      w[i] = v;
    }
  }
  let total = 0;
  for (let i = 0; i < n; i++) total += w[i];
  if (!(total > 0)) throw new RangeError(`ot: the masses ${what} sum to 0`);
  const logW = new Float64Array(n);
  for (let i = 0; i < n; i++) logW[i] = Math.log(w[i]);
  return { w, logW, total };
}

/** A permuted copy (out[k] = source[perm[k]]). */
export function permuteMasses(m: Masses, perm: Uint32Array): Masses {
  const w = new Float64Array(perm.length);
  const logW = new Float64Array(perm.length);
  for (let k = 0; k < perm.length; k++) {
    w[k] = m.w[perm[k]];
    logW[k] = m.logW[perm[k]];
  }
  return { w, logW, total: m.total };
}
