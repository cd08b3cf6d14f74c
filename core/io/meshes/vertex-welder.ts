/**
 * Merges exactly equal vertices into one index. STL stores three separate vertices per facet; welding them
 * is what makes the mesh indexed and connected (Monge needs vertex neighbourhoods and per-vertex mass).
 *
 * Open-addressing hash table (linear probing, power-of-two size, load ≤ 1/2) keyed on the exact bit patterns of
 * the three coordinates: no strings, no per-vertex objects, O(1) expected per vertex. Only bit-identical
 * coordinates merge (−0 is folded into +0, which compare equal); callers reject NaN before welding.
 */

const scratch = new Float64Array(3);
const scratchBits = new Uint32Array(scratch.buffer);

function hashOfScratch(): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < 6; i++) {
    let k = scratchBits[i];
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function tableSizeFor(vertices: number): number {
  let size = 1024;
  while (size < 2 * vertices) size *= 2;
  return size;
}

export class VertexWelder {
  private table: Int32Array;
  private mask: number;
  private coords: Float64Array;
  /** Number of distinct vertices so far. */
  count = 0;

  /** `expectedVertices`: an upper bound on distinct vertices if known (avoids rehashing). */
  constructor(expectedVertices = 1024) {
    this.table = new Int32Array(tableSizeFor(expectedVertices));
    this.mask = this.table.length - 1;
    this.coords = new Float64Array(3 * Math.max(16, expectedVertices));
  }

  /** The index of the vertex (x, y, z), adding it if new. */
  add(x: number, y: number, z: number): number {
    // +0 turns −0 into +0 so that the two zeros (equal coordinates) share one key.
    x += 0;
    y += 0;
    z += 0;
    scratch[0] = x;
    scratch[1] = y;
    scratch[2] = z;
    const coords = this.coords;
    const table = this.table;
    const mask = this.mask;
    let slot = hashOfScratch() & mask;
    for (;;) {
      const entry = table[slot];
      if (entry === 0) break;
      const i = 3 * (entry - 1);
      if (coords[i] === x && coords[i + 1] === y && coords[i + 2] === z) return entry - 1;
      slot = (slot + 1) & mask;
    }
    const index = this.count;
    if (3 * index + 3 > coords.length) {
      const grown = new Float64Array(coords.length * 2);
      grown.set(coords);
      this.coords = grown;
    }
    this.coords[3 * index] = x;
    this.coords[3 * index + 1] = y;
    this.coords[3 * index + 2] = z;
    table[slot] = index + 1;
    this.count = index + 1;
    if (2 * this.count > table.length) this.rehash();
    return index;
  }

  private rehash(): void {
    const table = new Int32Array(this.table.length * 2);
    const mask = table.length - 1;
    const coords = this.coords;
    for (let v = 0; v < this.count; v++) {
      scratch[0] = coords[3 * v];
      scratch[1] = coords[3 * v + 1];
      scratch[2] = coords[3 * v + 2];
      let slot = hashOfScratch() & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = v + 1;
    }
    this.table = table;
    this.mask = mask;
  }

  /** The distinct vertices, interleaved xyz, in first-seen order. */
  points(): Float64Array {
    return this.coords.slice(0, 3 * this.count);
  }
}
