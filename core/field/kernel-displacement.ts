import type { KernelEngine } from '../kernels/types.ts';
import { invertByFixedPoint } from './fixed-point-inverse.ts';
import type { Deformation, InverseEvaluation, InversionOptions, Vec3 } from './types.ts';

/** A (multi-scale) Gaussian kernel: K(x, c) = Σ_s w_s · exp(−|x − c|² / (2 σ_s²)). */
export interface GaussianKernelSpec {
  /** σ_s in mm (1..16 scales). */
  sigmasMm: readonly number[];
  /** w_s, one per σ; default all 1. */
  weights?: readonly number[];
}

export interface KernelDisplacementInit extends GaussianKernelSpec {
  /** Control points c_k, interleaved xyz, LPS mm. */
  centresLps: Float64Array;
  /** Coefficients α_k (mm), interleaved xyz, one vector per control point. */
  coefficientsLps: Float64Array;
  /** The kernel engine that evaluates the sums (core/kernels). */
  engine: KernelEngine;
  /** Points per engine call (bounds the float32 buffers); default 262 144. */
  chunkPoints?: number;
}

/**
 * The non-linear displacement model of the pipeline: a kernel expansion on control points
 *
 *   u(x) = Σ_k K(x, c_k) α_k,      K(x, c) = Σ_s w_s exp(−|x − c|² / (2σ_s²))
 *
 * (the RKHS / "LDDMM-style" spline parametrisation of RobOT, Shen et al. 2021, and Deformetrica), acting as
 * φ(x) = x + u(x). It is evaluated with the kernel engine's fused `gaussianSum` (no N×M matrix is ever formed).
 *
 * Precision: engines take float32 points, so coordinates are passed relative to the centroid of the control points
 * (an offset kept in float64): what is rounded is then |x − centroid| (tens of mm, ~1e-6 mm steps) rather than the
 * absolute LPS position.
 *
 * The inverse has no closed form: `evaluateInverse` runs core/field/fixed-point-inverse.ts, which converges when u
 * is contractive (sup |∇u| < 1), i.e. for moderate deformations; it damps itself beyond that and reports residuals.
 */
export class KernelDisplacement implements Deformation {
  readonly kind = 'kernel' as const;
  readonly sigmasMm: readonly number[];
  readonly weights: readonly number[];
  readonly centresLps: Float64Array;
  readonly coefficientsLps: Float64Array;
  private readonly engine: KernelEngine;
  private readonly chunkPoints: number;
  private readonly reference: Vec3;
  private readonly centresF32: Float32Array;
  private readonly alphaF32: Float32Array;

  constructor(init: KernelDisplacementInit) {
    const { centresLps, coefficientsLps } = init;
    if (centresLps.length % 3 !== 0 || centresLps.length === 0) throw new RangeError('KernelDisplacement: centres must be a non-empty xyz list');
    if (coefficientsLps.length !== centresLps.length) {
      throw new RangeError(`KernelDisplacement: ${coefficientsLps.length / 3} coefficient vectors for ${centresLps.length / 3} centres`);
    }
    for (let i = 0; i < centresLps.length; i++) {
      if (!Number.isFinite(centresLps[i]) || !Number.isFinite(coefficientsLps[i])) throw new RangeError('KernelDisplacement: non-finite centre or coefficient');
    }
    const weights = init.weights ?? init.sigmasMm.map(() => 1);
    if (init.sigmasMm.length < 1 || weights.length !== init.sigmasMm.length) throw new RangeError('KernelDisplacement: one weight per σ, at least one σ');
    if (!init.sigmasMm.every((s) => Number.isFinite(s) && s > 0)) throw new RangeError('KernelDisplacement: σ must be finite and > 0');
    this.sigmasMm = [...init.sigmasMm];
    this.weights = [...weights];
    this.centresLps = Float64Array.from(centresLps);
    this.coefficientsLps = Float64Array.from(coefficientsLps);
    this.engine = init.engine;
    this.chunkPoints = Math.max(1, Math.floor(init.chunkPoints ?? 262144));
    const m = centresLps.length / 3;
    const ref: Vec3 = [0, 0, 0];
    for (let k = 0; k < m; k++) for (let c = 0; c < 3; c++) ref[c] += centresLps[3 * k + c] / m;
    this.reference = ref;
    this.centresF32 = new Float32Array(centresLps.length);
    for (let k = 0; k < m; k++) for (let c = 0; c < 3; c++) this.centresF32[3 * k + c] = centresLps[3 * k + c] - ref[c];
    this.alphaF32 = Float32Array.from(coefficientsLps);
  }

  /** u(x) = φ(x) − x. */
  async evaluate(pointsLps: Float64Array): Promise<Float64Array> {
    if (pointsLps.length % 3 !== 0) throw new RangeError(`points: length ${pointsLps.length} is not a multiple of 3`);
    const n = pointsLps.length / 3;
    const out = new Float64Array(pointsLps.length);
    const ref = this.reference;
    for (let start = 0; start < n; start += this.chunkPoints) {
      const count = Math.min(this.chunkPoints, n - start);
      const x = new Float32Array(3 * count);
      for (let i = 0; i < count; i++) for (let c = 0; c < 3; c++) x[3 * i + c] = pointsLps[3 * (start + i) + c] - ref[c];
      const result = new Float32Array(3 * count);
      await this.engine.gaussianSum(this.sigmasMm, this.weights, { points: x, dim: 3 }, { points: this.centresF32, dim: 3 }, this.alphaF32, 3, result);
      out.set(result, 3 * start);
    }
    return out;
  }

  /** φ⁻¹(y) − y by fixed-point iteration. */
  evaluateInverse(pointsLps: Float64Array, options?: InversionOptions): Promise<InverseEvaluation> {
    return invertByFixedPoint((p) => this.evaluate(p), pointsLps, options);
  }
}
