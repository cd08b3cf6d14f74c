/**
 * A bounding-volume hierarchy of axis-aligned boxes (AABB tree) for exact nearest-primitive queries: triangles
 * for point-to-surface distances, single points for point-to-point distances.
 *
 * Build (top-down, median split): a node's primitives are split in two equal halves at the median of their box
 * centres along the longest axis of the centres' bounds (quickselect, O(n) per level, O(n log n) in all), until
 * at most `leafSize` remain. Nodes are stored depth-first: the left child of node k is k + 1, the right child is
 * `right[k]`.
 *
 * Nearest query (branch and bound): with d²(p, box) = Σ_axis max(lo − p, 0, p − hi)², a lower bound of the
 * distance to anything inside the box, a node is visited only while d²(p, box) ≤ the best squared distance found
 * so far, nearer child first. The answer is exact: every primitive whose distance equals the minimum is tested
 * (boxes are compared with ≤), and ties go to the smaller primitive index, so the result does not depend on the
 * tree's shape or on the starting guess. To keep that true in floating point, each primitive box is widened by
 * 1e-9 × the scene's coordinate scale, far above the rounding of a point-primitive distance and far below any
 * distance that matters.
 */

/** Squared distance from a query point to primitive `index` (the exact one, e.g. point–triangle). */
export interface PrimitiveDistance {
  distance2(index: number, px: number, py: number, pz: number): number;
}

/** Result of a nearest query: primitive index and squared distance (index −1 and +∞ for an empty tree). */
export interface NearestHit {
  index: number;
  distance2: number;
}

const STACK_DEPTH = 128;

export class AabbTree {
  /** Node boxes, 6 per node: xmin, ymin, zmin, xmax, ymax, zmax. */
  readonly boxes: Float64Array;
  /** Right child of an inner node; −1 for a leaf. */
  readonly right: Int32Array;
  /** Leaf ranges into `order`: [start, start + count). */
  readonly start: Uint32Array;
  readonly count: Uint32Array;
  /** Primitive indices, grouped by leaf. */
  readonly order: Uint32Array;
  /** Widened primitive boxes in `order`'s order (6 per slot), a cheap test before the exact distance. */
  readonly leafBoxes: Float64Array;
  readonly nodeCount: number;
  private readonly stackNode = new Int32Array(STACK_DEPTH);
  private readonly stackDist = new Float64Array(STACK_DEPTH);

  private constructor(boxes: Float64Array, right: Int32Array, start: Uint32Array, count: Uint32Array, order: Uint32Array, leafBoxes: Float64Array, nodeCount: number) {
    this.boxes = boxes;
    this.leafBoxes = leafBoxes;
    this.right = right;
    this.start = start;
    this.count = count;
    this.order = order;
    this.nodeCount = nodeCount;
  }

  /** Number of primitives. */
  get size(): number {
    return this.order.length;
  }

  /**
   * Builds the tree over primitive boxes `primitiveBoxes` (6 per primitive, xmin, ymin, zmin, xmax, ymax, zmax).
   * Non-finite coordinates are refused (they would poison every bound).
   */
  static build(primitiveBoxes: Float64Array, leafSize = 4): AabbTree {
    if (primitiveBoxes.length % 6 !== 0) throw new RangeError(`primitive boxes must hold 6 numbers each, got ${primitiveBoxes.length}`);
    if (!(leafSize >= 1)) throw new RangeError(`leaf size must be ≥ 1, got ${leafSize}`);
    const n = primitiveBoxes.length / 6;
    const prim = widenedBoxes(primitiveBoxes);
    const centre = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < 3; c++) centre[3 * i + c] = 0.5 * (primitiveBoxes[6 * i + c] + primitiveBoxes[6 * i + 3 + c]);
    }
    // Median splits stop at ≤ leafSize primitives per leaf, so there are fewer than 2·n/leafSize leaves and
    // 2·leaves − 1 nodes; the arrays grow if that bound were ever exceeded.
    const maxNodes = Math.max(1, 4 * Math.ceil(n / leafSize) + 1);
    let boxes = new Float64Array(6 * maxNodes);
    let right = new Int32Array(maxNodes);
    let start = new Uint32Array(maxNodes);
    let count = new Uint32Array(maxNodes);
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    let nodes = 0;

    const grow = (): void => {
      const cap = 2 * boxes.length / 6;
      const b = new Float64Array(6 * cap);
      b.set(boxes);
      boxes = b;
      const r = new Int32Array(cap);
      r.set(right);
      right = r;
      const s = new Uint32Array(cap);
      s.set(start);
      start = s;
      const k = new Uint32Array(cap);
      k.set(count);
      count = k;
    };

    const buildNode = (lo: number, hi: number): number => {
      if (nodes >= boxes.length / 6) grow();
      const node = nodes++;
      // Node box = union of its primitive boxes; centre bounds pick the split axis.
      let bx0 = Infinity, by0 = Infinity, bz0 = Infinity, bx1 = -Infinity, by1 = -Infinity, bz1 = -Infinity;
      let cx0 = Infinity, cy0 = Infinity, cz0 = Infinity, cx1 = -Infinity, cy1 = -Infinity, cz1 = -Infinity;
      for (let i = lo; i < hi; i++) {
        const p = order[i];
        const o = 6 * p;
        if (prim[o] < bx0) bx0 = prim[o];
        if (prim[o + 1] < by0) by0 = prim[o + 1];
        if (prim[o + 2] < bz0) bz0 = prim[o + 2];
        if (prim[o + 3] > bx1) bx1 = prim[o + 3];
        if (prim[o + 4] > by1) by1 = prim[o + 4];
        if (prim[o + 5] > bz1) bz1 = prim[o + 5];
        const x = centre[3 * p];
        const y = centre[3 * p + 1];
        const z = centre[3 * p + 2];
        if (x < cx0) cx0 = x;
        if (x > cx1) cx1 = x;
        if (y < cy0) cy0 = y;
        if (y > cy1) cy1 = y;
        if (z < cz0) cz0 = z;
        if (z > cz1) cz1 = z;
      }
      const ob = 6 * node;
      boxes[ob] = bx0;
      boxes[ob + 1] = by0;
      boxes[ob + 2] = bz0;
      boxes[ob + 3] = bx1;
      boxes[ob + 4] = by1;
      boxes[ob + 5] = bz1;
      if (hi - lo <= leafSize) {
        right[node] = -1;
        start[node] = lo;
        count[node] = hi - lo;
        return node;
      }
      const ex = cx1 - cx0;
      const ey = cy1 - cy0;
      const ez = cz1 - cz0;
      const axis = ex >= ey && ex >= ez ? 0 : ey >= ez ? 1 : 2;
      const mid = (lo + hi) >>> 1;
      selectNth(order, centre, axis, lo, hi - 1, mid);
      right[node] = 0;
      start[node] = 0;
      count[node] = 0;
      buildNode(lo, mid);
      right[node] = buildNode(mid, hi);
      return node;
    };

    if (n > 0) buildNode(0, n);
    return new AabbTree(boxes.slice(0, 6 * nodes), right.slice(0, nodes), start.slice(0, nodes), count.slice(0, nodes), order, inLeafOrder(prim, order), nodes);
  }

  /**
   * The same hierarchy over moved primitives (a mesh whose vertices moved, its triangles unchanged): every box is
   * recomputed bottom-up from `primitiveBoxes`, O(n) against the build's O(n log n). Answers stay exact (the boxes
   * still bound their primitives); only the pruning loosens if the motion reshuffled the primitives a lot.
   */
  refit(primitiveBoxes: Float64Array): AabbTree {
    if (primitiveBoxes.length !== 6 * this.size) throw new RangeError(`refit: ${primitiveBoxes.length / 6} boxes for a tree of ${this.size} primitives`);
    const prim = widenedBoxes(primitiveBoxes);
    const leafBoxes = inLeafOrder(prim, this.order);
    const boxes = new Float64Array(this.boxes.length);
    // Children come after their parent in the depth-first layout, so a reverse sweep sees them first.
    for (let node = this.nodeCount - 1; node >= 0; node--) {
      boxes.fill(Infinity, 6 * node, 6 * node + 3);
      boxes.fill(-Infinity, 6 * node + 3, 6 * node + 6);
      const r = this.right[node];
      if (r < 0) {
        for (let i = this.start[node]; i < this.start[node] + this.count[node]; i++) unionInto(boxes, 6 * node, leafBoxes, 6 * i);
      } else {
        unionInto(boxes, 6 * node, boxes, 6 * (node + 1));
        unionInto(boxes, 6 * node, boxes, 6 * r);
      }
    }
    return new AabbTree(boxes, this.right, this.start, this.count, this.order, leafBoxes, this.nodeCount);
  }

  /** d²(p, box of node k) = Σ max(lo − p, 0, p − hi)². */
  boxDistance2(node: number, px: number, py: number, pz: number): number {
    return boxDistance2(this.boxes, 6 * node, px, py, pz);
  }

  /**
   * The primitive nearest to (px, py, pz) under `metric`. `hint` (a primitive index, e.g. the previous query's
   * answer for spatially ordered queries) only seeds the bound; it never changes the answer. Writes into `hit`.
   */
  nearest(px: number, py: number, pz: number, metric: PrimitiveDistance, hit: NearestHit, hint = -1): NearestHit {
    let best2 = Infinity;
    let bestIndex = -1;
    if (hint >= 0 && hint < this.order.length) {
      best2 = metric.distance2(hint, px, py, pz);
      bestIndex = hint;
    }
    if (this.nodeCount > 0) {
      const stackNode = this.stackNode;
      const stackDist = this.stackDist;
      let top = 0;
      stackNode[0] = 0;
      stackDist[0] = this.boxDistance2(0, px, py, pz);
      top = 1;
      while (top > 0) {
        top--;
        const node = stackNode[top];
        if (stackDist[top] > best2) continue;
        const r = this.right[node];
        if (r < 0) {
          const s = this.start[node];
          const e = s + this.count[node];
          for (let i = s; i < e; i++) {
            if (boxDistance2(this.leafBoxes, 6 * i, px, py, pz) > best2) continue;
            const p = this.order[i];
            const d2 = metric.distance2(p, px, py, pz);
            if (d2 < best2 || (d2 === best2 && p < bestIndex)) {
              best2 = d2;
              bestIndex = p;
            }
          }
          continue;
        }
        const l = node + 1;
        const dl = this.boxDistance2(l, px, py, pz);
        const dr = this.boxDistance2(r, px, py, pz);
        // Push the farther child first so the nearer one is popped (and tightens the bound) first.
        if (dl <= dr) {
          if (dr <= best2) {
            stackNode[top] = r;
            stackDist[top++] = dr;
          }
          if (dl <= best2) {
            stackNode[top] = l;
            stackDist[top++] = dl;
          }
        } else {
          if (dl <= best2) {
            stackNode[top] = l;
            stackDist[top++] = dl;
          }
          if (dr <= best2) {
            stackNode[top] = r;
            stackDist[top++] = dr;
          }
        }
      }
    }
    hit.index = bestIndex;
    hit.distance2 = best2;
    return hit;
  }
}

/**
 * Primitive boxes widened by 1e-9 × the scene's coordinate scale (see the file comment). Non-finite coordinates are
 * refused (they would poison every bound).
 */
function widenedBoxes(primitiveBoxes: Float64Array): Float64Array {
  let scale = 0;
  for (let i = 0; i < primitiveBoxes.length; i++) {
    const v = primitiveBoxes[i];
    if (!Number.isFinite(v)) throw new RangeError(`primitive ${Math.floor(i / 6)} has a non-finite coordinate`);
    const a = Math.abs(v);
    if (a > scale) scale = a;
  }
  const pad = 1e-9 * Math.max(scale, 1e-300);
  const prim = new Float64Array(primitiveBoxes.length);
  for (let i = 0; i < prim.length; i += 6) {
    for (let c = 0; c < 3; c++) {
      prim[i + c] = primitiveBoxes[i + c] - pad;
      prim[i + 3 + c] = primitiveBoxes[i + 3 + c] + pad;
    }
  }
  return prim;
}

/** The boxes of `prim` in the leaves' order (slot i holds primitive order[i]). */
function inLeafOrder(prim: Float64Array, order: Uint32Array): Float64Array {
  const out = new Float64Array(prim.length);
  for (let i = 0; i < order.length; i++) out.set(prim.subarray(6 * order[i], 6 * order[i] + 6), 6 * i);
  return out;
}

/** Grows the box at dst[o … o+5] to contain the box at src[so … so+5]. */
function unionInto(dst: Float64Array, o: number, src: Float64Array, so: number): void {
  for (let c = 0; c < 3; c++) {
    if (src[so + c] < dst[o + c]) dst[o + c] = src[so + c];
    if (src[so + 3 + c] > dst[o + 3 + c]) dst[o + 3 + c] = src[so + 3 + c];
  }
}

/** Squared distance from a point to the box at b[o … o+5] (xmin, ymin, zmin, xmax, ymax, zmax): Σ max(lo − p, 0, p − hi)². */
function boxDistance2(b: Float64Array, o: number, px: number, py: number, pz: number): number {
  const dx = px < b[o] ? b[o] - px : px > b[o + 3] ? px - b[o + 3] : 0;
  const dy = py < b[o + 1] ? b[o + 1] - py : py > b[o + 4] ? py - b[o + 4] : 0;
  const dz = pz < b[o + 2] ? b[o + 2] - pz : pz > b[o + 5] ? pz - b[o + 5] : 0;
  return dx * dx + dy * dy + dz * dz;
}

/**
 * Quickselect (Hoare partition, median-of-three pivot): reorders order[lo..hi] so that order[k] holds the
 * primitive with the k-th smallest centre coordinate along `axis`, smaller-or-equal ones before it, larger-or-equal
 * after it.
 */
function selectNth(order: Uint32Array, centre: Float64Array, axis: number, lo: number, hi: number, k: number): void {
  const key = (i: number): number => centre[3 * order[i] + axis];
  while (hi > lo) {
    const m = (lo + hi) >>> 1;
    // Median of three of lo, m, hi as the pivot value.
    const a = key(lo);
    const b = key(m);
    const c = key(hi);
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (key(i) < pivot) i++;
      while (key(j) > pivot) j--;
      if (i <= j) {
        const t = order[i];
        order[i] = order[j];
        order[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}
