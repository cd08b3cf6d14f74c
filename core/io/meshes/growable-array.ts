/**
 * Append-only typed-array buffers for readers that learn a count only at the end (OBJ vertices, polygon faces
 * fanned into triangles). Capacity doubles, so appending n values costs O(n) amortised and no per-value objects.
 */

/** A growing Float64Array. */
export class GrowableFloat64 {
  private data: Float64Array;
  length = 0;

  constructor(initialCapacity = 1024) {
    this.data = new Float64Array(Math.max(16, initialCapacity));
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
    const next = new Float64Array(this.data.length * 2);
    next.set(this.data);
    this.data = next;
  }

  /** A right-sized copy of the contents. */
  toArray(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

/** A growing Uint32Array. */
export class GrowableUint32 {
  private data: Uint32Array;
  length = 0;

  constructor(initialCapacity = 1024) {
    this.data = new Uint32Array(Math.max(16, initialCapacity));
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
    const next = new Uint32Array(this.data.length * 2);
    next.set(this.data);
    this.data = next;
  }

  /** A right-sized copy of the contents. */
  toArray(): Uint32Array {
    return this.data.slice(0, this.length);
  }
}
