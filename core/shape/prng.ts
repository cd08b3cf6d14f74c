/**
 * mulberry32: a tiny, fast 32-bit-state pseudo-random generator (Tommy Ettinger, public domain) with good
 * statistical quality for sampling. Deterministic for a seed, so sampled subsets are reproducible run to run.
 */

/** Returns a generator of uniform numbers in [0, 1) seeded by the integer `seed`. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
