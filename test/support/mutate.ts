import { mulberry32 } from '../../core/shape/index.ts';

export { mulberry32 };

/**
 * Deterministic corruptions of real files for reader mutation tests: truncations, bit flips, byte runs
 * overwritten with garbage, and pure garbage of the same length.
 */

export interface Mutant {
  description: string;
  bytes: Uint8Array;
}

/**
 * `count` variants of `original`: a third truncations (biased to the header, where parsers branch most),
 * a third single or multiple bit flips, the rest garbage runs or whole-garbage files.
 */
export function* mutants(original: Uint8Array, count: number, seed = 1): Generator<Mutant> {
  const rand = mulberry32(seed);
  const n = original.length;
  for (let k = 0; k < count; k++) {
    const kind = k % 3;
    if (kind === 0) {
      const cut = rand() < 0.5 ? Math.floor(rand() * Math.min(n, 512)) : Math.floor(rand() * n);
      yield { description: `truncated to ${cut} of ${n} bytes`, bytes: original.slice(0, cut) };
    } else if (kind === 1) {
      const bytes = original.slice();
      const flips = 1 + Math.floor(rand() * 8);
      const at: number[] = [];
      for (let f = 0; f < flips; f++) {
        const i = rand() < 0.5 ? Math.floor(rand() * Math.min(n, 1024)) : Math.floor(rand() * n);
        bytes[i] ^= 1 << Math.floor(rand() * 8);
        at.push(i);
      }
      yield { description: `bits flipped at ${at.join(',')}`, bytes };
    } else if (rand() < 0.8) {
      const bytes = original.slice();
      const start = Math.floor(rand() * n);
      const len = Math.min(n - start, 1 + Math.floor(rand() * 64));
      for (let i = start; i < start + len; i++) bytes[i] = Math.floor(rand() * 256);
      yield { description: `${len} garbage bytes at ${start}`, bytes };
    } else {
      const len = 1 + Math.floor(rand() * Math.min(n, 4096));
      const bytes = new Uint8Array(len);
      for (let i = 0; i < len; i++) bytes[i] = Math.floor(rand() * 256);
      yield { description: `${len} bytes of garbage`, bytes };
    }
  }
}
