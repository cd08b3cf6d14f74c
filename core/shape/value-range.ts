/**
 * The range of an array's values, or of its 3-vectors' magnitudes: what a colour map is scaled to, and what an
 * image's description quotes.
 */

/** [min, max] of a scalar array, or of the magnitudes of its 3-vectors; [0, 0] when empty or all non-finite. */
export function valueRange(values: ArrayLike<number>, components: number, magnitude: boolean): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  if (magnitude) {
    for (let i = 0; i + components <= values.length; i += components) {
      let s = 0;
      for (let c = 0; c < components; c++) s += values[i + c] * values[i + c];
      const v = Math.sqrt(s);
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  } else {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return Number.isFinite(lo) && Number.isFinite(hi) ? [lo, hi] : [0, 0];
}
