/**
 * The working grid of the non-linear steps: an axis-aligned LPS grid (identity direction) on which displacement
 * fields are built and stored, with the three operations every kernel fit is made of —
 *
 *   splat   S ᵀ: point values → grid (trilinear weights, the adjoint of trilinear sampling),
 *   blur    G  : separable Gaussian convolution, K(x, c) = exp(−|x − c|² / 2σ²) (peak 1, not normalised),
 *   sample  S  : grid → point values (trilinear).
 *
 * so that a Gaussian kernel sum Σ_j K(x_i, c_j) v_j is S G Sᵀ v: O(N + V·taps) instead of O(N·M) kernel pairs
 * (the grid approximation of kernel sums used by fast LDDMM codes, e.g. Durrleman et al. 2014, "Morphometry of
 * anatomical shape complexes with dense deformations and sparse parameters", NeuroImage 101; Deformetrica's
 * 'keops'-free fallback). With a spacing h ≤ σ/2 the approximation error is a few per cent of the kernel, and
 * since the pipeline's final displacement IS the grid field (a core/field GridDisplacement), every output (warped
 * shape, landmarks, exported field, Jacobian) evaluates the very same map.
 */
import type { GridLps } from '../../field/types.ts';
import type { ImageLps } from '../../image/index.ts';
import { throwIfCancelled } from '../../progress/index.ts';

export interface WorkGrid {
  /** Voxels per axis. */
  size: [number, number, number];
  /** Isotropic spacing (mm). */
  spacingMm: number;
  /** LPS centre of voxel (0, 0, 0). */
  originLps: [number, number, number];
}

/** Number of voxels. */
export function voxelCount(grid: WorkGrid): number {
  return grid.size[0] * grid.size[1] * grid.size[2];
}

/**
 * A grid of spacing h covering `boundsLps` ([xmin, xmax, ymin, ymax, zmin, zmax]) grown by `marginMm`, centred on
 * the box. Refuses grids above `maxVoxels` (the caller coarsens the spacing instead).
 */
export function workGridAround(boundsLps: readonly number[], spacingMm: number, marginMm: number, maxVoxels = 24e6): WorkGrid {
  if (!(spacingMm > 0) || !Number.isFinite(spacingMm)) throw new RangeError(`work grid: spacing must be > 0 (got ${spacingMm})`);
  const size: [number, number, number] = [1, 1, 1];
  const origin: [number, number, number] = [0, 0, 0];
  for (let a = 0; a < 3; a++) {
    const lo = boundsLps[2 * a] - marginMm;
    const hi = boundsLps[2 * a + 1] + marginMm;
    if (!(hi >= lo) || !Number.isFinite(lo) || !Number.isFinite(hi)) throw new RangeError('work grid: bounds must be finite');
    const n = Math.max(2, Math.ceil((hi - lo) / spacingMm) + 1);
    size[a] = n;
    origin[a] = (lo + hi) / 2 - ((n - 1) * spacingMm) / 2;
  }
  if (size[0] * size[1] * size[2] > maxVoxels) {
    throw new RangeError(`work grid: ${size.join('×')} voxels at ${spacingMm} mm exceed ${maxVoxels}; use a coarser spacing`);
  }
  return { size, spacingMm, originLps: origin };
}

/** The spacing that keeps a box of `boundsLps` + margin within `maxVoxels` voxels, at least `wantedMm`. */
export function spacingForBudget(boundsLps: readonly number[], marginMm: number, wantedMm: number, maxVoxels: number): number {
  const ext = [0, 1, 2].map((a) => boundsLps[2 * a + 1] - boundsLps[2 * a] + 2 * marginMm);
  let h = wantedMm;
  while ((ext[0] / h + 2) * (ext[1] / h + 2) * (ext[2] / h + 2) > maxVoxels) h *= 1.1;
  return h;
}

/** The grid as core/field geometry (identity direction). */
export function gridGeometry(grid: WorkGrid): GridLps {
  return {
    size: [...grid.size],
    spacingMm: [grid.spacingMm, grid.spacingMm, grid.spacingMm],
    originLps: [...grid.originLps],
    directionLps: Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1),
  };
}

/** The grid as a core/field image holding `data` (`components` per voxel). */
export function gridImage(grid: WorkGrid, data: Float64Array, components = 3): ImageLps {
  return { ...gridGeometry(grid), components, data };
}

/** Trilinear corner indices and weights of a point (clamped to the grid); returns false far outside. */
function corners(grid: WorkGrid, x: number, y: number, z: number, idx: Int32Array, w: Float64Array): boolean {
  const h = grid.spacingMm;
  const [nx, ny, nz] = grid.size;
  let ci = (x - grid.originLps[0]) / h;
  let cj = (y - grid.originLps[1]) / h;
  let ck = (z - grid.originLps[2]) / h;
  if (!(ci > -1 && ci < nx && cj > -1 && cj < ny && ck > -1 && ck < nz)) return false;
  ci = Math.min(Math.max(ci, 0), nx - 1);
  cj = Math.min(Math.max(cj, 0), ny - 1);
  ck = Math.min(Math.max(ck, 0), nz - 1);
  const i0 = Math.min(Math.floor(ci), nx - 2);
  const j0 = Math.min(Math.floor(cj), ny - 2);
  const k0 = Math.min(Math.floor(ck), nz - 2);
  const fx = ci - i0;
  const fy = cj - j0;
  const fz = ck - k0;
  const sy = nx;
  const sz = nx * ny;
  const b = i0 + sy * j0 + sz * k0;
  idx[0] = b;
  idx[1] = b + 1;
  idx[2] = b + sy;
  idx[3] = b + sy + 1;
  idx[4] = b + sz;
  idx[5] = b + sz + 1;
  idx[6] = b + sz + sy;
  idx[7] = b + sz + sy + 1;
  const gx = 1 - fx;
  const gy = 1 - fy;
  const gz = 1 - fz;
  w[0] = gx * gy * gz;
  w[1] = fx * gy * gz;
  w[2] = gx * fy * gz;
  w[3] = fx * fy * gz;
  w[4] = gx * gy * fz;
  w[5] = fx * gy * fz;
  w[6] = gx * fy * fz;
  w[7] = fx * fy * fz;
  return true;
}

/**
 * The trilinear corners (8 voxel indices and weights a point) of a fixed set of points on a grid, computed once for
 * splats and samples repeated on the same points (the spline's conjugate gradients run one of each per iteration).
 * `inside[p]` is 0 for a point that contributes nothing (a splat's point far outside the grid).
 */
export interface PointStencil {
  idx: Int32Array;
  w: Float64Array;
  inside: Uint8Array;
  /** Voxels of the grid. */
  voxels: number;
}

/** The corners Sᵀ uses: points outside the grid (beyond one voxel) are dropped. */
export function splatStencil(grid: WorkGrid, pointsLps: ArrayLike<number>): PointStencil {
  return stencilOf(grid, pointsLps, false);
}

/** The corners S uses: each point clamped into the grid's box first, so a far point takes the nearest edge value. */
export function sampleStencil(grid: WorkGrid, pointsLps: ArrayLike<number>): PointStencil {
  return stencilOf(grid, pointsLps, true);
}

function stencilOf(grid: WorkGrid, pointsLps: ArrayLike<number>, clampIntoBox: boolean): PointStencil {
  const n = pointsLps.length / 3;
  const idx = new Int32Array(8 * n);
  const w = new Float64Array(8 * n);
  const inside = new Uint8Array(n);
  const pi = new Int32Array(8);
  const pw = new Float64Array(8);
  const [nx, ny, nz] = grid.size;
  const h = grid.spacingMm;
  const [ox, oy, oz] = grid.originLps;
  for (let p = 0; p < n; p++) {
    let x = pointsLps[3 * p];
    let y = pointsLps[3 * p + 1];
    let z = pointsLps[3 * p + 2];
    if (clampIntoBox) {
      x = Math.min(Math.max(x, ox), ox + (nx - 1) * h);
      y = Math.min(Math.max(y, oy), oy + (ny - 1) * h);
      z = Math.min(Math.max(z, oz), oz + (nz - 1) * h);
    }
    if (!corners(grid, x, y, z, pi, pw)) continue;
    inside[p] = 1;
    idx.set(pi, 8 * p);
    w.set(pw, 8 * p);
  }
  return { idx, w, inside, voxels: nx * ny * nz };
}

/**
 * Sᵀ: adds `values` (vdim per point) of points `pointsLps` into a new grid array (vdim per voxel) with trilinear
 * weights. Points outside the grid are dropped.
 */
export function splat(grid: WorkGrid, pointsLps: ArrayLike<number>, values: ArrayLike<number>, vdim: number): Float64Array {
  return splatWith(splatStencil(grid, pointsLps), values, vdim);
}

/** Sᵀ with precomputed corners (splatStencil). */
export function splatWith(stencil: PointStencil, values: ArrayLike<number>, vdim: number): Float64Array {
  const out = new Float64Array(stencil.voxels * vdim);
  const { idx, w, inside } = stencil;
  if (vdim === 3) {
    // Vectors, the usual case, unrolled (the same sums in the same order).
    for (let p = 0; p < inside.length; p++) {
      if (!inside[p]) continue;
      const v0 = values[3 * p];
      const v1 = values[3 * p + 1];
      const v2 = values[3 * p + 2];
      for (let c = 8 * p; c < 8 * p + 8; c++) {
        const o = 3 * idx[c];
        const wc = w[c];
        out[o] += wc * v0;
        out[o + 1] += wc * v1;
        out[o + 2] += wc * v2;
      }
    }
    return out;
  }
  for (let p = 0; p < inside.length; p++) {
    if (!inside[p]) continue;
    for (let c = 0; c < 8; c++) {
      const o = idx[8 * p + c] * vdim;
      const wc = w[8 * p + c];
      for (let d = 0; d < vdim; d++) out[o + d] += wc * values[p * vdim + d];
    }
  }
  return out;
}

/** S: trilinear values (vdim per point) of grid array `data` at points; outside the grid, the nearest edge value. */
export function sampleGrid(grid: WorkGrid, data: ArrayLike<number>, vdim: number, pointsLps: ArrayLike<number>): Float64Array {
  return sampleWith(sampleStencil(grid, pointsLps), data, vdim);
}

/** S with precomputed corners (sampleStencil). */
export function sampleWith(stencil: PointStencil, data: ArrayLike<number>, vdim: number): Float64Array {
  const { idx, w, inside } = stencil;
  const out = new Float64Array(inside.length * vdim);
  if (vdim === 3) {
    for (let p = 0; p < inside.length; p++) {
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      for (let c = 8 * p; c < 8 * p + 8; c++) {
        const wc = w[c];
        if (wc === 0) continue;
        const o = 3 * idx[c];
        s0 += wc * data[o];
        s1 += wc * data[o + 1];
        s2 += wc * data[o + 2];
      }
      out[3 * p] = s0;
      out[3 * p + 1] = s1;
      out[3 * p + 2] = s2;
    }
    return out;
  }
  for (let p = 0; p < inside.length; p++) {
    for (let c = 0; c < 8; c++) {
      const o = idx[8 * p + c] * vdim;
      const wc = w[8 * p + c];
      if (wc === 0) continue;
      for (let d = 0; d < vdim; d++) out[p * vdim + d] += wc * data[o + d];
    }
  }
  return out;
}

/** Truncated 1-D Gaussian taps exp(−(k h)² / 2σ²), k = −r … r, r = ⌈truncation·σ/h⌉. */
export function gaussianTaps(sigmaMm: number, spacingMm: number, truncation = 3.5): Float64Array {
  const r = Math.max(1, Math.ceil((truncation * sigmaMm) / spacingMm));
  const taps = new Float64Array(2 * r + 1);
  for (let k = -r; k <= r; k++) taps[k + r] = Math.exp(-((k * spacingMm) ** 2) / (2 * sigmaMm * sigmaMm));
  return taps;
}

/** 1-D convolution of every line of `data` along `axis` with `taps` (zero outside the grid), in place via a buffer. */
function convolveAxis(grid: WorkGrid, data: Float64Array, vdim: number, axis: 0 | 1 | 2, taps: Float64Array): Float64Array {
  const [nx, ny, nz] = grid.size;
  const n = grid.size[axis];
  const stride = (axis === 0 ? 1 : axis === 1 ? nx : nx * ny) * vdim;
  const r = (taps.length - 1) / 2;
  const out = new Float64Array(data.length);
  const line = new Float64Array(n * vdim);
  // Enumerate the line starts: every voxel with index 0 along `axis`.
  const [na, nb] = axis === 0 ? [ny, nz] : axis === 1 ? [nx, nz] : [nx, ny];
  for (let b = 0; b < nb; b++) {
    for (let a = 0; a < na; a++) {
      const start = (axis === 0 ? a * nx + b * nx * ny : axis === 1 ? a + b * nx * ny : a + b * nx) * vdim;
      for (let q = 0; q < n; q++) for (let d = 0; d < vdim; d++) line[q * vdim + d] = data[start + q * stride + d];
      if (vdim === 3) {
        for (let q = 0; q < n; q++) {
          const lo = Math.max(0, q - r);
          const hi = Math.min(n - 1, q + r);
          let s0 = 0;
          let s1 = 0;
          let s2 = 0;
          for (let t = lo; t <= hi; t++) {
            const k = taps[t - q + r];
            s0 += k * line[3 * t];
            s1 += k * line[3 * t + 1];
            s2 += k * line[3 * t + 2];
          }
          const o = start + q * stride;
          out[o] = s0;
          out[o + 1] = s1;
          out[o + 2] = s2;
        }
        continue;
      }
      for (let q = 0; q < n; q++) {
        const lo = Math.max(0, q - r);
        const hi = Math.min(n - 1, q + r);
        const o = start + q * stride;
        for (let d = 0; d < vdim; d++) {
          let s = 0;
          for (let t = lo; t <= hi; t++) s += taps[t - q + r] * line[t * vdim + d];
          out[o + d] = s;
        }
      }
    }
  }
  return out;
}

/**
 * G: the grid convolved with the Gaussian kernel exp(−|x|²/2σ²) (separable, truncated at 3.5σ, zero outside),
 * so that blur(splat(v)) at voxel c is Σ_j K(c, x_j) v_j. Several σ with weights give the multi-Gaussian kernel
 * Σ_s w_s K_σs.
 */
export function gaussianBlur(grid: WorkGrid, data: Float64Array, vdim: number, sigmasMm: readonly number[], weights?: readonly number[], signal?: AbortSignal): Float64Array {
  if (sigmasMm.length === 1 && (weights === undefined || weights[0] === 1)) return blurOne(grid, data, vdim, sigmasMm[0], signal);
  const out = new Float64Array(data.length);
  sigmasMm.forEach((sigma, s) => {
    const b = blurOne(grid, data, vdim, sigma, signal);
    const ws = weights?.[s] ?? 1;
    for (let i = 0; i < out.length; i++) out[i] += ws * b[i];
  });
  return out;
}

/**
 * G cut at 6σ instead of 3.5σ, for the spline's conjugate gradients (kernel-spline.ts), which need a positive
 * definite system: a Gaussian cut at 3.5σ has negative spectral lobes of about 2·10⁻³ of its peak, which a small λ
 * no longer covers once the data span more than 3.5σ (an 80 mm kernel on a lung), and CG diverges; at 6σ they are
 * about 10⁻⁸. The convolution never runs past the grid, so for a kernel wider than the grid (the lung's 300 mm)
 * nothing changes and the cost is the grid's line lengths.
 */
export function gaussianBlurPositive(grid: WorkGrid, data: Float64Array, vdim: number, sigmaMm: number, signal?: AbortSignal): Float64Array {
  return blurOne(grid, data, vdim, sigmaMm, signal, 6);
}

function blurOne(grid: WorkGrid, data: Float64Array, vdim: number, sigmaMm: number, signal?: AbortSignal, truncation = 3.5): Float64Array {
  if (!(sigmaMm > 0)) throw new RangeError(`kernel width must be > 0 (got ${sigmaMm})`);
  const taps = gaussianTaps(sigmaMm, grid.spacingMm, truncation);
  let cur = data;
  for (const axis of [0, 1, 2] as const) {
    throwIfCancelled(signal, 'kernel fit');
    cur = convolveAxis(grid, cur, vdim, axis, taps);
  }
  return cur;
}

/**
 * Trilinear resampling of a grid array onto another axis-aligned grid (typically a coarse level onto the work
 * grid): 'clamp' continues the edge values outside `from`'s box (as sampleGrid), 'zero' gives 0 there.
 *
 * Trilinear interpolation is the tensor product of 1-D linear interpolations, so it runs as three 1-D passes
 * (x, then y, then z), each with its neighbours and weights computed once per target index: O(V_to) work with no
 * per-voxel corner search — the same values as sampleGrid at the target voxel centres, to rounding.
 */
export function resampleGrid(from: WorkGrid, data: Float64Array, vdim: number, to: WorkGrid, outside: 'clamp' | 'zero' = 'clamp'): Float64Array {
  const [fx, fy, fz] = from.size;
  const [tx, ty, tz] = to.size;
  const ax = axisWeights(from, to, 0, outside);
  const ay = axisWeights(from, to, 1, outside);
  const az = axisWeights(from, to, 2, outside);
  // Pass 1, along x: (fx, fy, fz) → (tx, fy, fz).
  const p1 = new Float64Array(tx * fy * fz * vdim);
  for (let line = 0; line < fy * fz; line++) {
    const src = line * fx * vdim;
    const dst = line * tx * vdim;
    for (let t = 0; t < tx; t++) {
      const a = src + ax.lo[t] * vdim;
      const w0 = ax.w0[t];
      const w1 = ax.w1[t];
      for (let d = 0; d < vdim; d++) p1[dst + t * vdim + d] = w0 * data[a + d] + w1 * data[a + vdim + d];
    }
  }
  // Pass 2, along y: (tx, fy, fz) → (tx, ty, fz).
  const row = tx * vdim;
  const p2 = new Float64Array(tx * ty * fz * vdim);
  for (let k = 0; k < fz; k++) {
    for (let t = 0; t < ty; t++) {
      const a = (k * fy + ay.lo[t]) * row;
      const dst = (k * ty + t) * row;
      const w0 = ay.w0[t];
      const w1 = ay.w1[t];
      for (let q = 0; q < row; q++) p2[dst + q] = w0 * p1[a + q] + w1 * p1[a + row + q];
    }
  }
  // Pass 3, along z: (tx, ty, fz) → (tx, ty, tz).
  const slab = tx * ty * vdim;
  const out = new Float64Array(tx * ty * tz * vdim);
  for (let t = 0; t < tz; t++) {
    const a = az.lo[t] * slab;
    const dst = t * slab;
    const w0 = az.w0[t];
    const w1 = az.w1[t];
    for (let q = 0; q < slab; q++) out[dst + q] = w0 * p2[a + q] + w1 * p2[a + slab + q];
  }
  return out;
}

/**
 * resampleGrid's values at some voxels of `to` only (voxel indices, i fastest), `vdim` per voxel in the order given:
 * each is the same three 1-D interpolations in the same order — x, then y, then z — so the values are resampleGrid's
 * to the bit, for the cost of the voxels asked instead of the whole grid.
 */
export function resampleGridAt(from: WorkGrid, data: Float64Array, vdim: number, to: WorkGrid, voxels: Int32Array, outside: 'clamp' | 'zero' = 'clamp'): Float64Array {
  const [fx, fy] = from.size;
  const [tx, ty] = to.size;
  const ax = axisWeights(from, to, 0, outside);
  const ay = axisWeights(from, to, 1, outside);
  const az = axisWeights(from, to, 2, outside);
  const out = new Float64Array(voxels.length * vdim);
  for (let q = 0; q < voxels.length; q++) {
    const v = voxels[q];
    const i = v % tx;
    const j = Math.floor(v / tx) % ty;
    const k = Math.floor(v / (tx * ty));
    const [x0, x1, y0, y1, z0, z1] = [ax.w0[i], ax.w1[i], ay.w0[j], ay.w1[j], az.w0[k], az.w1[k]];
    const base = (ax.lo[i] + fx * (ay.lo[j] + fy * az.lo[k])) * vdim;
    const dy = fx * vdim;
    const dz = fx * fy * vdim;
    for (let d = 0; d < vdim; d++) {
      const o = base + d;
      // Pass 1 (x) at the four (y, z) source lines, pass 2 (y) at the two z planes, pass 3 (z).
      const p00 = x0 * data[o] + x1 * data[o + vdim];
      const p10 = x0 * data[o + dy] + x1 * data[o + dy + vdim];
      const p01 = x0 * data[o + dz] + x1 * data[o + dz + vdim];
      const p11 = x0 * data[o + dz + dy] + x1 * data[o + dz + dy + vdim];
      out[q * vdim + d] = z0 * (y0 * p00 + y1 * p10) + z1 * (y0 * p01 + y1 * p11);
    }
  }
  return out;
}

/**
 * A stencil's distinct voxels, and the stencil re-indexed into them: sampleWith(local, values at `voxels`) gives
 * sampleWith(stencil, a whole grid array) without the whole array.
 */
export function compactStencil(stencil: PointStencil): { voxels: Int32Array; local: PointStencil } {
  const position = new Map<number, number>();
  const idx = new Int32Array(stencil.idx.length);
  for (let e = 0; e < idx.length; e++) {
    const v = stencil.idx[e];
    let at = position.get(v);
    if (at === undefined) {
      at = position.size;
      position.set(v, at);
    }
    idx[e] = at;
  }
  return { voxels: Int32Array.from(position.keys()), local: { idx, w: stencil.w, inside: stencil.inside, voxels: position.size } };
}

/**
 * For each index of `to` along `axis`: the lower neighbour in `from` and the two linear weights — corners()'s rule
 * (position clamped into the box, lower index ≤ n − 2), or zero weights outside the box for 'zero'.
 */
function axisWeights(from: WorkGrid, to: WorkGrid, axis: 0 | 1 | 2, outside: 'clamp' | 'zero'): { lo: Int32Array; w0: Float64Array; w1: Float64Array } {
  const n = from.size[axis];
  const m = to.size[axis];
  if (n < 2) throw new RangeError('resampleGrid: the source grid needs at least 2 voxels per axis');
  const lo = new Int32Array(m);
  const w0 = new Float64Array(m);
  const w1 = new Float64Array(m);
  const lastMm = from.originLps[axis] + (n - 1) * from.spacingMm;
  for (let t = 0; t < m; t++) {
    const mm = to.originLps[axis] + t * to.spacingMm;
    if (outside === 'zero' && (mm < from.originLps[axis] || mm > lastMm)) continue; // lo 0, weights 0
    const c = Math.min(Math.max((mm - from.originLps[axis]) / from.spacingMm, 0), n - 1);
    const i0 = Math.min(Math.floor(c), n - 2);
    lo[t] = i0;
    w0[t] = 1 - (c - i0);
    w1[t] = c - i0;
  }
  return { lo, w0, w1 };
}
