/**
 * Random draws for the synthetic deformations, all from one seeded mulberry32 stream (core/shape/prng.ts) so a
 * pair is a pure function of its seed.
 */
import { mulberry32 } from '../../shape/index.ts';

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [a, b). */
  uniform(a: number, b: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** A uniformly distributed unit vector. */
  unitVector(): [number, number, number];
}

export function createRandom(seed: number): Random {
  const next = mulberry32(seed);
  let spare: number | undefined;
  const normal = (): number => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    let u = next();
    while (u <= 0) u = next();
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  return {
    next,
    uniform: (a, b) => a + (b - a) * next(),
    normal,
    int: (n) => Math.min(n - 1, Math.floor(next() * n)),
    unitVector() {
      for (;;) {
        const x = normal();
        const y = normal();
        const z = normal();
        const r = Math.hypot(x, y, z);
        if (r > 1e-9) return [x / r, y / r, z / r];
      }
    },
  };
}

/** A seed derived from several integers (splitmix-style mixing), for per-epoch / per-pair streams. */
export function deriveSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x85ebca6b) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
    h ^= h >>> 16;
  }
  return h >>> 0;
}
