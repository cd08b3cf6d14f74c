/**
 * Builds a large ASCII file from lines without one giant string: lines are joined into ~1 MB chunks that are
 * encoded as they fill, then concatenated once. Numbers are written with `formatNumber` (shortest round-trip).
 */

const CHUNK_CHARS = 1 << 20;

export class TextOutput {
  private parts: string[] = [];
  private partChars = 0;
  private chunks: Uint8Array[] = [];
  private readonly encoder = new TextEncoder();

  /** Appends one line (a newline is added). */
  line(text: string): void {
    this.parts.push(text);
    this.partChars += text.length + 1;
    if (this.partChars >= CHUNK_CHARS) this.flush();
  }

  private flush(): void {
    if (this.parts.length === 0) return;
    this.chunks.push(this.encoder.encode(this.parts.join('\n') + '\n'));
    this.parts = [];
    this.partChars = 0;
  }

  /** The whole file. */
  bytes(): Uint8Array {
    this.flush();
    let total = 0;
    for (const c of this.chunks) total += c.length;
    const out = new Uint8Array(total);
    let offset = 0;
    for (const c of this.chunks) {
      out.set(c, offset);
      offset += c.length;
    }
    return out;
  }
}

/**
 * A number as the shortest decimal text that reads back to exactly the same double (ECMAScript's
 * Number::toString guarantees this), with -0 kept as "-0".
 */
export function formatNumber(x: number): string {
  return Object.is(x, -0) ? '-0' : String(x);
}
