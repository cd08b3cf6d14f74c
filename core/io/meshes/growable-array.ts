/**
 * Append-only typed-array buffers for readers that learn a count only at the end (OBJ vertices, polygon faces
 * fanned into triangles). Capacity doubles, so appending n values costs O(n) amortised and no per-value objects.
 */

/** A growing Float64Array or Uint32Array: `new GrowableArray(Uint32Array, capacity)`. */
export class GrowableArray<T extends Float64Array | Uint32Array> {
  private data: T;
  length = 0;

  constructor(
    private readonly Type: new (length: number) => T,
    initialCapacity = 1024,
  ) {
    this.data = new Type(Math.max(16, initialCapacity));
  }

  push(value: number): void {
    if (this.length === this.data.length) this.grow();
    this.data[this.length++] = value;
  }

  push3(a: number, b: number, c: number): void {
    if (this.length + 3 > this.data.length) this.grow();
    const d = this.data;
    const n = this.length;
    d[n] = a;
    d[n + 1] = b;
    d[n + 2] = c;
    this.length = n + 3;
  }

  private grow(): void {
    const next = new this.Type(this.data.length * 2);
    next.set(this.data);
    this.data = next;
  }

  /** A right-sized copy of the contents. */
  toArray(): T {
    const out = new this.Type(this.length);
    out.set(this.data.subarray(0, this.length));
    return out;
  }
}
