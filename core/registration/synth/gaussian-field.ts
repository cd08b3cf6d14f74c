/**
 * Smooth displacement fields as sums of Gaussian radial basis functions (kernel interpolation of control-point
 * displacements, as in the LDDMM / spline literature, e.g. Joshi & Miller 2000):
 *
 *   u(x) = Σ_k v_k · exp(−½ (x − c_k)ᵀ P_k (x − c_k))
 *
 * with centres c_k, vectors v_k (mm) and per-centre precision matrices P_k (isotropic: I/σ²; anisotropic: a
 * Gaussian stretched along a unit direction d, P = I/σ⊥² + (1/σ∥² − 1/σ⊥²) d dᵀ). The Jacobian ∇u is analytic:
 *   ∂u_r/∂x_c = −Σ_k v_k,r · g_k(x) · (P_k (x − c_k))_c
 * so folding (det(I + ∇u) ≤ 0) can be checked exactly at any point. Terms whose exponent exceeds CUTOFF
 * (exp(−½·CUTOFF) ≈ 1.5e-8 of the peak) are skipped.
 */

/** Squared Mahalanobis distance beyond which a kernel counts as zero. */
const CUTOFF = 36;

export interface GaussianField {
  /** K×3 centres (mm). */
  centres: Float64Array;
  /** K×3 displacement weights (mm). */
  vectors: Float64Array;
  /** K×6 symmetric precision matrices (1/mm²): xx, xy, xz, yy, yz, zz. */
  precision: Float64Array;
}

/** Number of kernels in a field. */
export function fieldSize(field: GaussianField): number {
  return field.centres.length / 3;
}

/** The precision of an isotropic Gaussian of width σ. */
export function isotropicPrecision(sigmaMm: number): number[] {
  const p = 1 / (sigmaMm * sigmaMm);
  return [p, 0, 0, p, 0, p];
}

/** The precision of a Gaussian of width σ∥ along the unit vector d and σ⊥ across it. */
export function anisotropicPrecision(d: readonly number[], sigmaAlongMm: number, sigmaAcrossMm: number): number[] {
  const a = 1 / (sigmaAcrossMm * sigmaAcrossMm);
  const b = 1 / (sigmaAlongMm * sigmaAlongMm) - a;
  return [a + b * d[0] * d[0], b * d[0] * d[1], b * d[0] * d[2], a + b * d[1] * d[1], b * d[1] * d[2], a + b * d[2] * d[2]];
}

/** An empty field. */
export function emptyField(): GaussianField {
  return { centres: new Float64Array(0), vectors: new Float64Array(0), precision: new Float64Array(0) };
}

/** Multiplies every vector of the field by `factor` (in place). */
export function scaleField(field: GaussianField, factor: number): void {
  for (let i = 0; i < field.vectors.length; i++) field.vectors[i] *= factor;
}

/** Inverse of a symmetric 3×3 given as xx, xy, xz, yy, yz, zz; returns its xx entry (the variance along x). */
function varianceX(p: Float64Array, o: number): number {
  const [a, b, c, d, e, f] = [p[o], p[o + 1], p[o + 2], p[o + 3], p[o + 4], p[o + 5]];
  const det = a * (d * f - e * e) - b * (b * f - c * e) + c * (b * e - c * d);
  return (d * f - e * e) / det;
}

/** Points sorted by x, for the slab search of `slabOf`. */
interface SortedPoints {
  order: Uint32Array;
  xs: Float64Array;
}

function sortByX(points: Float64Array): SortedPoints {
  const n = points.length / 3;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => points[3 * a] - points[3 * b]);
  const xs = new Float64Array(n);
  for (let s = 0; s < n; s++) xs[s] = points[3 * order[s]];
  return { order, xs };
}

/**
 * The range [start, end) of sorted points within kernel j's support along x: |x − c_x| ≤ sqrt(CUTOFF · Σ_xx)
 * (Σ = P⁻¹; the x-extent of the ellipsoid (x−c)ᵀP(x−c) ≤ CUTOFF). Scanning only this slab makes many small local
 * kernels cheap.
 */
function slabOf(sorted: SortedPoints, field: GaussianField, j: number): [number, number] {
  const { xs } = sorted;
  const n = xs.length;
  const cx = field.centres[3 * j];
  const reach = Math.sqrt(CUTOFF * varianceX(field.precision, 6 * j));
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] < cx - reach) lo = mid + 1;
    else hi = mid;
  }
  let end = lo;
  while (end < n && xs[end] <= cx + reach) end++;
  return [lo, end];
}

/** Adds u(x) at every point (N×3) to `out` (N×3). */
export function addFieldDisplacement(field: GaussianField, points: Float64Array, out: Float64Array): void {
  const { centres, vectors, precision } = field;
  const k = centres.length / 3;
  if (k === 0 || points.length === 0) return;
  const sorted = sortByX(points);
  const { order } = sorted;
  for (let j = 0; j < k; j++) {
    const [start, end] = slabOf(sorted, field, j);
    const cx = centres[3 * j];
    const cy = centres[3 * j + 1];
    const cz = centres[3 * j + 2];
    const p = 6 * j;
    const pxx = precision[p];
    const pxy = 2 * precision[p + 1];
    const pxz = 2 * precision[p + 2];
    const pyy = precision[p + 3];
    const pyz = 2 * precision[p + 4];
    const pzz = precision[p + 5];
    const vx = vectors[3 * j];
    const vy = vectors[3 * j + 1];
    const vz = vectors[3 * j + 2];
    for (let s = start; s < end; s++) {
      const i = order[s];
      const dx = points[3 * i] - cx;
      const dy = points[3 * i + 1] - cy;
      const dz = points[3 * i + 2] - cz;
      const q = pxx * dx * dx + pyy * dy * dy + pzz * dz * dz + pxy * dx * dy + pxz * dx * dz + pyz * dy * dz;
      if (q > CUTOFF) continue;
      const g = Math.exp(-0.5 * q);
      out[3 * i] += g * vx;
      out[3 * i + 1] += g * vy;
      out[3 * i + 2] += g * vz;
    }
  }
}

/**
 * Adds u(x) to `outU` (N×3) and ∇u(x) (row-major 3×3 per point, J[r][c] = ∂u_r/∂x_c) to `outJ` (N×9) in one
 * pass (value and gradient share the exponential).
 */
export function addFieldValueAndJacobian(field: GaussianField, points: Float64Array, outU: Float64Array, outJ: Float64Array): void {
  const { centres, vectors, precision } = field;
  const k = centres.length / 3;
  if (k === 0 || points.length === 0) return;
  const sorted = sortByX(points);
  const { order } = sorted;
  for (let j = 0; j < k; j++) {
    const [start, end] = slabOf(sorted, field, j);
    const cx = centres[3 * j];
    const cy = centres[3 * j + 1];
    const cz = centres[3 * j + 2];
    const p = 6 * j;
    const pxx = precision[p];
    const pxy = precision[p + 1];
    const pxz = precision[p + 2];
    const pyy = precision[p + 3];
    const pyz = precision[p + 4];
    const pzz = precision[p + 5];
    const vx = vectors[3 * j];
    const vy = vectors[3 * j + 1];
    const vz = vectors[3 * j + 2];
    for (let s = start; s < end; s++) {
      const i = order[s];
      const dx = points[3 * i] - cx;
      const dy = points[3 * i + 1] - cy;
      const dz = points[3 * i + 2] - cz;
      // P·(x − c)
      const px = pxx * dx + pxy * dy + pxz * dz;
      const py = pxy * dx + pyy * dy + pyz * dz;
      const pz = pxz * dx + pyz * dy + pzz * dz;
      const q = dx * px + dy * py + dz * pz;
      if (q > CUTOFF) continue;
      const e = Math.exp(-0.5 * q);
      outU[3 * i] += e * vx;
      outU[3 * i + 1] += e * vy;
      outU[3 * i + 2] += e * vz;
      const g = -e;
      const o = 9 * i;
      outJ[o] += g * vx * px;
      outJ[o + 1] += g * vx * py;
      outJ[o + 2] += g * vx * pz;
      outJ[o + 3] += g * vy * px;
      outJ[o + 4] += g * vy * py;
      outJ[o + 5] += g * vy * pz;
      outJ[o + 6] += g * vz * px;
      outJ[o + 7] += g * vz * py;
      outJ[o + 8] += g * vz * pz;
    }
  }
}

/** Adds ∇u(x) at every point to `out` (N×9, row-major J[r][c] = ∂u_r/∂x_c). */
export function addFieldJacobian(field: GaussianField, points: Float64Array, out: Float64Array): void {
  addFieldValueAndJacobian(field, points, new Float64Array(points.length), out);
}

/** u and ∇u of a field at points, fresh arrays. */
export function evaluateField(field: GaussianField, points: Float64Array): { u: Float64Array; jac: Float64Array } {
  const u = new Float64Array(points.length);
  const jac = new Float64Array(3 * points.length);
  addFieldValueAndJacobian(field, points, u, jac);
  return { u, jac };
}

/** Concatenates fields (their sum). */
export function sumFields(...fields: GaussianField[]): GaussianField {
  const cat = (key: keyof GaussianField): Float64Array => {
    const total = fields.reduce((s, f) => s + f[key].length, 0);
    const out = new Float64Array(total);
    let o = 0;
    for (const f of fields) {
      out.set(f[key], o);
      o += f[key].length;
    }
    return out;
  };
  return { centres: cat('centres'), vectors: cat('vectors'), precision: cat('precision') };
}
