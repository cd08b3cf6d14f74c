/**
 * One copy of each distinct typed array in a results payload. The moving surface, the shape after each step and the
 * warped shape share one triangulation (copd1: 600k indices, 2.4 MB each), and the last step's shape is the warped
 * shape itself; sent as they are read, a lung's results were 40 MB. The wire codec (wire-codec.ts) and Electron's
 * structured clone both send an array referenced twice once, so making equal arrays one object is all it takes.
 */
type Typed = Float32Array | Uint32Array;

/** Byte-wise equality of two arrays of the same type. */
function sameBytes(a: Typed, b: Typed): boolean {
  if (a.constructor !== b.constructor || a.byteLength !== b.byteLength) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** Interns arrays: `share(a)` returns an earlier array with the same type and bytes, else `a` (remembered). */
export class SharedArrays {
  private readonly byLength = new Map<number, Typed[]>();

  share<T extends Typed>(array: T): T {
    const seen = this.byLength.get(array.byteLength) ?? [];
    const match = seen.find((s) => sameBytes(s, array));
    if (match) return match as T;
    seen.push(array);
    this.byLength.set(array.byteLength, seen);
    return array;
  }
}
