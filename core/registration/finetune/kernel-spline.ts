/**
 * Regularised kernel spline (the RKHS / "LDDMM-style" displacement of RobOT's fine-tuning and of Deformetrica):
 *
 *   u(x) = Σ_j K(x, z_j) α_j,      α = argmin Σ_i w_i |u(z_i) − d_i|² + λ ‖u‖²_K
 *
 * whose normal equations are (K + λ W⁻¹) α = d. With W̃ = W / mean(w) and β = W̃^{-1/2} α this is the symmetric
 * positive definite system (W̃^{1/2} K W̃^{1/2} + λ I) β = W̃^{1/2} d, solved by conjugate gradients (Hestenes &
 * Stiefel 1952) for the three components at once. Points of weight 0 get α = 0 (no pull). K is the multi-Gaussian
 * Σ_s K_σs, each applied as splat → separable blur → trilinear sample (work-grid.ts) on a grid of spacing
 * max(work-grid spacing, σ / stepsPerSigma), snapped to the work grid's spacing where it is at most 1.5× that
 * (levelSpacing in kernel-regression.ts; stepsPerSigma is 3 by default, 8 in the lung preset): the "fused kernel
 * product" that never forms an N×N matrix. Unlike the normalised convolution (kernel-regression.ts), the spline
 * interpolates: it follows the data to within λ and decays smoothly (over σ) away from them, which suits
 * the interior of an organ known only at its boundary.
 *
 * Sliding: a point with a unit normal n_i weighs its misfit by Q_i = n_i n_iᵀ + ω (I − n_i n_iᵀ), so that its tangential
 * part counts ω times its normal part (ω = 0: point-to-plane, the surface slides freely along itself; ω = 1: the
 * plain spline). With R_i = Q_i^{1/2} = n_i n_iᵀ + √ω (I − n_i n_iᵀ) the system becomes
 * (S R K R S + λ I) β = S R d and α = S R β (S = W̃^{1/2}); the components then couple through R.
 */
import { throwIfCancelled } from '../../progress/index.ts';
import { boundsOf } from '../../shape/index.ts';
import { levelSpacing } from './kernel-regression.ts';
import { gaussianBlurPositive, resampleGrid, resampleGridAt, sampleStencil, sampleWith, splat, splatStencil, splatWith, voxelCount, workGridAround, type PointStencil, type WorkGrid } from './work-grid.ts';

export interface SplineOptions {
  /** Kernel widths σ (mm); the kernel is their sum. */
  sigmasMm: readonly number[];
  /** λ, relative to the kernel's diagonal (Σ_s 1); default 0.5. */
  lambda?: number;
  /**
   * Grid steps per σ of the kernel products (spacing max(σ / this, work grid spacing)); default 3. The grid's
   * trilinear splat and sample smooth the kernel (S G Sᵀ is a Gaussian convolved with two tent functions of the
   * spacing), and the fitted field is piecewise trilinear at that spacing: 3 is coarse for a kernel that must fit a
   * lung's whole motion (measured on DIR-Lab COPD 1–5: 12 steps gave 8.3 mm mean TRE where 3 gave 8.7).
   */
  stepsPerSigma?: number;
  /** CG iterations (default 40) and relative residual tolerance (default 1e-3). */
  maxIterations?: number;
  tolerance?: number;
  signal?: AbortSignal;
  /**
   * Sliding: per-point unit normals (3 per point) and ω in [0, 1]; a point with a normal weighs the tangential part
   * of its misfit by ω (0: only n·u(z) ≈ n·d, point-to-plane), a zero vector constrains all three components fully.
   */
  sliding?: { normalsLps: Float64Array; tangentialWeight: number };
  /**
   * A warm start: the coefficients β of an earlier fit on the same points (SplineFit.coefficients). Successive
   * rounds of a 'total' fine-tuning solve nearly the same system, so CG starts close to its solution.
   */
  initialCoefficients?: Float64Array;
}

/**
 * The grids of one σ, two crops of one lattice of spacing levelSpacing(σ) laid over the data + 4σ: `data`, the
 * voxels the data touch (one voxel beyond their box), on which the CG's kernel products run; and `field`, those and
 * the work grid's box, on which the fitted u is built. The crops are exact, not approximations: splat → separable
 * blur → sample reads the blurred values only inside the crop, and each 1-D pass feeds those voxels only from
 * voxels inside it (zero outside, taps truncated), so the rest of the lattice — most of it for a wide kernel, a
 * 350 mm σ on a lung — is work that changes nothing.
 */
interface ScaleGrids {
  field: WorkGrid;
  data: WorkGrid;
  /** The data points' trilinear corners on `data`, for the splat and the sample of every kernel product. */
  splatAtData: PointStencil;
  sampleAtData: PointStencil;
}

/** The sub-lattice of `grid` holding the box `b` with one voxel to spare on each side (same spacing and phase). */
export function cropToBox(grid: WorkGrid, b: readonly number[]): WorkGrid {
  const h = grid.spacingMm;
  const size: [number, number, number] = [1, 1, 1];
  const origin: [number, number, number] = [0, 0, 0];
  for (let a = 0; a < 3; a++) {
    const lo = Math.max(0, Math.floor((b[2 * a] - grid.originLps[a]) / h) - 1);
    const hi = Math.min(grid.size[a] - 1, Math.ceil((b[2 * a + 1] - grid.originLps[a]) / h) + 1);
    size[a] = Math.max(2, hi - lo + 1);
    origin[a] = grid.originLps[a] + Math.min(lo, grid.size[a] - size[a]) * h;
  }
  return { size, spacingMm: h, originLps: origin };
}

/** The box holding both `b` and the voxel centres of `grid`. */
function unionBox(b: readonly number[], grid: WorkGrid): number[] {
  return [0, 1, 2].flatMap((a) => [Math.min(b[2 * a], grid.originLps[a]), Math.max(b[2 * a + 1], grid.originLps[a] + (grid.size[a] - 1) * grid.spacingMm)]);
}

function scaleGrids(grid: WorkGrid, z: Float64Array, sigmas: readonly number[], stepsPerSigma: number): ScaleGrids[] {
  const b = boundsOf(z);
  return sigmas.map((sigma) => {
    const h = levelSpacing(grid.spacingMm, sigma, stepsPerSigma);
    const lattice = workGridAround(b, h, 4 * sigma);
    const data = cropToBox(lattice, b);
    return { field: cropToBox(lattice, unionBox(b, grid)), data, splatAtData: splatStencil(data, z), sampleAtData: sampleStencil(data, z) };
  });
}

/**
 * v_i ← n_i (n_i·v_i) + f (v_i − n_i (n_i·v_i)): the part of each vector across its point's unit normal scaled by f,
 * in place (points whose normal is the zero vector keep all of v_i).
 */
export function scaleTangential(v: Float64Array, normals: Float64Array, f: number): Float64Array {
  for (let i = 0; i < v.length / 3; i++) {
    const nx = normals[3 * i];
    const ny = normals[3 * i + 1];
    const nz = normals[3 * i + 2];
    if (nx === 0 && ny === 0 && nz === 0) continue;
    const t = nx * v[3 * i] + ny * v[3 * i + 1] + nz * v[3 * i + 2];
    v[3 * i] = t * nx + f * (v[3 * i] - t * nx);
    v[3 * i + 1] = t * ny + f * (v[3 * i + 1] - t * ny);
    v[3 * i + 2] = t * nz + f * (v[3 * i + 2] - t * nz);
  }
  return v;
}

/** K v at the data points: Σ_s S_s G_s S_sᵀ v (on the data-cropped grids, their corners at the points precomputed). */
function kernelProduct(grids: ScaleGrids[], sigmas: readonly number[], v: Float64Array, signal?: AbortSignal): Float64Array {
  const out = new Float64Array(v.length);
  sigmas.forEach((sigma, s) => {
    const { data: g, splatAtData, sampleAtData } = grids[s];
    const at = sampleWith(sampleAtData, gaussianBlurPositive(g, splatWith(splatAtData, v, 3), 3, sigma, signal), 3);
    for (let i = 0; i < out.length; i++) out[i] += at[i];
  });
  return out;
}

/** How far the conjugate gradients got (a narrow kernel with a small λ needs many iterations). */
export interface SplineSolve {
  iterations: number;
  /** max over components of |r| / |b| at the end (b the right-hand side; ≤ the tolerance when converged). */
  relativeResidual: number;
  converged: boolean;
}

export interface SplineFit {
  /** u on the work grid (3 per voxel), built when first read. */
  readonly field: Float64Array;
  /**
   * u at some voxels of the work grid (3 per voxel, in the order given): `field`'s values there to the bit, without
   * building the whole grid — a fine-tuning round needs u only around its points until the last one.
   */
  fieldAt(voxels: Int32Array): Float64Array;
  solve: SplineSolve;
  /** β (3 per point), to warm-start a later fit on the same points. */
  coefficients: Float64Array;
}

/** Fits the spline. */
export function fitKernelSpline(grid: WorkGrid, z: Float64Array, d: Float64Array, w: Float64Array, options: SplineOptions): SplineFit {
  const sigmas = options.sigmasMm;
  const n = w.length;
  const lambda = (options.lambda ?? 0.5) * sigmas.length;
  const maxIt = options.maxIterations ?? 40;
  const tol = options.tolerance ?? 1e-3;
  let wMean = 0;
  for (const x of w) wMean += x;
  wMean /= n;
  const sw = new Float64Array(n);
  for (let i = 0; i < n; i++) sw[i] = wMean > 0 ? Math.sqrt(w[i] / wMean) : 0;
  const grids = scaleGrids(grid, z, sigmas, options.stepsPerSigma ?? 3);
  const normals = options.sliding?.normalsLps;
  const rootOmega = Math.sqrt(options.sliding?.tangentialWeight ?? 1);
  /** R_i v = n (n·v) + √ω (v − n (n·v)) where point i has a normal (in place). */
  const applyRoot = (v: Float64Array): Float64Array => (normals ? scaleTangential(v, normals, rootOmega) : v);
  // A = S R K R S + λ I (S = W̃^{1/2}); with R = I it is the plain spline system. For ω = 0 the tangential parts of
  // β stay 0 (neither the right-hand side nor R K R has any), so λ I acts as λ times the normal projection.
  const A = (beta: Float64Array): Float64Array => {
    const v = new Float64Array(3 * n);
    for (let i = 0, k = 0; i < n; i++, k += 3) {
      const s = sw[i];
      v[k] = s * beta[k];
      v[k + 1] = s * beta[k + 1];
      v[k + 2] = s * beta[k + 2];
    }
    applyRoot(v);
    const kv = applyRoot(kernelProduct(grids, sigmas, v, options.signal));
    for (let i = 0, k = 0; i < n; i++, k += 3) {
      const s = sw[i];
      kv[k] = s * kv[k] + lambda * beta[k];
      kv[k + 1] = s * kv[k + 1] + lambda * beta[k + 1];
      kv[k + 2] = s * kv[k + 2] + lambda * beta[k + 2];
    }
    return kv;
  };
  // CG on the components together (they share the operator when R = I; with normals they couple, so the inner
  // products are then taken over all components at once).
  const rhs = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) rhs[3 * i + c] = sw[i] * d[3 * i + c];
  applyRoot(rhs);
  const start = options.initialCoefficients;
  if (start && start.length !== 3 * n) throw new RangeError(`kernel spline: ${start.length / 3} initial coefficients for ${n} points`);
  const beta = start ? Float64Array.from(start) : new Float64Array(3 * n);
  const r = Float64Array.from(rhs);
  if (start) {
    const a0 = A(beta);
    for (let i = 0; i < r.length; i++) r[i] -= a0[i];
  }
  const p = Float64Array.from(r);
  const coupled = normals !== undefined;
  /**
   * The three components' inner products ⟨a, b⟩ into `out`: each over its own component (i = c, c + 3, …), or — when
   * the normals couple the components — one over all of them, the same for the three.
   */
  const dots = (a: Float64Array, b: Float64Array, out: Float64Array): Float64Array => {
    if (coupled) {
      let s = 0;
      for (let i = 0; i < a.length; i++) s += a[i] * b[i];
      out.fill(s);
      return out;
    }
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < a.length; i += 3) {
      s0 += a[i] * b[i];
      s1 += a[i + 1] * b[i + 1];
      s2 += a[i + 2] * b[i + 2];
    }
    out[0] = s0;
    out[1] = s1;
    out[2] = s2;
    return out;
  };
  const rr = dots(r, r, new Float64Array(3));
  // Relative to |b|, not to the first residual, so that a warm start stops where a cold one would.
  const b0 = dots(rhs, rhs, new Float64Array(3)).map(Math.sqrt);
  /** max over components of |r| / |b| (0 for a component whose right-hand side is 0). */
  const relativeResidual = (): number => Math.max(...[0, 1, 2].map((c) => (b0[c] > 0 ? Math.sqrt(rr[c]) / b0[c] : 0)));
  const pap = new Float64Array(3);
  const next = new Float64Array(3);
  const step = new Float64Array(3);
  let iterations = 0;
  for (; iterations < maxIt; iterations++) {
    throwIfCancelled(options.signal, 'kernel spline');
    if (relativeResidual() <= tol) break;
    const ap = A(p);
    dots(p, ap, pap);
    for (let c = 0; c < 3; c++) step[c] = pap[c] > 0 ? rr[c] / pap[c] : 0;
    for (let i = 0; i < beta.length; i += 3) {
      for (let c = 0; c < 3; c++) {
        beta[i + c] += step[c] * p[i + c];
        r[i + c] -= step[c] * ap[i + c];
      }
    }
    dots(r, r, next);
    for (let c = 0; c < 3; c++) step[c] = rr[c] > 0 ? next[c] / rr[c] : 0;
    for (let i = 0; i < p.length; i += 3) for (let c = 0; c < 3; c++) p[i + c] = r[i + c] + step[c] * p[i + c];
    rr.set(next);
  }
  // u = Σ_s G_s S_sᵀ α on each scale's grid, resampled onto the work grid.
  const alpha = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) alpha[3 * i + c] = sw[i] * beta[3 * i + c];
  applyRoot(alpha);
  const levels = sigmas.map((sigma, s) => {
    const g = grids[s].field;
    return { grid: g, data: gaussianBlurPositive(g, splat(g, z, alpha, 3), 3, sigma, options.signal) };
  });
  // Outside each cropped box the kernel sum has decayed to 0.
  const sumOfLevels = (onWorkGrid: (level: { grid: WorkGrid; data: Float64Array }) => Float64Array, length: number): Float64Array => {
    const out = new Float64Array(length);
    for (const level of levels) {
      const part = onWorkGrid(level);
      for (let i = 0; i < length; i++) out[i] += part[i];
    }
    return out;
  };
  let field: Float64Array | undefined;
  const residual = relativeResidual();
  return {
    get field() {
      field ??= sumOfLevels((l) => resampleGrid(l.grid, l.data, 3, grid, 'zero'), 3 * voxelCount(grid));
      return field;
    },
    fieldAt: (voxels) => sumOfLevels((l) => resampleGridAt(l.grid, l.data, 3, grid, voxels, 'zero'), 3 * voxels.length),
    solve: { iterations, relativeResidual: residual, converged: residual <= tol },
    coefficients: beta,
  };
}
