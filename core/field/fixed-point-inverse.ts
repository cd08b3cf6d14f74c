import type { InverseEvaluation, InversionOptions, VectorFunctionLps } from './types.ts';

export const DEFAULT_INVERSION_TOLERANCE_MM = 1e-4;
export const DEFAULT_INVERSION_MAX_ITERATIONS = 100;

/**
 * Inverts φ(x) = x + u(x) at target points y by damped fixed-point iteration: find x with x + u(x) = y, i.e.
 * x = y − u(x). With residual r(x) = x + u(x) − y the update is
 *
 *   x_{k+1} = x_k − λ · r(x_k) = (1 − λ) x_k + λ (y − u(x_k))
 *
 * which for λ = 1 is the plain iteration x_{k+1} = y − u(x_k) (Chen et al. 2008, "A simple fixed-point approach to
 * invert a deformation field", Med. Phys. 35(1)). It converges when u is contractive (Lipschitz constant < 1); for a
 * larger displacement whose Jacobian ∇φ still has eigenvalues of positive real part (no folding), each point damps
 * itself: a step that increases |r| is rejected and λ halved, an accepted step lets λ grow back towards 1. A map that
 * folds has no inverse there; such points keep their best estimate and are counted as unconverged.
 *
 * With an approximate inverse ψ ≈ φ⁻¹ (`approximateInverse`, its displacement ψ(p) − p; e.g. exp(−v) for a velocity
 * field), it is used as a preconditioner and as the start: x₀ = ψ(y) and the step is
 *   x_{k+1} = x_k − λ (ψ(φ(x_k)) − ψ(y)) ≈ x_k − λ ∇φ(x_k)⁻¹ r(x_k)
 * (a quasi-Newton step, fast even where ∇φ is far from the identity). Points stop once |r| ≤ tolerance, so each round
 * evaluates u (and ψ) only at the points still moving, in one batched call each.
 *
 * Returns x − y for every target, the best point found for those that did not converge, and the residuals |r|.
 */
export async function invertByFixedPoint(
  displacement: VectorFunctionLps,
  targetsLps: Float64Array,
  options: InversionOptions = {},
  initialLps?: Float64Array,
  approximateInverse?: VectorFunctionLps,
): Promise<InverseEvaluation> {
  const settings = inversionSettings(targetsLps, options, initialLps);
  const y = targetsLps;
  // ψ(y), the preconditioner's image of the targets (and the default start).
  let psiY: Float64Array | undefined;
  if (approximateInverse) {
    const g = await approximateInverse(y);
    psiY = new Float64Array(y.length);
    for (let i = 0; i < y.length; i++) psiY[i] = y[i] + g[i];
  }
  const state = new FixedPointState(y, initialLps ?? psiY ?? y, settings.toleranceMm);
  const { xTry } = state;
  let active = Uint32Array.from({ length: y.length / 3 }, (_, i) => i);
  let iterations = 0;

  while (active.length > 0 && iterations < settings.maxIterations) {
    const batch = new Float64Array(3 * active.length);
    for (let a = 0; a < active.length; a++) {
      const i = active[a];
      batch[3 * a] = xTry[3 * i];
      batch[3 * a + 1] = xTry[3 * i + 1];
      batch[3 * a + 2] = xTry[3 * i + 2];
    }
    const u = await displacement(batch);
    // With a preconditioner the step direction is ψ(φ(x)) − ψ(y) instead of r = φ(x) − y.
    let g: Float64Array | undefined;
    if (approximateInverse) {
      const phi = new Float64Array(batch.length);
      for (let q = 0; q < phi.length; q++) phi[q] = batch[q] + u[q];
      g = await approximateInverse(phi);
      for (let q = 0; q < phi.length; q++) g[q] += phi[q];
    }
    iterations++;
    const still = new Uint32Array(active.length);
    let stillCount = 0;
    for (let a = 0; a < active.length; a++) {
      const i = active[a];
      const rx = batch[3 * a] + u[3 * a] - y[3 * i];
      const ry = batch[3 * a + 1] + u[3 * a + 1] - y[3 * i + 1];
      const rz = batch[3 * a + 2] + u[3 * a + 2] - y[3 * i + 2];
      const going = g && psiY
        ? state.update(i, rx, ry, rz, g[3 * a] - psiY[3 * i], g[3 * a + 1] - psiY[3 * i + 1], g[3 * a + 2] - psiY[3 * i + 2])
        : state.update(i, rx, ry, rz, rx, ry, rz);
      if (going) still[stillCount++] = i;
    }
    active = still.subarray(0, stillCount);
  }
  return state.result(iterations);
}

/** A displacement evaluated at one LPS point (x, y, z), written into out[0..2] — e.g. a trilinear grid lookup. */
export type PointDisplacementLps = (x: number, y: number, z: number, out: Float64Array) => void;

/**
 * The same iteration as invertByFixedPoint (same steps, same damping, the same result to the last bit), for a
 * displacement that is evaluated synchronously one point at a time (a grid lookup): each target is iterated to
 * convergence on its own, in scalar arithmetic, with no per-round arrays. This is what keeps the inversion of a dense
 * field on a fixed image grid (millions of voxels) fast; `iterations` is the most any point used.
 */
export function invertPointwise(
  displacement: PointDisplacementLps,
  targetsLps: Float64Array,
  options: InversionOptions = {},
  initialLps?: Float64Array,
  approximateInverse?: PointDisplacementLps,
): InverseEvaluation {
  const settings = inversionSettings(targetsLps, options, initialLps);
  const y = targetsLps;
  const n = y.length / 3;
  const state = new FixedPointState(y, initialLps ?? y, settings.toleranceMm);
  const { xTry } = state;
  const u = new Float64Array(3);
  const g = new Float64Array(3);
  // A point that has converged needs no step direction, so the preconditioner is not evaluated for it.
  const tol = settings.toleranceMm;
  let iterations = 0;
  for (let i = 0; i < n; i++) {
    const yx = y[3 * i];
    const yy = y[3 * i + 1];
    const yz = y[3 * i + 2];
    let psiYx = 0;
    let psiYy = 0;
    let psiYz = 0;
    if (approximateInverse) {
      approximateInverse(yx, yy, yz, g);
      psiYx = yx + g[0];
      psiYy = yy + g[1];
      psiYz = yz + g[2];
      if (!initialLps) state.startAt(i, psiYx, psiYy, psiYz);
    }
    let k = 0;
    let going = true;
    while (going && k < settings.maxIterations) {
      const bx = xTry[3 * i];
      const by = xTry[3 * i + 1];
      const bz = xTry[3 * i + 2];
      displacement(bx, by, bz, u);
      k++;
      const rx = bx + u[0] - yx;
      const ry = by + u[1] - yy;
      const rz = bz + u[2] - yz;
      if (approximateInverse && Math.sqrt(rx * rx + ry * ry + rz * rz) > tol) {
        const px = bx + u[0];
        const py = by + u[1];
        const pz = bz + u[2];
        approximateInverse(px, py, pz, g);
        going = state.update(i, rx, ry, rz, g[0] + px - psiYx, g[1] + py - psiYy, g[2] + pz - psiYz);
      } else {
        // Converged (|r| ≤ tolerance: the point stops and its direction is never used), or no preconditioner.
        going = state.update(i, rx, ry, rz, rx, ry, rz);
      }
    }
    if (k > iterations) iterations = k;
  }
  return state.result(iterations);
}

function inversionSettings(targetsLps: Float64Array, options: InversionOptions, initialLps: Float64Array | undefined): { toleranceMm: number; maxIterations: number } {
  const toleranceMm = options.toleranceMm ?? DEFAULT_INVERSION_TOLERANCE_MM;
  const maxIterations = options.maxIterations ?? DEFAULT_INVERSION_MAX_ITERATIONS;
  if (!(toleranceMm > 0) || !Number.isFinite(toleranceMm)) throw new RangeError(`inversion tolerance must be > 0 (got ${toleranceMm})`);
  if (!Number.isInteger(maxIterations) || maxIterations < 1) throw new RangeError(`maxIterations must be a positive integer (got ${maxIterations})`);
  if (targetsLps.length % 3 !== 0) throw new RangeError(`points: length ${targetsLps.length} is not a multiple of 3`);
  if (initialLps && initialLps.length !== targetsLps.length) throw new RangeError('initial points: length differs from the targets');
  return { toleranceMm, maxIterations };
}

/**
 * The per-point bookkeeping of the damped iteration: the point tried (xTry), the best point so far (xBest) with its
 * residual |r| and step direction, and the step length λ. Both drivers above feed it the residual r = φ(x) − y at the
 * point tried and the step direction d (r itself, or ψ(φ(x)) − ψ(y) with a preconditioner).
 */
class FixedPointState {
  readonly xTry: Float64Array;
  private readonly y: Float64Array;
  private readonly xBest: Float64Array;
  private readonly dBest: Float64Array;
  private readonly resBest: Float64Array;
  private readonly lambda: Float64Array;
  private readonly tol: number;

  constructor(targetsLps: Float64Array, startLps: Float64Array, toleranceMm: number) {
    const n = targetsLps.length / 3;
    this.y = targetsLps;
    this.xTry = Float64Array.from(startLps);
    this.xBest = Float64Array.from(startLps);
    this.dBest = new Float64Array(3 * n);
    this.resBest = new Float64Array(n).fill(Infinity);
    this.lambda = new Float64Array(n).fill(1);
    this.tol = toleranceMm;
  }

  /** Starts point i at (x, y, z) instead of the start given to the constructor. */
  startAt(i: number, x: number, y: number, z: number): void {
    this.xTry[3 * i] = this.xBest[3 * i] = x;
    this.xTry[3 * i + 1] = this.xBest[3 * i + 1] = y;
    this.xTry[3 * i + 2] = this.xBest[3 * i + 2] = z;
  }

  /**
   * Point i was tried at xTry[i], with residual r and direction d. A step that lowers |r| is kept (and λ grows back
   * towards 1); one that does not is undone and λ halved. Sets the next point to try, x_best − λ · d_best, and
   * returns whether point i goes on (false once |r| ≤ tolerance, or when λ has collapsed: stuck, unconverged).
   */
  update(i: number, rx: number, ry: number, rz: number, dx: number, dy: number, dz: number): boolean {
    const { xTry, xBest, dBest, lambda } = this;
    const res = Math.sqrt(rx * rx + ry * ry + rz * rz);
    if (res < this.resBest[i]) {
      this.resBest[i] = res;
      xBest[3 * i] = xTry[3 * i];
      xBest[3 * i + 1] = xTry[3 * i + 1];
      xBest[3 * i + 2] = xTry[3 * i + 2];
      dBest[3 * i] = dx;
      dBest[3 * i + 1] = dy;
      dBest[3 * i + 2] = dz;
      if (res <= this.tol) return false;
      lambda[i] = Math.min(1, lambda[i] * 1.25);
    } else {
      lambda[i] *= 0.5;
      if (lambda[i] < 1e-6) return false; // stuck: keep the best point, counted as unconverged
    }
    xTry[3 * i] = xBest[3 * i] - lambda[i] * dBest[3 * i];
    xTry[3 * i + 1] = xBest[3 * i + 1] - lambda[i] * dBest[3 * i + 1];
    xTry[3 * i + 2] = xBest[3 * i + 2] - lambda[i] * dBest[3 * i + 2];
    return true;
  }

  /** x_best − y for every target, and the residual statistics. */
  result(iterations: number): InverseEvaluation {
    const { y, xBest, resBest, tol } = this;
    const n = resBest.length;
    const out = new Float64Array(3 * n);
    let maxRes = 0;
    let sumRes = 0;
    let unconverged = 0;
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < 3; c++) out[3 * i + c] = xBest[3 * i + c] - y[3 * i + c];
      const r = resBest[i];
      if (!(r <= tol)) unconverged++;
      if (r > maxRes) maxRes = r;
      sumRes += r;
    }
    return { displacementsLps: out, maxResidualMm: maxRes, meanResidualMm: n > 0 ? sumRes / n : 0, unconverged, iterations };
  }
}
